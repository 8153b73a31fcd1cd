import type { Workflow, WorkflowEngine } from '../../workflows/index.js';
import type { EventsByDependency } from '../parameters/resolve.js';
import type { TriggerTemplate, TriggerType } from '../types.js';

/** The sensor a trigger belongs to. */
export interface SensorRef {
  name: string;
  namespace: string;
}

/** What executing a trigger needs from the platform. */
export interface TriggerExecution {
  workflows: Pick<WorkflowEngine, 'submit'>;
  /** The same key for the same trigger and events, so a redelivered event creates nothing new. */
  idempotencyKey: string;
  /** Labels Argo puts on what a trigger creates (`events.argoproj.io/sensor`, `.../trigger`, ...). */
  labels: Record<string, string>;
}

/**
 * One trigger type. `resolve` is pure (it builds the resource from the
 * template and the events, for `plinth sensor test` as for the controller);
 * `execute` acts on it.
 */
export interface Trigger<R = unknown> {
  readonly type: TriggerType;
  /** Throws ManifestError for a shape Plinth cannot run, InputError for a parameter the events cannot resolve. */
  resolve(template: TriggerTemplate, events: EventsByDependency, sensor: SensorRef): R;
  execute(resource: R, execution: TriggerExecution): Promise<Workflow>;
}
