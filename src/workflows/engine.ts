import type { Parameter, Workflow, WorkflowTemplate } from './model/types.js';
import type { ResubmitOptions, RetryOptions } from './operations.js';

export type { ResubmitOptions, RetryOptions } from './operations.js';

/** Options when submitting a Workflow. */
export interface SubmitOptions {
  /** `-p NAME=VALUE`: overrides `spec.arguments.parameters`. */
  parameters?: Record<string, string>;
  /** Extra labels to set on the Workflow. */
  labels?: Record<string, string>;
  /** Idempotency: a second submit with the same key returns the first Workflow. */
  idempotencyKey?: string;
}

/** How a waiting suspend node is ended. */
export interface ResumeOptions {
  /** Only nodes whose name or displayName matches (Argo's nodeFieldSelector); default: every suspended node. */
  nodeName?: string;
  /** Who resumed it and why, recorded in the node's message. */
  actor?: string;
  message?: string;
  /** Values for the suspend template's `outputs.parameters` with `valueFrom.supplied`. */
  outputs?: Parameter[];
}

/** A log line of one node, as the engine serves it. */
export interface NodeLogLine {
  seq: number;
  nodeId: string;
  /** The node's display name, for people. */
  podName: string;
  stream: 'stdout' | 'stderr';
  time: string;
  text: string;
}

export interface LogQuery {
  nodeId?: string;
  afterSeq?: number;
  /** Keep yielding new lines until the workflow is done. */
  follow?: boolean;
}

/**
 * Called with the Workflow after every change of its phase or any node's phase.
 * The object is shared and valid during the call: copy what you keep, change nothing.
 */
export type WorkflowListener = (workflow: Workflow) => void;

/** Where WorkflowTemplates are looked up by `templateRef` and `workflowTemplateRef`. */
export interface TemplateRegistry {
  get(namespace: string, name: string): WorkflowTemplate | undefined;
  set(template: WorkflowTemplate): void;
  list(): WorkflowTemplate[];
}

/**
 * Plinth's Argo Workflows engine: runs Workflows with steps as host processes,
 * persisting every node's state so that work waiting (for approval) survives
 * a restart.
 */
export interface WorkflowEngine {
  readonly templates: TemplateRegistry;
  /** Validates, stores and starts a Workflow. Throws ManifestError (with the missing template's name) for invalid ones. */
  submit(workflow: Workflow, options?: SubmitOptions): Promise<Workflow>;
  get(namespace: string, name: string): Promise<Workflow | undefined>;
  getByUid(uid: string): Promise<Workflow | undefined>;
  list(filter?: {
    namespace?: string;
    labels?: Record<string, string>;
    limit?: number;
  }): Promise<Workflow[]>;
  /** Resumes suspended nodes: they succeed; ends a Workflow-level suspend too. Throws ConflictError (NOT_WAITING) when there is nothing to resume. */
  resume(namespace: string, name: string, options?: ResumeOptions): Promise<Workflow>;
  /** Ends suspended nodes as Failed (a rejected approval). Throws when none waits. */
  reject(namespace: string, name: string, options?: ResumeOptions): Promise<Workflow>;
  /** Argo's terminate: running steps end, nothing new starts, exit handlers do not run; `Stopped with strategy 'Terminate'`. */
  terminate(namespace: string, name: string): Promise<Workflow>;
  /** Argo's stop: like terminate, but exit handlers still run; `Stopped with strategy 'Stop'`. */
  stopWorkflow(namespace: string, name: string, options?: { message?: string }): Promise<Workflow>;
  /** Argo's suspend (`spec.suspend: true`): running steps go on, no new step starts until `resume`. Throws ConflictError when finished. */
  suspend(namespace: string, name: string): Promise<Workflow>;
  /** Argo's retry of a Failed or Error Workflow: failed nodes run again, succeeded ones keep their results. */
  retry(namespace: string, name: string, options?: RetryOptions): Promise<Workflow>;
  /** Argo's resubmit: a new Workflow from the old one's spec (`memoized`: reusing its succeeded steps). */
  resubmit(
    namespace: string,
    name: string,
    options?: ResubmitOptions & SubmitOptions,
  ): Promise<Workflow>;
  /** Deletes the Workflow with its nodes and logs, ending whatever still runs. */
  delete(namespace: string, name: string): Promise<void>;
  logs(namespace: string, name: string, query?: LogQuery): AsyncIterable<NodeLogLine>;
  /** Subscribes to changes; returns the unsubscribe function. */
  onChange(listener: WorkflowListener): () => void;
  /** Picks up Workflows left running by an earlier process. */
  start(): Promise<void>;
  /** Resolves when no node is running or ready to run (suspended ones may wait). */
  waitUntilIdle(): Promise<void>;
  /** Stops running processes (their nodes are recovered on the next start) and closes. */
  stop(): Promise<void>;
}
