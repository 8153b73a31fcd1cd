/** A resource action as Terraform's JSON plan spells it. */
export const ResourceAction = {
  NoOp: 'no-op',
  Create: 'create',
  Read: 'read',
  Update: 'update',
  Delete: 'delete',
  Forget: 'forget',
} as const;
export type ResourceAction = (typeof ResourceAction)[keyof typeof ResourceAction];

/** One resource that a plan changes. */
export interface ResourceChange {
  /** The resource's address, e.g. `terraform_data.environment`. */
  address: string;
  /** Terraform's actions for it: `["create"]`, `["update"]`, `["delete"]`, or a replace as `["delete","create"]` / `["create","delete"]`. */
  actions: ResourceAction[];
}

/** What a saved plan will do, counted as Terraform prints it (a replace counts as one add and one destroy). */
export interface PlanSummary {
  add: number;
  change: number;
  destroy: number;
  /** The resources that change, in plan order; unchanged ones are left out. */
  resources: ResourceChange[];
}

/** What a drift check found: `drifted` iff Terraform's plan exited 2. */
export interface DriftResult extends PlanSummary {
  drifted: boolean;
}

/** The counts Terraform reports at the end of an apply. */
export interface ApplySummary {
  add: number;
  change: number;
  destroy: number;
}

/** Root module outputs, unwrapped to their values; sensitive ones hold {@link SENSITIVE_VALUE}. */
export type TerraformOutputs = Record<string, unknown>;

/** What a sensitive output's value is replaced with. */
export const SENSITIVE_VALUE = '(sensitive value)';

/** Values for `-var NAME=VALUE`: strings are passed as they are, others as JSON. */
export type TerraformVars = Record<string, string | number | boolean>;

export interface PlanOptions {
  /** Where to save the plan, relative to the working directory. Default `plinth.tfplan`. */
  out?: string;
  /** Plan the destruction of everything in the state. */
  destroy?: boolean;
  /** Variables given with `-var`; Terraform also reads `TF_VAR_*` from the environment. */
  vars?: TerraformVars;
}

/** One line of progress from Terraform's JSON stream. */
export interface TerraformProgress {
  /** Terraform's message type, e.g. `planned_change`, `apply_complete`, `diagnostic`. */
  type: string;
  level: string;
  message: string;
}

export interface TerraformOptions {
  /** The working directory: the configuration, the local state and saved plans. */
  dir: string;
  /** The terraform executable. Default `terraform`. */
  bin?: string;
  /** The environment Terraform runs with (`TF_VAR_*` included). Default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Receives each progress message, for logs. */
  onProgress?: (progress: TerraformProgress) => void;
}

/**
 * The terraform CLI in one working directory, driven through its
 * machine-readable output. Every failure throws a PlinthError with code
 * `TERRAFORM_FAILED` whose message is Terraform's own error text.
 */
export interface Terraform {
  readonly dir: string;
  init(): Promise<void>;
  /** Plans, saves the plan, and summarizes it from `show -json`. */
  plan(options?: PlanOptions): Promise<PlanSummary>;
  /** Summarizes a saved plan. */
  show(planFile: string): Promise<PlanSummary>;
  /** Applies a saved plan. */
  apply(planFile: string): Promise<ApplySummary>;
  output(): Promise<TerraformOutputs>;
  /**
   * `plan -detailed-exitcode` without keeping the plan: whether the real
   * infrastructure (the state, refreshed) differs from the configuration with
   * these variables, and what would change to bring it back.
   */
  drift(options?: { vars?: TerraformVars }): Promise<DriftResult>;
  /** Destroys everything in the state without a saved plan. */
  destroy(options?: { vars?: TerraformVars }): Promise<ApplySummary>;
}
