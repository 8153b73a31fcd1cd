import { ManifestError } from '../../errors/index.js';
import type { Workflow } from '../../workflows/index.js';
import { applyParams } from '../parameters/resolve.js';
import { ArgoWorkflowOperation, TriggerType } from '../types.js';
import type { Trigger } from './trigger.js';
import { applySubmitArgs } from './submit-args.js';
import { runWorkflowAction } from './workflow-ops.js';
import {
  describeResource,
  finishWorkflow,
  isWorkflowResource,
  sourceResource,
  WorkflowAction,
  workflowTarget,
} from './workflow-resource.js';

const operations: readonly string[] = Object.values(ArgoWorkflowOperation);

const supported =
  'Plinth runs an argoWorkflow trigger on an Argo Workflow (apiVersion argoproj.io/v1alpha1, kind Workflow), or submit-from a WorkflowTemplate';

/** Argo's CLI verbs behind each operation, mapped to the engine's operations. */
const engineOperation: Record<string, string> = {
  [ArgoWorkflowOperation.Resubmit]: 'resubmit',
  [ArgoWorkflowOperation.Resume]: 'resume',
  [ArgoWorkflowOperation.Retry]: 'retry',
  [ArgoWorkflowOperation.Suspend]: 'suspend',
  [ArgoWorkflowOperation.Terminate]: 'terminate',
  [ArgoWorkflowOperation.Stop]: 'stopWorkflow',
};

/**
 * The `argoWorkflow` trigger on Plinth's engine: `submit` a Workflow (its
 * resolved object), `submit-from` a WorkflowTemplate, or `resubmit`,
 * `resume`, `retry`, `suspend`, `terminate`, `stop` the Workflow named by
 * the resolved object's metadata.name.
 */
export const argoWorkflowTrigger: Trigger<Workflow | WorkflowAction> = {
  type: TriggerType.ArgoWorkflow,
  idempotent: true,
  resolve(template, events, sensor) {
    const where = `trigger "${template.name}" (argoWorkflow)`;
    const spec = template.argoWorkflow ?? {};
    const operation = spec.operation || ArgoWorkflowOperation.Submit;
    if (!operations.includes(operation)) {
      throw new ManifestError(
        `${where}: unknown operation type ${operation} (use ${operations.join(', ')})`,
      );
    }
    const source = sourceResource(spec.source, where);
    const resource = applyParams(source, spec.parameters, events) as Record<string, unknown>;
    if (operation === ArgoWorkflowOperation.SubmitFrom) {
      if (resource.apiVersion !== 'argoproj.io/v1alpha1' || resource.kind !== 'WorkflowTemplate') {
        throw new ManifestError(
          `${where}: submit-from runs a WorkflowTemplate (argoproj.io/v1alpha1 WorkflowTemplate); this one is a ${describeResource(resource as never)}`,
        );
      }
      const target = workflowTarget(resource as never, where, operation, sensor);
      const workflow = {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Workflow',
        metadata: {
          generateName: `${target.name}-`,
          namespace: target.namespace,
          labels: { 'workflows.argoproj.io/workflow-template': target.name },
        },
        spec: { workflowTemplateRef: { name: target.name } },
      };
      return finishWorkflow(applySubmitArgs(workflow, spec.args, operation, where), where, sensor);
    }
    if (!isWorkflowResource(resource as never)) {
      throw new ManifestError(
        `${where}: ${supported}; this one would ${operation} a ${describeResource(resource as never)}`,
      );
    }
    if (operation === ArgoWorkflowOperation.Submit)
      return finishWorkflow(
        applySubmitArgs(resource as never, spec.args, operation, where),
        where,
        sensor,
      );
    applySubmitArgs(resource as never, spec.args, operation, where);
    const target = workflowTarget(resource as never, where, operation, sensor);
    return new WorkflowAction(
      engineOperation[operation] ?? operation,
      target.namespace,
      target.name,
      resource,
    );
  },
  execute(resource, execution) {
    if (resource instanceof WorkflowAction) return runWorkflowAction(resource, execution);
    const { workflows, idempotencyKey, labels } = execution;
    return workflows.submit(resource, { idempotencyKey, labels });
  },
};
