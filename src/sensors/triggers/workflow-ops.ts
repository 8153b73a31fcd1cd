import { NotFoundError, PlinthError } from '../../errors/index.js';
import type { Workflow } from '../../workflows/index.js';
import type { TriggerExecution, TriggerWorkflows } from './trigger.js';
import type { WorkflowAction } from './workflow-resource.js';

type Operation = 'resume' | 'terminate' | 'suspend' | 'retry' | 'resubmit' | 'stopWorkflow';

function missingOperation(operation: string): PlinthError {
  return new PlinthError(
    'INTERNAL',
    `Plinth's workflow engine cannot ${operation} a Workflow yet (the trigger needs the engine's ${operation} operation)`,
    { retryable: false },
  );
}

async function existing(workflows: TriggerWorkflows, action: WorkflowAction): Promise<Workflow> {
  const found = await workflows.get?.(action.namespace, action.name);
  if (!found) throw new NotFoundError(`workflow ${action.namespace}/${action.name} not found`);
  return found;
}

/** Resubmits as Argo does: a new Workflow from the old one's spec, named after it. */
async function resubmit(action: WorkflowAction, execution: TriggerExecution): Promise<Workflow> {
  const { workflows, idempotencyKey, labels } = execution;
  if (workflows.resubmit)
    return workflows.resubmit(action.namespace, action.name, { idempotencyKey, labels });
  if (!workflows.get) throw missingOperation('resubmit');
  const old = await existing(workflows, action);
  const copy: Workflow = {
    apiVersion: old.apiVersion,
    kind: old.kind,
    metadata: {
      generateName: `${action.name}-`,
      namespace: action.namespace,
      labels: {
        ...(old.metadata.labels ?? {}),
        'workflows.argoproj.io/resubmitted-from-workflow': action.name,
      },
    },
    spec: structuredClone(old.spec),
  };
  return workflows.submit(copy, { idempotencyKey, labels });
}

/** Runs an operation on an existing Workflow with the engine. */
export async function runWorkflowAction(
  action: WorkflowAction,
  execution: TriggerExecution,
): Promise<Workflow | null> {
  const { workflows } = execution;
  const op = action.operation as Operation | 'delete';
  switch (op) {
    case 'resubmit':
      return resubmit(action, execution);
    case 'delete': {
      if (!workflows.delete) throw missingOperation('delete');
      if (workflows.get && !(await workflows.get(action.namespace, action.name))) return null;
      await workflows.delete(action.namespace, action.name);
      return null;
    }
    default: {
      const fn = workflows[op];
      if (typeof fn !== 'function') throw missingOperation(op === 'stopWorkflow' ? 'stop' : op);
      return fn.call(workflows, action.namespace, action.name);
    }
  }
}
