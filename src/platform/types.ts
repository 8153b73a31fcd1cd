import type { Page } from '../store/index.js';
import type { NodeLogLine } from '../workflows/index.js';

/** Roles a token can carry; `authorize` (authorization.ts) says what each may do. */
export const Role = {
  Admin: 'admin',
  Approver: 'approver',
  Developer: 'developer',
  Viewer: 'viewer',
} as const;
export type Role = (typeof Role)[keyof typeof Role];

/** Who is calling: the token's identity, as `authenticate` resolves it. */
export interface Principal {
  tokenId: string;
  name: string;
  role: Role;
  team: string | null;
}

/** Environment statuses (the API contract). */
export const EnvironmentStatus = {
  Provisioning: 'Provisioning',
  Ready: 'Ready',
  Failed: 'Failed',
  Destroying: 'Destroying',
  Destroyed: 'Destroyed',
} as const;
export type EnvironmentStatus = (typeof EnvironmentStatus)[keyof typeof EnvironmentStatus];

/** Request statuses: Pending until its Workflow runs, then the Workflow's phase. */
export const RequestStatus = {
  Pending: 'Pending',
  Running: 'Running',
  Succeeded: 'Succeeded',
  Failed: 'Failed',
  Error: 'Error',
} as const;
export type RequestStatus = (typeof RequestStatus)[keyof typeof RequestStatus];

/** Labels the catalog's Sensors put on the Workflows they create. */
export const Labels = {
  kind: 'plinth.dev/kind',
  requestId: 'plinth.dev/request-id',
  environment: 'plinth.dev/environment',
  action: 'plinth.dev/action',
} as const;

/**
 * Hands a request to the event source (Argo Events' webhook EventSource, or
 * Plinth's own). Resolving means the event is durable; rejecting means it was
 * not accepted.
 */
export interface Dispatcher {
  dispatch(eventName: string, body: Record<string, unknown>): Promise<void>;
}

/** What `POST /environments` takes. */
export interface CreateEnvironmentInput {
  name: string;
  region: string;
  team?: string;
  /** `development` (the default), `staging` or `production`. */
  tier: 'development' | 'staging' | 'production';
  /** How long it lives (e.g. `8h`, `3d`); it never expires without one. */
  ttl?: string;
  /** Protected environments never expire. */
  protected?: boolean;
}

/** What `PATCH /environments/{name}` takes: the fields to change. */
export interface UpdateEnvironmentInput {
  region?: string;
  team?: string;
  tier?: 'development' | 'staging' | 'production';
  /** A new lifetime, counted from now. */
  ttl?: string;
  protected?: boolean;
}

/** The answer to an update: a request when the infrastructure changes, else the environment. */
export type UpdateEnvironmentResult =
  | { request: RequestAccepted; environment?: undefined }
  | { environment: EnvironmentView; request?: undefined };

/** The last drift check of an environment. */
export interface DriftView {
  checkedAt?: string;
  drifted?: boolean;
  /** The resources that differ from the last apply, as Terraform plans to change them back. */
  changes?: unknown[];
  add?: number;
  change?: number;
  destroy?: number;
  /** The run that checked. */
  runId?: string;
  [key: string]: unknown;
}

/** An environment, as the API shows it. */
export interface EnvironmentView {
  name: string;
  status: string;
  region: string | null;
  team: string | null;
  /** `development`, `staging` or `production`. */
  tier: string;
  /** Protected environments never expire. */
  protected: boolean;
  /** When its TTL ends it; null when it never expires. */
  expiresAt: string | null;
  /** Whether the last drift check found changes made outside Plinth. */
  drifted: boolean;
  drift: DriftView | null;
  outputs: Record<string, unknown>;
  lastRequestId: string | null;
  message: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

/** The answer to a request (202): what was accepted and where to follow it. */
export interface RequestAccepted {
  id: string;
  kind: string;
  action: string;
  status: string;
  target: string;
  links: { self: string; target: string; runs: string };
}

/** A run as `GET /runs/{id}` and `GET /requests/{id}` refer to it. */
export interface RunRef {
  id: string;
  phase: string;
}

export interface RequestView {
  id: string;
  kind: string;
  action: string;
  target: string;
  status: string;
  requester: string;
  createdAt: string;
  updatedAt: string;
  message: string | null;
  /** What was asked: for a change, the inputs it proposes (its target takes them when it applies). */
  inputs: Record<string, unknown>;
  runs: RunRef[];
}

/** Terraform's plan summary, as the `plan-summary` output carries it. */
export interface PlanSummary {
  add: number;
  change: number;
  destroy: number;
  resources: unknown[];
}

export interface RunNodeView {
  id: string;
  name: string;
  displayName: string;
  type: string;
  templateName: string | null;
  phase: string;
  message: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  outputs: Record<string, unknown> | null;
}

export interface RunSummary {
  id: string;
  name: string;
  namespace: string;
  requestId: string | null;
  kind: string | null;
  environment: string | null;
  action: string | null;
  phase: string;
  message: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  progress: string | null;
}

export interface RunView extends RunSummary {
  waitingForApproval: boolean;
  approval: { node: string; planSummary: PlanSummary | null } | null;
  plan: PlanSummary | null;
  /** The Workflow's global output parameters, by name. */
  outputs: Record<string, string>;
  /** Ordered by start time. */
  nodes: RunNodeView[];
}

export interface RunListFilter {
  kind?: string;
  environment?: string;
  requestId?: string;
  /** The requester's name (as on the request). */
  requester?: string;
  /** Started (created) at or after this time, RFC 3339. */
  since?: string;
  /** Created before this time, RFC 3339. */
  until?: string;
  phase?: string;
  limit?: number;
  cursor?: string;
}

export interface LogOptions {
  nodeId?: string;
  follow?: boolean;
  afterSeq?: number;
}

export interface DecisionInput {
  actor: Principal;
  comment?: string;
}

export interface EnvironmentService {
  create(input: unknown, actor: Principal): Promise<RequestAccepted>;
  delete(name: string, actor: Principal): Promise<RequestAccepted>;
  /** Changes inputs: region or team run plan, approval (per tier), apply; tier, ttl and protected apply at once. */
  update(name: string, input: unknown, actor: Principal): Promise<UpdateEnvironmentResult>;
  /** Plans back to the last approved inputs and applies after approval (per tier). */
  reconcile(name: string, actor: Principal): Promise<RequestAccepted>;
  /** Starts a drift check (a run of `environment-drift`); the result lands on the environment. */
  driftCheck(name: string, actor: Principal): Promise<RequestAccepted>;
  /** Pushes the expiry back by `{ttl}` (from the current expiry, or from now when it has none). */
  extend(name: string, input: unknown, actor: Principal): Promise<EnvironmentView>;
  get(name: string): Promise<EnvironmentView>;
  list(filter?: {
    team?: string;
    status?: string;
    limit?: number;
    cursor?: string;
  }): Promise<Page<EnvironmentView>>;
}

export interface RequestService {
  get(id: string): Promise<RequestView>;
}

export interface RunService {
  list(filter?: RunListFilter): Promise<Page<RunSummary>>;
  get(id: string): Promise<RunView>;
  logs(id: string, options?: LogOptions): Promise<AsyncIterable<NodeLogLine>>;
  approve(id: string, input: DecisionInput): Promise<RunView>;
  reject(id: string, input: DecisionInput): Promise<RunView>;
  /** Retries a Failed or Error run from its failed node (Argo's retry). */
  retry(id: string, actor: Principal): Promise<RunView>;
  /** Cancels a run: Argo's terminate (exit handlers do not run). */
  cancel(id: string, actor: Principal): Promise<RunView>;
}

/** A new token and its secret; the secret is shown once and never stored. */
export interface IssuedToken {
  id: string;
  secret: string;
}

export interface AuthService {
  /** When no token exists, stores `givenSecret` (or a new one) as the admin token and returns the secret; otherwise undefined. */
  ensureAdminToken(givenSecret?: string): Promise<string | undefined>;
  /**
   * Resolves a bearer secret to its principal; throws UnauthenticatedError
   * otherwise. Records the token's use (at most once a minute per token).
   */
  authenticate(secret: string | undefined, context?: { requestId?: string }): Promise<Principal>;
  /** Issues a token (endpoints for it come with full RBAC). */
  createToken(input: {
    name: string;
    role: Role;
    team?: string | null;
    expiresAt?: string | null;
    secret?: string;
  }): Promise<IssuedToken>;
  revokeToken(id: string): Promise<void>;
}

/** Counts the metrics endpoint reads at each scrape. */
export interface PlatformStats {
  /** Runs (Workflows) by Argo phase. */
  runsByPhase(): Promise<Record<string, number>>;
}
