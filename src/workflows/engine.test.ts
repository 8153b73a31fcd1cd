import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isPlinthError } from '../errors/index.js';
import { createSqliteStore, type Store } from '../store/index.js';
import {
  createTemplateRegistry,
  createWorkflowEngine,
  nodeId,
  parseWorkflow,
  parseWorkflowTemplate,
  runToCompletion,
  type NodeStatus,
  type Workflow,
  type WorkflowEngine,
} from './index.js';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'testdata', name), 'utf8');
const logger = pino({ level: 'silent' });

function byName(wf: Workflow, name: string): NodeStatus {
  const node = Object.values(wf.status?.nodes ?? {}).find((n) => n.name === name);
  if (!node)
    throw new Error(
      `no node ${name} in ${Object.values(wf.status?.nodes ?? {})
        .map((n) => n.name)
        .join(', ')}`,
    );
  return node;
}

async function waitFor(
  engine: WorkflowEngine,
  name: string,
  done: (wf: Workflow) => boolean,
): Promise<Workflow> {
  for (;;) {
    const wf = await engine.get('default', name);
    if (wf && done(wf)) return wf;
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('workflow engine', () => {
  let dir: string;
  let store: Store;
  let engine: WorkflowEngine;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'plinth-wf-'));
    store = await createSqliteStore({ filename: join(dir, 'plinth.db') });
    engine = createWorkflowEngine({
      store,
      logger,
      dataDir: dir,
      stepEnv: { PLINTH_DATA_DIR: dir },
      graceSeconds: 1,
    });
    await engine.start();
  });

  afterEach(async () => {
    await engine.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("ends a failed step's message with its log tail only under FallbackToLogsOnError", async () => {
    const wf = await runToCompletion(engine, parseWorkflow(fixture('termination-message.yaml')));
    expect(wf.status?.phase).toBe('Failed');
    expect(byName(wf, 'termination-message[0].quiet').message).toBe('Error (exit code 2)');
    expect(byName(wf, 'termination-message[0].explained').message).toBe(
      'Error (exit code 1): planning...\nError: Invalid value for variable "region"',
    );
  });

  it('runs a script, with generateName, labels, env and logs', async () => {
    const wf = await runToCompletion(engine, parseWorkflow(fixture('hello.yaml')));
    const name = wf.metadata.name ?? '';
    expect(name).toMatch(/^hello-[a-z0-9]{5}$/);
    expect(wf.metadata.namespace).toBe('default');
    expect(wf.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(wf.metadata.labels).toEqual({ team: 'platform' });
    expect(wf.status?.phase).toBe('Succeeded');
    expect(wf.status?.progress).toBe('1/1');
    expect(wf.status?.startedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const root = wf.status?.nodes?.[name];
    expect(root).toMatchObject({
      id: name,
      name,
      displayName: name,
      type: 'Pod',
      templateName: 'main',
      phase: 'Succeeded',
      inputs: { parameters: [{ name: 'who', value: 'world' }] },
      outputs: { result: `hello world from ${name}`, exitCode: '0' },
    });
    const lines = [];
    for await (const line of engine.logs('default', name)) lines.push(line);
    expect(lines.map((l) => [l.stream, l.text])).toEqual(
      expect.arrayContaining([
        ['stdout', `hello world from ${name}`],
        ['stderr', 'to-stderr'],
      ]),
    );
  });

  it('follows logs until the workflow ends', async () => {
    await engine.submit(
      parseWorkflow(`
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: { name: talker }
spec:
  entrypoint: main
  templates:
    - name: main
      script: { image: alpine, source: "echo a; sleep 0.2; echo b" }
`),
    );
    const texts: string[] = [];
    for await (const line of engine.logs('default', 'talker', { follow: true }))
      texts.push(line.text);
    expect(texts).toEqual(['a', 'b']);
    expect((await engine.get('default', 'talker'))?.status?.phase).toBe('Succeeded');
  });

  it('runs steps in parallel groups and passes results and parameters', async () => {
    const wf = await runToCompletion(engine, parseWorkflow(fixture('steps.yaml')));
    expect(wf.status?.phase).toBe('Succeeded');
    const root = byName(wf, 'steps');
    expect(root).toMatchObject({ id: 'steps', type: 'Steps', phase: 'Succeeded' });
    const g0 = byName(wf, 'steps[0]');
    const g1 = byName(wf, 'steps[1]');
    const a = byName(wf, 'steps[0].a');
    const b = byName(wf, 'steps[0].b');
    const c = byName(wf, 'steps[1].c');
    expect(g0).toMatchObject({
      type: 'StepGroup',
      displayName: '[0]',
      boundaryID: 'steps',
      phase: 'Succeeded',
    });
    expect(a.id).toBe(nodeId('steps', 'steps[0].a'));
    expect(root.children).toEqual([g0.id]);
    expect(g0.children).toEqual([a.id, b.id]);
    expect(a.children).toEqual([g1.id]);
    expect(b.children).toEqual([g1.id]);
    expect(root.outboundNodes).toEqual([c.id]);
    expect(a).toMatchObject({
      type: 'Pod',
      displayName: 'a',
      boundaryID: 'steps',
      templateName: 'emit',
    });
    expect(a.outputs?.parameters).toEqual([
      { name: 'upper', value: 'ONE', globalName: 'last-upper' },
    ]);
    expect(c.outputs?.result).toBe('one+TWO');
    expect(wf.status?.outputs?.parameters?.[0]?.name).toBe('last-upper');
    expect(wf.status?.progress).toBe('3/3');
  });

  it('runs a DAG diamond with task outputs', async () => {
    const wf = await runToCompletion(engine, parseWorkflow(fixture('dag.yaml')));
    expect(wf.status?.phase).toBe('Succeeded');
    const root = byName(wf, 'diamond');
    const [A, B, C, D] = ['A', 'B', 'C', 'D'].map((t) =>
      byName(wf, `diamond.${t}`),
    ) as NodeStatus[];
    expect(root).toMatchObject({
      type: 'DAG',
      phase: 'Succeeded',
      children: [A?.id],
      outboundNodes: [D?.id],
    });
    expect(A?.children?.sort()).toEqual([B?.id, C?.id].sort());
    expect(B?.children).toEqual([D?.id]);
    expect(D).toMatchObject({
      boundaryID: 'diamond',
      displayName: 'D',
      outputs: { result: 'ab-ac' },
    });
  });

  it('runs a Workflow from a WorkflowTemplate and through templateRef', async () => {
    const registry = createTemplateRegistry([parseWorkflowTemplate(fixture('templateref.yaml'))]);
    const eng = createWorkflowEngine({ store, logger, dataDir: dir, templates: registry });
    try {
      const fromRef = await runToCompletion(eng, {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Workflow',
        metadata: { name: 'from-ref' },
        spec: {
          workflowTemplateRef: { name: 'greetings' },
          arguments: { parameters: [{ name: 'greeting', value: 'hello' }] },
        },
      });
      expect(fromRef.status?.phase).toBe('Succeeded');
      expect(byName(fromRef, 'from-ref[0].say').outputs?.result).toBe('hello nobody');

      const viaStep = await runToCompletion(
        eng,
        parseWorkflow(`
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: { name: via-step }
spec:
  entrypoint: main
  arguments: { parameters: [{ name: greeting, value: hey }] }
  templates:
    - name: main
      steps:
        - - name: call
            templateRef: { name: greetings, template: greet }
            arguments: { parameters: [{ name: name, value: ann }] }
`),
      );
      expect(viaStep.status?.phase).toBe('Succeeded');
      const call = byName(viaStep, 'via-step[0].call');
      expect(call).toMatchObject({
        type: 'Steps',
        templateRef: { name: 'greetings', template: 'greet' },
        templateScope: 'namespaced/greetings',
      });
      expect(byName(viaStep, 'via-step[0].call[0].say').outputs?.result).toBe('hey ann');
    } finally {
      await eng.stop();
    }
  });

  it('rejects references to missing templates at submit, storing nothing', async () => {
    const missingLocal = parseWorkflow(fixture('steps.yaml'));
    missingLocal.metadata.name = 'missing';
    missingLocal.spec.templates![0]!.steps![0]![0]!.template = 'x';
    await expect(engine.submit(missingLocal)).rejects.toThrow(
      "templates.main.steps[0].a template name 'x' undefined",
    );
    await expect(
      engine.submit({
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Workflow',
        metadata: { name: 'missing-wt' },
        spec: { workflowTemplateRef: { name: 'x' } },
      }),
    ).rejects.toThrow('workflowtemplates.argoproj.io "x" not found');
    expect(await engine.list()).toEqual([]);
  });

  it('fails a workflow whose step exits non-zero, as Argo reports it', async () => {
    const wf = await runToCompletion(engine, parseWorkflow(fixture('failing.yaml')));
    const boom = byName(wf, 'failing[1].boom');
    expect(boom).toMatchObject({
      phase: 'Failed',
      message: 'Error (exit code 3)',
      outputs: { exitCode: '3', result: 'failing' },
    });
    expect(byName(wf, 'failing[1]')).toMatchObject({
      phase: 'Failed',
      message: `child '${boom.id}' failed`,
    });
    expect(wf.status).toMatchObject({
      phase: 'Failed',
      message: `child '${boom.id}' failed`,
      progress: '1/2',
    });
    expect(Object.values(wf.status?.nodes ?? {}).some((n) => n.name.includes('never'))).toBe(false);
  });

  it('waits at a suspend node until resumed, with supplied outputs', async () => {
    const changes: string[] = [];
    engine.onChange((wf) => changes.push(wf.status?.phase ?? ''));
    await engine.submit(parseWorkflow(fixture('approval.yaml')));
    let wf = await waitFor(engine, 'approval', (w) =>
      Object.values(w.status?.nodes ?? {}).some((n) => n.type === 'Suspend'),
    );
    expect(wf.status?.phase).toBe('Running');
    expect(byName(wf, 'approval[1].approve')).toMatchObject({ type: 'Suspend', phase: 'Running' });
    await engine.waitUntilIdle();
    wf = await engine.resume('default', 'approval', {
      actor: 'alice',
      message: 'ship it',
      outputs: [{ name: 'note', value: 'ok' }],
    });
    wf = await waitFor(engine, 'approval', (w) => Boolean(w.status?.finishedAt));
    expect(wf.status?.phase).toBe('Succeeded');
    expect(byName(wf, 'approval[1].approve')).toMatchObject({
      phase: 'Succeeded',
      message: 'resumed by alice: ship it',
      outputs: { parameters: [{ name: 'note', value: 'ok' }] },
    });
    expect(byName(wf, 'approval[2].apply').outputs?.result).toBe('applied ok');
    // The store may show the end before the last change notification has been sent.
    await engine.waitUntilIdle();
    expect(changes).toContain('Running');
    expect(changes.at(-1)).toBe('Succeeded');
    await expect(engine.resume('default', 'approval')).rejects.toSatisfy((e) =>
      isPlinthError(e, 'NOT_WAITING'),
    );
    await expect(engine.resume('default', 'nope')).rejects.toSatisfy((e) =>
      isPlinthError(e, 'NOT_FOUND'),
    );
  });

  it('fails the workflow when the suspend node is rejected', async () => {
    await engine.submit(parseWorkflow(fixture('approval.yaml')));
    await waitFor(engine, 'approval', (w) =>
      Object.values(w.status?.nodes ?? {}).some((n) => n.type === 'Suspend'),
    );
    await engine.reject('default', 'approval', { actor: 'alice', message: 'not now' });
    const wf = await waitFor(engine, 'approval', (w) => Boolean(w.status?.finishedAt));
    const approve = byName(wf, 'approval[1].approve');
    expect(approve).toMatchObject({ phase: 'Failed', message: 'rejected by alice: not now' });
    expect(wf.status).toMatchObject({ phase: 'Failed', message: `child '${approve.id}' failed` });
  });

  it('keeps a suspended workflow waiting across a restart', async () => {
    await engine.submit(parseWorkflow(fixture('approval.yaml')));
    await waitFor(engine, 'approval', (w) =>
      Object.values(w.status?.nodes ?? {}).some((n) => n.type === 'Suspend'),
    );
    await engine.waitUntilIdle();
    await engine.stop();
    await store.close();

    store = await createSqliteStore({ filename: join(dir, 'plinth.db') });
    engine = createWorkflowEngine({ store, logger, dataDir: dir });
    await engine.start();
    await engine.resume('default', 'approval', { actor: 'bob' });
    const wf = await waitFor(engine, 'approval', (w) => Boolean(w.status?.finishedAt));
    expect(wf.status?.phase).toBe('Succeeded');
    expect(byName(wf, 'approval[2].apply').outputs?.result).toBe('applied none');
    expect(byName(wf, 'approval[0].plan').phase).toBe('Succeeded');
  });

  it('errors a step whose process was lost in a restart, and terminates running steps', async () => {
    const sleeper = parseWorkflow(`
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: { name: sleeper }
spec:
  entrypoint: main
  templates:
    - name: main
      container: { image: alpine, command: [sleep, '30'] }
`);
    await engine.submit(sleeper);
    await engine.stop();
    await store.close();
    store = await createSqliteStore({ filename: join(dir, 'plinth.db') });
    engine = createWorkflowEngine({ store, logger, dataDir: dir, graceSeconds: 1 });
    await engine.start();
    let wf = await waitFor(engine, 'sleeper', (w) => Boolean(w.status?.finishedAt));
    expect(wf.status?.phase).toBe('Error');
    expect(byName(wf, 'sleeper')).toMatchObject({
      phase: 'Error',
      message: expect.stringContaining('pod deleted'),
    });

    await engine.submit({ ...sleeper, metadata: { name: 'sleeper2' } });
    wf = await engine.terminate('default', 'sleeper2');
    expect(wf.status).toMatchObject({
      phase: 'Failed',
      message: "Stopped with strategy 'Terminate'",
    });
    await engine.waitUntilIdle();
  });
});
