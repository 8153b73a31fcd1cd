import { TriggerType, type TriggerTemplate } from '../types.js';
import { argoWorkflowTrigger } from './argo-workflow.js';
import { k8sTrigger } from './k8s.js';
import type { Trigger } from './trigger.js';

export type { Trigger, TriggerExecution, SensorRef } from './trigger.js';

/** The trigger types Plinth runs, by their field in the trigger template. */
const runnable: ReadonlyMap<TriggerType, Trigger> = new Map<TriggerType, Trigger>([
  [TriggerType.K8s, k8sTrigger as Trigger],
  [TriggerType.ArgoWorkflow, argoWorkflowTrigger as Trigger],
]);

/** What Plinth runs now, for error messages. */
export const runnableTriggersText =
  'k8s (create an Argo Workflow) and argoWorkflow (submit an Argo Workflow)';

/** The trigger types a template sets (Argo expects exactly one). */
export function templateTriggerTypes(template: TriggerTemplate): TriggerType[] {
  return Object.values(TriggerType).filter(
    (type) => template[type] !== undefined && template[type] !== null,
  );
}

/** The implementation of a template's trigger type, or undefined when Plinth cannot run it yet. */
export function triggerFor(template: TriggerTemplate): Trigger | undefined {
  const [type] = templateTriggerTypes(template);
  return type === undefined ? undefined : runnable.get(type);
}

export function isRunnableTriggerType(type: TriggerType): boolean {
  return runnable.has(type);
}
