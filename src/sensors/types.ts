/**
 * Argo Events' Sensor (argoproj.io/v1alpha1), as far as Plinth reads it.
 * Field names are Argo's; fields Plinth does not interpret are kept (the index
 * signatures) so a sensor round-trips unchanged.
 */

/** How a trigger parameter combines with the value already at `dest`, spelled as Argo does. */
export const TriggerParameterOperation = {
  None: '',
  Append: 'append',
  Overwrite: 'overwrite',
  Prepend: 'prepend',
} as const;
export type TriggerParameterOperation =
  (typeof TriggerParameterOperation)[keyof typeof TriggerParameterOperation];

/** Operations of a `k8s` trigger, spelled as Argo does. */
export const KubernetesResourceOperation = {
  Create: 'create',
  Update: 'update',
  Patch: 'patch',
  Delete: 'delete',
} as const;
export type KubernetesResourceOperation =
  (typeof KubernetesResourceOperation)[keyof typeof KubernetesResourceOperation];

/** Operations of an `argoWorkflow` trigger, spelled as Argo does. */
export const ArgoWorkflowOperation = {
  Submit: 'submit',
  SubmitFrom: 'submit-from',
  Suspend: 'suspend',
  Resubmit: 'resubmit',
  Retry: 'retry',
  Resume: 'resume',
  Terminate: 'terminate',
  Stop: 'stop',
} as const;
export type ArgoWorkflowOperation =
  (typeof ArgoWorkflowOperation)[keyof typeof ArgoWorkflowOperation];

/** Every trigger type of Argo's TriggerTemplate, by its field name. */
export const TriggerType = {
  K8s: 'k8s',
  ArgoWorkflow: 'argoWorkflow',
  HTTP: 'http',
  Log: 'log',
  AWSLambda: 'awsLambda',
  AzureEventHubs: 'azureEventHubs',
  AzureServiceBus: 'azureServiceBus',
  Custom: 'custom',
  Email: 'email',
  Kafka: 'kafka',
  NATS: 'nats',
  OpenWhisk: 'openWhisk',
  Pulsar: 'pulsar',
  Slack: 'slack',
} as const;
export type TriggerType = (typeof TriggerType)[keyof typeof TriggerType];

/** Where a trigger parameter takes its value from. */
export interface TriggerParameterSource {
  dependencyName: string;
  /** gjson path into the event's context (`id`, `source`, `subject`, `type`, ...). */
  contextKey?: string;
  contextTemplate?: string;
  /** gjson path into the event's payload (for webhooks `{header, body, metadata}`). */
  dataKey?: string;
  dataTemplate?: string;
  /** The default, used when the key is not in the payload (or the dependency has no event). */
  value?: string;
  /** Insert a number, boolean, object or array as itself rather than as its text. */
  useRawData?: boolean;
}

/** One parameter: a value from an event, set at `dest` (an sjson path). */
export interface TriggerParameter {
  src?: TriggerParameterSource;
  dest: string;
  operation?: TriggerParameterOperation;
}

/** Where a trigger's resource comes from; Plinth reads `resource` and `inline`. */
export interface ArtifactLocation {
  resource?: Record<string, unknown>;
  inline?: string;
  [kind: string]: unknown;
}

/** The `k8s` trigger: create (update, patch, delete) a Kubernetes object. */
export interface StandardK8STrigger {
  source?: ArtifactLocation;
  operation?: KubernetesResourceOperation;
  /** Resource parameters: `dest` paths into the resource. */
  parameters?: TriggerParameter[];
  patchStrategy?: string;
  liveObject?: boolean;
}

/** The `argoWorkflow` trigger: submit (or act on) an Argo Workflow. */
export interface ArgoWorkflowTrigger {
  source?: ArtifactLocation;
  operation?: ArgoWorkflowOperation;
  /** Resource parameters: `dest` paths into the resource. */
  parameters?: TriggerParameter[];
  args?: string[];
}

export interface TriggerTemplate {
  name: string;
  /** Dependency names joined with `&&`, `||` and parentheses; without it, all dependencies. */
  conditions?: string;
  conditionsReset?: ConditionsResetCriteria[];
  k8s?: StandardK8STrigger;
  argoWorkflow?: ArgoWorkflowTrigger;
  http?: Record<string, unknown>;
  log?: Record<string, unknown>;
  [type: string]: unknown;
}

export interface Backoff {
  duration?: string | number;
  factor?: string | number;
  jitter?: string | number;
  steps?: number;
}

export interface Trigger {
  template: TriggerTemplate;
  /** Template parameters: `dest` paths into the trigger template itself (e.g. `k8s.source.resource.spec...`). */
  parameters?: TriggerParameter[];
  policy?: Record<string, unknown>;
  retryStrategy?: Backoff;
  rateLimit?: { unit?: string; requestsPerUnit?: number };
  atLeastOnce?: boolean;
  /** Fired, with the same events, when this trigger still fails after its retries. */
  dlqTrigger?: Trigger;
  [key: string]: unknown;
}

/** How filters of one kind (or the kinds of a dependency) combine, spelled as Argo does; empty means and. */
export const LogicalOperator = { Empty: '', And: 'and', Or: 'or' } as const;
export type LogicalOperator = (typeof LogicalOperator)[keyof typeof LogicalOperator];

/** A data filter's comparator, spelled as Argo does; empty means `=`. */
export const Comparator = {
  Empty: '',
  GreaterThanOrEqualTo: '>=',
  GreaterThan: '>',
  EqualTo: '=',
  NotEqualTo: '!=',
  LessThan: '<',
  LessThanOrEqualTo: '<=',
} as const;
export type Comparator = (typeof Comparator)[keyof typeof Comparator];

/** The type a data filter reads the value at its path as. */
export const JSONType = { Bool: 'bool', Number: 'number', String: 'string' } as const;
export type JSONType = (typeof JSONType)[keyof typeof JSONType];

/** Passes when the value at `path` (gjson, in the payload) compares to any of `value`. */
export interface DataFilter {
  path: string;
  type: JSONType;
  /** For strings, regular expressions (unanchored, as Go's regexp.Match). */
  value: string[];
  comparator?: Comparator;
  /** A Go template applied to the value (as `.Input`) before comparing. */
  template?: string;
}

/** Passes when `expr` (govaluate) is true, its names bound to gjson paths of the payload. */
export interface ExprFilter {
  expr: string;
  fields: { name: string; path: string }[];
}

/** Passes when the event's time of day is in [start, stop) (`HH:MM:SS`, UTC or `timezone`), across midnight when stop < start. */
export interface TimeFilter {
  start: string;
  stop: string;
  timezone?: string;
}

/** Passes when each field given equals the event's CloudEvent attribute. */
export interface EventContextFilter {
  type?: string;
  subject?: string;
  source?: string;
  datacontenttype?: string;
  [key: string]: unknown;
}

/** A dependency's filters, as Argo's EventDependencyFilter. */
export interface EventDependencyFilter {
  time?: TimeFilter;
  context?: EventContextFilter;
  data?: DataFilter[];
  exprs?: ExprFilter[];
  dataLogicalOperator?: LogicalOperator;
  exprLogicalOperator?: LogicalOperator;
  /** Lua: the payload as the table `event`; passes when the script returns true. */
  script?: string;
}

/** When a trigger forgets the dependencies it has received without firing. */
export interface ConditionsResetCriteria {
  byTime?: { cron: string; timezone?: string };
}

export interface EventDependency {
  name: string;
  /** Matches the CloudEvent's `source`. */
  eventSourceName: string;
  /** Matches the CloudEvent's `subject`. */
  eventName: string;
  filters?: EventDependencyFilter;
  filtersLogicalOperator?: LogicalOperator;
  /** Rewrites the event's payload before the filters see it. */
  transform?: EventDependencyTransformer;
  [key: string]: unknown;
}

/** A dependency's transform: `jq`, or else a Lua `script` returning the new payload table. */
export interface EventDependencyTransformer {
  jq?: string;
  script?: string;
}

export interface SensorSpec {
  eventBusName?: string;
  template?: Record<string, unknown>;
  dependencies: EventDependency[];
  triggers: Trigger[];
  [key: string]: unknown;
}

export interface Sensor {
  apiVersion: 'argoproj.io/v1alpha1';
  kind: 'Sensor';
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  spec: SensorSpec;
}
