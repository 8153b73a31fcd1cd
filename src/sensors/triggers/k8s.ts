import { ManifestError } from '../../errors/index.js';
import { applyParams } from '../parameters/resolve.js';
import { KubernetesResourceOperation, TriggerType } from '../types.js';
import type { Trigger } from './trigger.js';
import {
  describeResource,
  finishWorkflow,
  isWorkflowResource,
  sourceResource,
} from './workflow-resource.js';
import type { Workflow } from '../../workflows/index.js';

const supported = `Plinth runs a k8s trigger whose source.resource is an Argo Workflow (apiVersion argoproj.io/v1alpha1, kind Workflow) with operation create`;

/** The `k8s` trigger, for what Plinth runs: creating an Argo Workflow, submitted to Plinth's engine. */
export const k8sTrigger: Trigger<Workflow> = {
  type: TriggerType.K8s,
  resolve(template, events, sensor) {
    const where = `trigger "${template.name}" (k8s)`;
    const spec = template.k8s ?? {};
    const operation = spec.operation || KubernetesResourceOperation.Create;
    const resource = sourceResource(spec.source, where);
    if (operation !== KubernetesResourceOperation.Create || !isWorkflowResource(resource)) {
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
