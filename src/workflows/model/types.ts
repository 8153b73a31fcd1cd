/**
 * Argo Workflows' resource types (argoproj.io/v1alpha1), as far as Plinth
 * reads them. Field names and spellings are Argo's; fields Plinth does not
 * interpret are kept as they are (the index signatures) so nothing is lost
 * when a manifest is stored, rendered or returned.
 */

/** Workflow phases, spelled as Argo does ('' until the controller first sees it). */
export const WorkflowPhase = {
  Unknown: '',
  Pending: 'Pending',
  Running: 'Running',
  Succeeded: 'Succeeded',
  Failed: 'Failed',
  Error: 'Error',
} as const;
export type WorkflowPhase = (typeof WorkflowPhase)[keyof typeof WorkflowPhase];

/** Node phases, spelled as Argo does. */
export const NodePhase = {
  Pending: 'Pending',
  Running: 'Running',
  Succeeded: 'Succeeded',
  Skipped: 'Skipped',
  Failed: 'Failed',
  Error: 'Error',
  Omitted: 'Omitted',
} as const;
export type NodePhase = (typeof NodePhase)[keyof typeof NodePhase];

/** Node types, spelled as Argo does. */
export const NodeType = {
  Pod: 'Pod',
  Container: 'Container',
  Steps: 'Steps',
  StepGroup: 'StepGroup',
  DAG: 'DAG',
  TaskGroup: 'TaskGroup',
  Retry: 'Retry',
  Skipped: 'Skipped',
  Suspend: 'Suspend',
  HTTP: 'HTTP',
  Plugin: 'Plugin',
} as const;
export type NodeType = (typeof NodeType)[keyof typeof NodeType];

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  creationTimestamp?: string;
  [key: string]: unknown;
}

export interface ValueFrom {
  path?: string;
  expression?: string;
  default?: string;
  supplied?: Record<string, never>;
  parameter?: string;
  jsonPath?: string;
  jqFilter?: string;
  event?: string;
  configMapKeyRef?: { name: string; key: string; optional?: boolean };
  [key: string]: unknown;
}

export interface Parameter {
  name: string;
  value?: string;
  default?: string;
  valueFrom?: ValueFrom;
  enum?: string[];
  description?: string;
  globalName?: string;
}

export interface Artifact {
  name: string;
  path?: string;
  from?: string;
  fromExpression?: string;
  optional?: boolean;
  globalName?: string;
  raw?: { data: string };
  http?: { url: string; headers?: { name: string; value: string }[] };
  /** Plinth's local artifact repository: the key under `<dataDir>/artifacts`. */
  local?: { key: string };
  /** `{tar: {}}` (the default) or `{none: {}}` to keep the file or directory as it is. */
  archive?: { tar?: { compressionLevel?: number }; none?: Record<string, never> };
  /** The file mode an input artifact is given. */
  mode?: number;
  [key: string]: unknown;
}

export interface Arguments {
  parameters?: Parameter[];
  artifacts?: Artifact[];
}

export interface Inputs {
  parameters?: Parameter[];
  artifacts?: Artifact[];
}

export interface Outputs {
  parameters?: Parameter[];
  artifacts?: Artifact[];
  result?: string;
  exitCode?: string;
}

export interface TemplateRef {
  name: string;
  template: string;
  clusterScope?: boolean;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: Record<string, unknown>;
}

export interface Container {
  name?: string;
  image?: string;
  command?: string[];
  args?: string[];
  workingDir?: string;
  env?: EnvVar[];
  /** `FallbackToLogsOnError`: a failed step's message ends with the tail of its logs, as Kubernetes does. */
  terminationMessagePolicy?: 'File' | 'FallbackToLogsOnError';
  [key: string]: unknown;
}

export interface ScriptTemplate extends Container {
  source: string;
}

export interface WorkflowStep {
  name: string;
  template?: string;
  templateRef?: TemplateRef;
  arguments?: Arguments;
  when?: string;
  withItems?: unknown[];
  withParam?: string;
  withSequence?: {
    count?: string | number;
    start?: string | number;
    end?: string | number;
    format?: string;
  };
  continueOn?: { error?: boolean; failed?: boolean };
  onExit?: string;
  hooks?: Record<string, LifecycleHook>;
  inline?: Template;
  [key: string]: unknown;
}

/** A lifecycle hook: `exit`, or any name with an `expression` that triggers it. */
export interface LifecycleHook {
  template?: string;
  templateRef?: TemplateRef;
  arguments?: Arguments;
  expression?: string;
}

export interface DAGTask extends WorkflowStep {
  dependencies?: string[];
  depends?: string;
}

export interface DAGTemplate {
  tasks: DAGTask[];
  target?: string;
  failFast?: boolean;
}

export interface SuspendTemplate {
  duration?: string;
}

export interface RetryStrategy {
  limit?: number | string;
  retryPolicy?: 'Always' | 'OnFailure' | 'OnError' | 'OnTransientError';
  backoff?: { duration?: string; factor?: number | string; maxDuration?: string; cap?: string };
  expression?: string;
  [key: string]: unknown;
}

/** A semaphore's limit, read from a ConfigMap key (files `<dataDir>/config/<name>/<key>` here). */
export interface SemaphoreRef {
  configMapKeyRef?: { name: string; key: string; optional?: boolean };
  namespace?: string;
  [key: string]: unknown;
}

/** A named mutex; `namespace` defaults to the Workflow's. */
export interface MutexRef {
  name: string;
  namespace?: string;
  [key: string]: unknown;
}

/** `synchronization` of a Workflow or template (the singular fields are deprecated). */
export interface Synchronization {
  semaphore?: SemaphoreRef;
  semaphores?: SemaphoreRef[];
  mutex?: MutexRef;
  mutexes?: MutexRef[];
}

/** `memoize` of a template: outputs cached by key for `maxAge` (a Go duration). */
export interface Memoize {
  key: string;
  maxAge?: string;
  cache?: { configMap?: { name: string; key?: string } };
}

/** One container of a `containerSet`, run after the ones it depends on. */
export interface ContainerNode extends Container {
  name: string;
  dependencies?: string[];
}

export interface ContainerSetTemplate {
  containers: ContainerNode[];
  volumeMounts?: unknown[];
  retryStrategy?: { retries?: number | string; duration?: string };
}

/** A `resource` template: an action on a Kubernetes object (here: Argo Workflows only). */
export interface ResourceTemplate {
  action: string;
  manifest?: string;
  manifestFrom?: Record<string, unknown>;
  successCondition?: string;
  failureCondition?: string;
  setOwnerReference?: boolean;
  mergeStrategy?: string;
  flags?: string[];
  [key: string]: unknown;
}

export interface Template {
  name: string;
  inputs?: Inputs;
  outputs?: Outputs;
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  container?: Container;
  script?: ScriptTemplate;
  steps?: WorkflowStep[][];
  dag?: DAGTemplate;
  suspend?: SuspendTemplate;
  resource?: ResourceTemplate;
  http?: Record<string, unknown>;
  containerSet?: ContainerSetTemplate;
  data?: Record<string, unknown>;
  retryStrategy?: RetryStrategy;
  synchronization?: Synchronization;
  memoize?: Memoize;
  activeDeadlineSeconds?: number | string;
  timeout?: string;
  parallelism?: number;
  failFast?: boolean;
  /** A daemon: done for its siblings once its process runs (and is ready), ended with its scope. */
  daemon?: boolean;
  [key: string]: unknown;
}

/** What Argo remembers of how a node came to be: run by a hook or exit handler, or as a retry. */
export interface NodeFlag {
  hooked?: boolean;
  retried?: boolean;
}

export interface WorkflowSpec {
  entrypoint?: string;
  arguments?: Arguments;
  templates?: Template[];
  workflowTemplateRef?: { name: string; clusterScope?: boolean };
  onExit?: string;
  hooks?: Record<string, LifecycleHook>;
  parallelism?: number;
  activeDeadlineSeconds?: number;
  serviceAccountName?: string;
  synchronization?: Synchronization;
  [key: string]: unknown;
}

export interface NodeStatus {
  id: string;
  name: string;
  displayName: string;
  type: NodeType;
  templateName?: string;
  templateRef?: TemplateRef;
  templateScope?: string;
  phase: NodePhase;
  boundaryID?: string;
  message?: string;
  startedAt?: string;
  finishedAt?: string;
  progress?: string;
  inputs?: Inputs;
  outputs?: Outputs;
  children?: string[];
  outboundNodes?: string[];
  hostNodeName?: string;
  nodeFlag?: NodeFlag;
  /** Set on a daemon's node (and its Retry node) once it runs: it ends with its scope. */
  daemoned?: boolean;
  /** The address of a daemon, `{{steps.X.ip}}`: the host's loopback here. */
  podIP?: string;
  /** Set on a node waiting for a lock: the lock's name. */
  synchronizationStatus?: { waiting: string };
  memoizationStatus?: { hit: boolean; key: string; cacheName: string };
  [key: string]: unknown;
}

export interface WorkflowStatus {
  phase: WorkflowPhase;
  startedAt?: string;
  finishedAt?: string;
  message?: string;
  progress?: string;
  nodes?: Record<string, NodeStatus>;
  outputs?: Outputs;
  storedTemplates?: Record<string, Template>;
  synchronization?: SynchronizationStatus;
  [key: string]: unknown;
}

/** Locks held and waited for by a Workflow and its nodes, as Argo reports them. */
export interface SynchronizationStatus {
  semaphore?: {
    holding?: { semaphore: string; holders: string[] }[];
    waiting?: { semaphore: string; holders: string[] }[];
  };
  mutex?: {
    holding?: { mutex: string; holder: string }[];
    waiting?: { mutex: string; holder: string }[];
  };
}

export interface Workflow {
  apiVersion: 'argoproj.io/v1alpha1';
  kind: 'Workflow';
  metadata: ObjectMeta;
  spec: WorkflowSpec;
  status?: WorkflowStatus;
}

export interface WorkflowTemplate {
  apiVersion: 'argoproj.io/v1alpha1';
  kind: 'WorkflowTemplate' | 'ClusterWorkflowTemplate';
  metadata: ObjectMeta;
  spec: WorkflowSpec;
}
