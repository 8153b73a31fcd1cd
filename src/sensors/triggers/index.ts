import { TriggerType, type TriggerTemplate } from '../types.js';
import { argoWorkflowTrigger } from './argo-workflow.js';
import { httpTrigger } from './http.js';
import { k8sTrigger } from './k8s.js';
import { logTrigger } from './log.js';
import type { Trigger } from './trigger.js';

export type { Trigger, TriggerExecution, TriggerWorkflows, SensorRef } from './trigger.js';
export {
  createSecretResolver,
  type SecretResolver,
  type SecretRef,
  type SecretResolverOptions,
} from './secrets.js';
export {
  createTriggerRunner,
  type TriggerRunner,
  type TriggerRunnerDeps,
  type TriggerRunRequest,
} from './run.js';
export { RateLimitUnit } from './rate-limit.js';
export { HttpRequestPlan, type HttpResult, type HttpTriggerSpec } from './http.js';
export { LogPlan } from './log.js';
export { WorkflowAction } from './workflow-resource.js';

/** The trigger types Plinth runs, by their field in the trigger template. */
const runnable: ReadonlyMap<TriggerType, Trigger> = new Map<TriggerType, Trigger>([
  [TriggerType.K8s, k8sTrigger as Trigger],
  [TriggerType.ArgoWorkflow, argoWorkflowTrigger as Trigger],
  [TriggerType.HTTP, httpTrigger as Trigger],
  [TriggerType.Log, logTrigger as Trigger],
]);

/** What Plinth runs now, for error messages. */
export const runnableTriggersText =
  'k8s (Argo Workflow objects), argoWorkflow (submit and the other Workflow operations), http and log';

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
