import { ManifestError } from '../../errors/index.js';
import type { Workflow } from '../../workflows/index.js';
import { applyParams } from '../parameters/resolve.js';
import { KubernetesResourceOperation, TriggerType } from '../types.js';
import type { Trigger, TriggerExecution } from './trigger.js';
import { runWorkflowAction } from './workflow-ops.js';
import {
  describeResource,
  finishWorkflow,
  isWorkflowResource,
  sourceResource,
  WorkflowAction,
  workflowTarget,
  type JsonObject,
} from './workflow-resource.js';

const operations: readonly string[] = Object.values(KubernetesResourceOperation);

const supported = `Plinth runs a k8s trigger whose source.resource is an Argo Workflow (apiVersion argoproj.io/v1alpha1, kind Workflow), with operation create, update, patch or delete`;

const patchable =
  'a patch of an existing Workflow may set spec.shutdown (Terminate or Stop) or spec.suspend (true or false)';

/** Which engine operation a patch of an existing Workflow means, by the fields Argo's controller acts on. */
function patchOperation(spec: unknown): string | undefined {
  if (typeof spec !== 'object' || spec === null) return undefined;
  const { shutdown, suspend } = spec as { shutdown?: unknown; suspend?: unknown };
  if (shutdown === 'Terminate') return 'terminate';
  if (shutdown === 'Stop') return 'stopWorkflow';
  if (suspend === true) return 'suspend';
  if (suspend === false) return 'resume';
  return undefined;
}

async function updateOrPatch(
  action: WorkflowAction,
  execution: TriggerExecution,
): Promise<Workflow | null> {
  const { workflows, idempotencyKey, labels } = execution;
  const current = workflows.get ? await workflows.get(action.namespace, action.name) : undefined;
  if (current === undefined) {
    // Argo creates the object when there is none to update or patch.
    return workflows.submit(action.resource as unknown as Workflow, { idempotencyKey, labels });
  }
  const op = action.operation === 'patch' ? patchOperation(action.resource.spec) : undefined;
  if (op === undefined) {
    throw new ManifestError(
      `workflow ${action.namespace}/${action.name} exists and Plinth's engine does not change a Workflow's spec; ${patchable}`,
    );
  }
  return runWorkflowAction(
    new WorkflowAction(op, action.namespace, action.name, action.resource),
    execution,
  );
}

/**
 * The `k8s` trigger for Argo Workflow objects on Plinth's engine: create
 * submits the Workflow; update and patch create it when absent (as Argo
 * does), and a patch of an existing one that sets spec.shutdown or
 * spec.suspend stops, terminates, suspends or resumes it; delete removes it
 * (nothing when absent).
 */
export const k8sTrigger: Trigger<Workflow | WorkflowAction> = {
  type: TriggerType.K8s,
  idempotent: true,
  resolve(template, events, sensor) {
    const where = `trigger "${template.name}" (k8s)`;
    const spec = template.k8s ?? {};
    const operation = spec.operation || KubernetesResourceOperation.Create;
    const source = sourceResource(spec.source, where);
    if (!operations.includes(operation) || !isWorkflowResource(source)) {
      throw new ManifestError(
        `${where}: ${supported}; this one would ${operation} a ${describeResource(source)}`,
      );
    }
    const resolved = applyParams(source, spec.parameters, events);
    const workflow = finishWorkflow(resolved, where, sensor);
    if (operation === KubernetesResourceOperation.Create) return workflow;
    const target = workflowTarget(workflow as unknown as JsonObject, where, operation, sensor);
    return new WorkflowAction(
      operation,
      target.namespace,
      target.name,
      workflow as unknown as Record<string, unknown>,
    );
  },
  execute(resource, execution) {
    if (!(resource instanceof WorkflowAction)) {
      const { workflows, idempotencyKey, labels } = execution;
      return workflows.submit(resource, { idempotencyKey, labels });
    }
    if (resource.operation === KubernetesResourceOperation.Delete)
      return runWorkflowAction(resource, execution);
    return updateOrPatch(resource, execution);
  },
};
