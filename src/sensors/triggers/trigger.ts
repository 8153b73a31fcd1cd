import type { Logger } from '../../logging/index.js';
import type { SubmitOptions, Workflow } from '../../workflows/index.js';
import type { EventsByDependency } from '../parameters/resolve.js';
import type { TriggerTemplate, TriggerType } from '../types.js';
import type { SecretResolver } from './secrets.js';

/** The sensor a trigger belongs to. */
export interface SensorRef {
  name: string;
  namespace: string;
}

/**
 * What triggers need of the workflow engine. `submit` is required; the other
 * operations are used when the engine offers them (an argoWorkflow or k8s
 * trigger asking for a missing one fails with an error naming it).
 */
export interface TriggerWorkflows {
  submit(workflow: Workflow, options?: SubmitOptions): Promise<Workflow>;
  get?(namespace: string, name: string): Promise<Workflow | undefined>;
  resume?(namespace: string, name: string): Promise<Workflow>;
  terminate?(namespace: string, name: string): Promise<Workflow>;
  suspend?(namespace: string, name: string): Promise<Workflow>;
  retry?(namespace: string, name: string): Promise<Workflow>;
  resubmit?(namespace: string, name: string, options?: SubmitOptions): Promise<Workflow>;
  /** Argo's `stop` (exit handlers still run); not the engine's own shutdown. */
  stopWorkflow?(namespace: string, name: string): Promise<Workflow>;
  delete?(namespace: string, name: string): Promise<void>;
}

/** What executing a trigger needs from the platform. */
export interface TriggerExecution {
  workflows: TriggerWorkflows;
  /** The same key for the same trigger and events, so a redelivered event creates nothing new. */
  idempotencyKey: string;
  /** Labels Argo puts on what a trigger creates (`events.argoproj.io/sensor`, `.../trigger`, ...). */
  labels: Record<string, string>;
  /** Secrets for http triggers' secureHeaders, basicAuth and TLS. */
  secrets?: SecretResolver;
  logger?: Pick<Logger, 'info' | 'warn'>;
  /** Per-trigger memory across firings (the log trigger's last log time). */
  memory?: Map<string, unknown>;
  now?: () => number;
}

/**
 * One trigger type. `resolve` is pure (it builds the resource from the
 * template and the events, for `plinth sensor test` as for the controller);
 * `execute` acts on it and returns what it created or changed (null when
 * nothing).
 */
export interface Trigger<R = unknown> {
  readonly type: TriggerType;
  /**
   * True when executing it again with the same idempotency key changes
   * nothing (the engine deduplicates), so the sensor need not record firings.
   */
  readonly idempotent?: boolean;
  /** Throws ManifestError for a shape Plinth cannot run, InputError for a parameter the events cannot resolve. */
  resolve(template: TriggerTemplate, events: EventsByDependency, sensor: SensorRef): R;
  execute(resource: R, execution: TriggerExecution): Promise<unknown>;
  /** Judges what `execute` returned by the trigger's `policy`; throws when it counts as a failure. */
  applyPolicy?(result: unknown, policy: Record<string, unknown> | undefined): void;
}
