import { describe, it, expect } from 'vitest';
import { ConflictError } from '../../errors/index.js';
import type { SubmitOptions, Workflow } from '../../workflows/index.js';
import { toSensorEvent } from '../events.js';
import { webhookEvent } from '../testing/fixtures.js';
import type { TriggerTemplate } from '../types.js';
import { argoWorkflowTrigger } from './argo-workflow.js';
import { k8sTrigger } from './k8s.js';
import type { TriggerExecution, TriggerWorkflows } from './trigger.js';
import { WorkflowAction } from './workflow-resource.js';

/** Keeps Workflows by name and records each operation, as the engine would apply them. */
class RecordingWorkflows implements TriggerWorkflows {
  readonly calls: string[] = [];
  readonly byName = new Map<string, Workflow>();

  submit(workflow: Workflow, options?: SubmitOptions): Promise<Workflow> {
    const name =
      workflow.metadata.name ?? `${workflow.metadata.generateName ?? ''}${this.byName.size + 1}`;
    const created: Workflow = {
      ...workflow,
      metadata: {
        ...workflow.metadata,
        name,
        labels: { ...workflow.metadata.labels, ...options?.labels },
      },
    };
    this.byName.set(name, created);
    this.calls.push(`submit ${workflow.metadata.namespace ?? ''}/${name}`);
    return Promise.resolve(created);
  }
  get(namespace: string, name: string): Promise<Workflow | undefined> {
    return Promise.resolve(this.byName.get(name));
  }
  private op(verb: string, namespace: string, name: string): Promise<Workflow> {
    this.calls.push(`${verb} ${namespace}/${name}`);
    const wf = this.byName.get(name);
    if (!wf) return Promise.reject(new ConflictError(`workflow ${name} is not there`));
    return Promise.resolve(wf);
  }
  resume(ns: string, name: string) {
    return this.op('resume', ns, name);
  }
  terminate(ns: string, name: string) {
    return this.op('terminate', ns, name);
  }
  suspend(ns: string, name: string) {
    return this.op('suspend', ns, name);
  }
  retry(ns: string, name: string) {
    return this.op('retry', ns, name);
  }
  stopWorkflow(ns: string, name: string) {
    return this.op('stop', ns, name);
  }
  delete(ns: string, name: string): Promise<void> {
    this.calls.push(`delete ${ns}/${name}`);
    this.byName.delete(name);
    return Promise.resolve();
  }
}

const sensor = { name: 's', namespace: 'argo-events' };
const events = new Map([
  ['dep', toSensorEvent(webhookEvent('e1', 'webhook', 'ops', { wf: 'build-1' }))],
]);

const workflowSource = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Workflow',
  metadata: { generateName: 'build-' },
  spec: { entrypoint: 'main', templates: [{ name: 'main', container: { image: 'x' } }] },
};
const nameParam = { src: { dependencyName: 'dep', dataKey: 'body.wf' }, dest: 'metadata.name' };

function execution(workflows: TriggerWorkflows): TriggerExecution {
  return { workflows, idempotencyKey: 'k', labels: { 'events.argoproj.io/sensor': 's' } };
}

function argo(operation: string | undefined, extra: Record<string, unknown> = {}): TriggerTemplate {
  return {
    name: 'wf',
    argoWorkflow: {
      ...(operation ? { operation: operation as never } : {}),
      source: { resource: workflowSource },
      parameters: [nameParam],
      ...extra,
    },
  };
}

describe('argoWorkflow trigger operations', () => {
  it('submits the resolved Workflow with the labels', async () => {
    const workflows = new RecordingWorkflows();
    const wf = argoWorkflowTrigger.resolve(argo(undefined), events, sensor);
    const created = (await argoWorkflowTrigger.execute(wf, execution(workflows))) as Workflow;
    expect(workflows.calls).toEqual(['submit argo-events/build-1']);
    expect(created.metadata.labels).toEqual({ 'events.argoproj.io/sensor': 's' });
  });

  it.each([
    ['resume', 'resume'],
    ['retry', 'retry'],
    ['suspend', 'suspend'],
    ['terminate', 'terminate'],
    ['stop', 'stop'],
  ])('%s acts on the Workflow named by the resolved object', async (operation, verb) => {
    const workflows = new RecordingWorkflows();
    await workflows.submit({
      ...workflowSource,
      metadata: { name: 'build-1', namespace: 'argo-events' },
    } as Workflow);
    const action = argoWorkflowTrigger.resolve(argo(operation), events, sensor);
    expect(action).toBeInstanceOf(WorkflowAction);
    expect(JSON.parse(JSON.stringify(action))).toMatchObject({ metadata: { name: 'build-1' } });
    await argoWorkflowTrigger.execute(action, execution(workflows));
    expect(workflows.calls.at(-1)).toBe(`${verb} argo-events/build-1`);
  });

  it('resubmits as a new Workflow from the old one when the engine has no resubmit', async () => {
    const workflows = new RecordingWorkflows();
    await workflows.submit({
      ...workflowSource,
      metadata: { name: 'build-1', namespace: 'argo-events' },
    } as Workflow);
    const action = argoWorkflowTrigger.resolve(argo('resubmit'), events, sensor);
    const created = (await argoWorkflowTrigger.execute(action, execution(workflows))) as Workflow;
    expect(created.metadata.name).toBe('build-1-2');
    expect(created.metadata.labels?.['workflows.argoproj.io/resubmitted-from-workflow']).toBe(
      'build-1',
    );
    expect(created.spec).toEqual(workflowSource.spec);
  });

  it('needs a name for operations other than submit, as Argo does', () => {
    expect(() =>
      argoWorkflowTrigger.resolve(argo('resume', { parameters: [] }), events, sensor),
    ).toThrow('failed to execute the workflow resume operation, no name is given');
  });

  it('names what the engine lacks', async () => {
    const action = argoWorkflowTrigger.resolve(argo('retry'), events, sensor);
    await expect(
      argoWorkflowTrigger.execute(
        action,
        execution({ submit: () => Promise.reject(new Error('x')) }),
      ),
    ).rejects.toThrow("Plinth's workflow engine cannot retry a Workflow yet");
  });

  it('submits from a WorkflowTemplate, and refuses other kinds and unknown operations', () => {
    const wf = argoWorkflowTrigger.resolve(
      {
        name: 't',
        argoWorkflow: {
          operation: 'submit-from',
          source: {
            resource: {
              apiVersion: 'argoproj.io/v1alpha1',
              kind: 'WorkflowTemplate',
              metadata: { name: 'build' },
            },
          },
        },
      },
      events,
      sensor,
    ) as Workflow;
    expect(wf).toMatchObject({
      kind: 'Workflow',
      metadata: { generateName: 'build-', namespace: 'argo-events' },
      spec: { workflowTemplateRef: { name: 'build' } },
    });
    expect(() =>
      argoWorkflowTrigger.resolve(
        { name: 't', argoWorkflow: { source: { resource: { apiVersion: 'v1', kind: 'Pod' } } } },
        events,
        sensor,
      ),
    ).toThrow('this one would submit a v1 Pod');
    expect(() => argoWorkflowTrigger.resolve(argo('explode'), events, sensor)).toThrow(
      'unknown operation type explode',
    );
  });
});

function k8s(
  operation: string,
  spec: Record<string, unknown> = workflowSource.spec,
): TriggerTemplate {
  return {
    name: 'k',
    k8s: {
      operation: operation as never,
      source: { resource: { ...workflowSource, spec } },
      parameters: [nameParam],
    },
  };
}

describe('k8s trigger operations on Workflows', () => {
  it('creates with create, and with update or patch when the Workflow does not exist', async () => {
    for (const op of ['create', 'update', 'patch']) {
      const workflows = new RecordingWorkflows();
      await k8sTrigger.execute(k8sTrigger.resolve(k8s(op), events, sensor), execution(workflows));
      expect(workflows.calls, op).toEqual(['submit argo-events/build-1']);
    }
  });

  it('patches an existing Workflow by spec.shutdown and spec.suspend', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ shutdown: 'Terminate' }, 'terminate'],
      [{ shutdown: 'Stop' }, 'stop'],
      [{ suspend: true }, 'suspend'],
      [{ suspend: false }, 'resume'],
    ];
    for (const [spec, verb] of cases) {
      const workflows = new RecordingWorkflows();
      await workflows.submit({ ...workflowSource, metadata: { name: 'build-1' } } as Workflow);
      await k8sTrigger.execute(
        k8sTrigger.resolve(k8s('patch', spec), events, sensor),
        execution(workflows),
      );
      expect(workflows.calls.at(-1)).toBe(`${verb} argo-events/build-1`);
    }
  });

  it('refuses to change the spec of an existing Workflow, saying what a patch may do', async () => {
    const workflows = new RecordingWorkflows();
    await workflows.submit({ ...workflowSource, metadata: { name: 'build-1' } } as Workflow);
    await expect(
      k8sTrigger.execute(k8sTrigger.resolve(k8s('update'), events, sensor), execution(workflows)),
    ).rejects.toThrow('may set spec.shutdown (Terminate or Stop) or spec.suspend (true or false)');
  });

  it('deletes an existing Workflow and does nothing for a missing one', async () => {
    const workflows = new RecordingWorkflows();
    expect(
      await k8sTrigger.execute(
        k8sTrigger.resolve(k8s('delete'), events, sensor),
        execution(workflows),
      ),
    ).toBeNull();
    expect(workflows.calls).toEqual([]);
    await workflows.submit({ ...workflowSource, metadata: { name: 'build-1' } } as Workflow);
    await k8sTrigger.execute(
      k8sTrigger.resolve(k8s('delete'), events, sensor),
      execution(workflows),
    );
    expect(workflows.calls.at(-1)).toBe('delete argo-events/build-1');
  });

  it('names the supported shape for any other kind', () => {
    expect(() =>
      k8sTrigger.resolve(
        {
          name: 'k',
          k8s: {
            operation: 'patch',
            source: { resource: { apiVersion: 'apps/v1', kind: 'Deployment' } },
          },
        },
        events,
        sensor,
      ),
    ).toThrow(
      /Argo Workflow .* with operation create, update, patch or delete; this one would patch a apps\/v1 Deployment/,
    );
  });
});
