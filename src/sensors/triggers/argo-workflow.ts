import { ManifestError } from '../../errors/index.js';
import { applyParams } from '../parameters/resolve.js';
import { ArgoWorkflowOperation, TriggerType } from '../types.js';
import type { Trigger } from './trigger.js';
import {
  describeResource,
  finishWorkflow,
  isWorkflowResource,
  sourceResource,
} from './workflow-resource.js';
import type { Workflow } from '../../workflows/index.js';

const supported = `Plinth runs an argoWorkflow trigger with operation submit of an Argo Workflow (apiVersion argoproj.io/v1alpha1, kind Workflow)`;

/** The `argoWorkflow` trigger, for what Plinth runs: `submit`, to Plinth's engine. */
export const argoWorkflowTrigger: Trigger<Workflow> = {
  type: TriggerType.ArgoWorkflow,
  resolve(template, events, sensor) {
    const where = `trigger "${template.name}" (argoWorkflow)`;
    const spec = template.argoWorkflow ?? {};
    const operation = spec.operation || ArgoWorkflowOperation.Submit;
    const resource = sourceResource(spec.source, where);
    if (operation !== ArgoWorkflowOperation.Submit || !isWorkflowResource(resource)) {
      throw new ManifestError(
        `${where}: ${supported}; this one would ${operation} a ${describeResource(resource)}`,
      );
    }
    return finishWorkflow(applyParams(resource, spec.parameters, events), where, sensor);
  },
  execute(workflow, { workflows, idempotencyKey, labels }) {
    return workflows.submit(workflow, { idempotencyKey, labels });
  },
};
