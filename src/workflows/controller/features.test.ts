import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteStore, type Store } from '../../store/index.js';
import {
  createWorkflowEngine,
  parseWorkflow,
  runToCompletion,
  type NodeStatus,
  type Workflow,
  type WorkflowEngine,
} from '../index.js';

const fixture = (name: string) =>
  parseWorkflow(readFileSync(join(import.meta.dirname, '..', 'testdata', name), 'utf8'));

function nodes(wf: Workflow): NodeStatus[] {
  return Object.values(wf.status?.nodes ?? {});
}

function byName(wf: Workflow, name: string): NodeStatus {
  const node = nodes(wf).find((n) => n.name === name);
  if (!node)
    throw new Error(
      `no node ${name} in ${nodes(wf)
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
  for (let i = 0; ; i++) {
    const wf = await engine.get('default', name);
    if (wf && done(wf)) return wf;
    if (i > 1000) throw new Error(`timed out waiting for ${name}: ${JSON.stringify(wf?.status)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const waitingAtApproval = (wf: Workflow) =>
  nodes(wf).some((n) => n.type === 'Suspend' && n.phase === 'Running');

describe('resource, containerSet, synchronization and memoize', () => {
  let dir: string;
  let store: Store;
  let engine: WorkflowEngine;
  const newEngine = () =>
    createWorkflowEngine({
      store,
      logger: pino({ level: 'silent' }),
      dataDir: dir,
      graceSeconds: 1,
    });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'plinth-features-'));
    store = await createSqliteStore({ filename: join(dir, 'plinth.db') });
    engine = newEngine();
    await engine.start();
  });

  afterAll(async () => {
    await engine.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs a containerSet as Container nodes after their dependencies, main deciding', async () => {
    const wf = await runToCompletion(engine, fixture('container-set.yaml'));
    expect(wf.status?.phase).toBe('Succeeded');
    const name = wf.metadata.name ?? '';
    const pod = byName(wf, name);
    expect(pod).toMatchObject({ type: 'Pod', phase: 'Succeeded' });
    expect(pod.outputs?.result).toBe('done');
    const lines = pod.outputs?.parameters?.[0]?.value?.split('\n') ?? [];
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('main: hello world');
    const a = byName(wf, `${name}.a`);
    const b = byName(wf, `${name}.b`);
    const main = byName(wf, `${name}.main`);
    for (const c of [a, b, main]) {
      expect(c).toMatchObject({ type: 'Container', phase: 'Succeeded', boundaryID: pod.id });
    }
    expect(a.displayName).toBe('a');
    // As Argo links them: roots under the pod, each container under what it depends on.
    expect(pod.children).toEqual([a.id, b.id]);
    expect(a.children).toEqual([main.id]);
    expect(b.children).toEqual([main.id]);
    expect(wf.status?.progress).toBe('4/4');
  });

  it('fails a containerSet whose main cannot run because a dependency failed', async () => {
    const wf = await runToCompletion(
      engine,
      parseWorkflow(`apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: container-set-fail-
spec:
  entrypoint: main
  templates:
    - name: main
      containerSet:
        retryStrategy:
          retries: 1
        containers:
          - name: prep
            command: [sh, -c, 'echo x >> attempts; exit 4']
          - name: main
            command: [echo, never]
            dependencies: [prep]
`),
    );
    const name = wf.metadata.name ?? '';
    expect(wf.status?.phase).toBe('Failed');
    expect(byName(wf, `${name}.prep`)).toMatchObject({
      phase: 'Failed',
      message: 'Error (exit code 4)',
    });
    expect(byName(wf, `${name}.main`)).toMatchObject({
      phase: 'Failed',
      message: "dependency 'prep' did not succeed",
    });
    const pod = byName(wf, name);
    expect(pod.phase).toBe('Failed');
    const workDir = join(dir, 'workflows', wf.metadata.uid ?? '', pod.id);
    // retries: 1 runs it twice.
    expect(readFileSync(join(workDir, 'attempts'), 'utf8')).toBe('x\nx\n');
  });

  it('refuses a containerSet whose dependencies form a cycle', async () => {
    const wf = await runToCompletion(
      engine,
      parseWorkflow(`apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: container-set-cycle-
spec:
  entrypoint: main
  templates:
    - name: main
      containerSet:
        containers:
          - {name: a, command: [true], dependencies: [b]}
          - {name: b, command: [true], dependencies: [a]}
`),
    );
    expect(wf.status?.phase).toBe('Error');
    expect(wf.status?.message).toContain('dependencies form a cycle through a, b');
  });

  it('serializes template-level mutexes, each mutex on its own', async () => {
    const logDir = mkdtempSync(join(dir, 'mutex-'));
    const wf = await runToCompletion(engine, fixture('sync-mutex-tmpl.yaml'), {
      parameters: { dir: logDir },
    });
    expect(wf.status?.phase).toBe('Succeeded');
    for (const log of ['welcome.log', 'test.log']) {
      const lines = readFileSync(join(logDir, log), 'utf8').trim().split('\n');
      expect(lines).toEqual(['start', 'end', 'start', 'end', 'start', 'end']);
    }
    const pods = nodes(wf).filter((n) => n.type === 'Pod');
    expect(pods).toHaveLength(6);
    for (const p of pods) {
      expect(p.phase).toBe('Succeeded');
      expect(p.synchronizationStatus).toBeUndefined();
    }
    // Released at the end, as Argo clears it.
    expect(wf.status?.synchronization).toBeUndefined();
  });

  it('shows a node waiting for a mutex as Pending with the lock and its holder', async () => {
    const first = await engine.submit(
      parseWorkflow(`apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: mutex-holder-
spec:
  entrypoint: main
  templates:
    - name: main
      steps:
        - - name: hold
            template: hold
    - name: hold
      synchronization:
        mutex:
          name: shared
      steps:
        - - name: approve
            template: approve
    - name: approve
      suspend: {}
`),
    );
    const holderName = first.metadata.name ?? '';
    const held = await waitFor(engine, holderName, waitingAtApproval);
    const holdNode = byName(held, `${holderName}[0].hold`);
    expect(held.status?.synchronization).toEqual({
      mutex: {
        holding: [
          { mutex: 'default/Mutex/shared', holder: `default/${holderName}/${holdNode.id}` },
        ],
      },
    });
    const second = await engine.submit(
      parseWorkflow(`apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: mutex-waiter-
spec:
  entrypoint: main
  templates:
    - name: main
      synchronization:
        mutexes:
          - name: shared
      container:
        command: [echo, got it]
`),
    );
    const waiterName = second.metadata.name ?? '';
    const waiting = await waitFor(
      engine,
      waiterName,
      (wf) => byName(wf, waiterName).synchronizationStatus !== undefined,
    );
    expect(byName(waiting, waiterName)).toMatchObject({
      phase: 'Pending',
      message: 'Waiting for default/Mutex/shared lock. Limit reached: 1/1',
      synchronizationStatus: { waiting: 'default/Mutex/shared' },
    });
    expect(waiting.status?.synchronization?.mutex?.waiting).toEqual([
      { mutex: 'default/Mutex/shared', holder: `default/${holderName}/${holdNode.id}` },
    ]);
    await engine.resume('default', holderName);
    const done = await waitFor(engine, waiterName, (wf) => Boolean(wf.status?.finishedAt));
    expect(done.status?.phase).toBe('Succeeded');
    expect(byName(done, waiterName).outputs?.result).toBe('got it');
  });

  it('holds a Workflow-level semaphore from a ConfigMap key, across an engine restart', async () => {
    mkdirSync(join(dir, 'config', 'my-config'), { recursive: true });
    writeFileSync(join(dir, 'config', 'my-config', 'workflow'), '1\n');
    const a = await engine.submit(fixture('sync-wf-level.yaml'));
    const aName = a.metadata.name ?? '';
    const heldA = await waitFor(engine, aName, waitingAtApproval);
    expect(heldA.status?.synchronization).toEqual({
      semaphore: {
        holding: [
          { semaphore: 'default/ConfigMap/my-config/workflow', holders: [`default/${aName}`] },
        ],
      },
    });
    const b = await engine.submit(fixture('sync-wf-level.yaml'));
    const bName = b.metadata.name ?? '';
    const waitingB = await waitFor(engine, bName, (wf) => wf.status?.phase === 'Pending');
    expect(waitingB.status?.message).toBe(
      'Waiting for default/ConfigMap/my-config/workflow lock. Limit reached: 1/1',
    );
    expect(nodes(waitingB)).toHaveLength(0);

    // A new engine learns the holder from the stored status before B asks again.
    await engine.stop();
    engine = newEngine();
    await engine.start();
    await engine.waitUntilIdle();
    expect((await engine.get('default', bName))?.status?.phase).toBe('Pending');

    await engine.resume('default', aName);
    const doneA = await waitFor(engine, aName, (wf) => Boolean(wf.status?.finishedAt));
    expect(doneA.status?.phase).toBe('Succeeded');
    const runningB = await waitFor(engine, bName, waitingAtApproval);
    expect(runningB.status?.phase).toBe('Running');
    expect(runningB.status?.message).toBeUndefined();
    await engine.terminate('default', bName);
    const doneB = await waitFor(engine, bName, (wf) => Boolean(wf.status?.finishedAt));
    expect(doneB.status?.phase).toBe('Failed');
    expect(doneB.status?.synchronization).toBeUndefined();
  });

  it('fails a Workflow still waiting for its lock when it is terminated', async () => {
    const a = await engine.submit(fixture('sync-wf-level.yaml'));
    const aName = a.metadata.name ?? '';
    await waitFor(engine, aName, waitingAtApproval);
    const b = await engine.submit(fixture('sync-wf-level.yaml'));
    const bName = b.metadata.name ?? '';
    await waitFor(engine, bName, (wf) => wf.status?.phase === 'Pending');
    await engine.terminate('default', bName);
    const doneB = await waitFor(engine, bName, (wf) => Boolean(wf.status?.finishedAt));
    expect(doneB.status).toMatchObject({
      phase: 'Failed',
      message: "Stopped with strategy 'Terminate'",
    });
    await engine.terminate('default', aName);
    await waitFor(engine, aName, (wf) => Boolean(wf.status?.finishedAt));
  });

  it('memoizes a template: a miss runs and saves, a hit reuses the outputs', async () => {
    const runs = mkdtempSync(join(dir, 'memo-'));
    const first = await runToCompletion(engine, fixture('memoize.yaml'), {
      parameters: { dir: runs },
    });
    expect(first.status?.phase).toBe('Succeeded');
    const root1 = byName(first, first.metadata.name ?? '');
    expect(root1.memoizationStatus).toEqual({
      hit: false,
      key: 'hi-there-world',
      cacheName: 'whalesay-cache',
    });
    const second = await runToCompletion(engine, fixture('memoize.yaml'), {
      parameters: { dir: runs },
    });
    expect(second.status?.phase).toBe('Succeeded');
    const root2 = byName(second, second.metadata.name ?? '');
    expect(root2).toMatchObject({
      type: 'Pod',
      phase: 'Succeeded',
      memoizationStatus: { hit: true, key: 'hi-there-world', cacheName: 'whalesay-cache' },
    });
    expect(root2.outputs?.parameters).toEqual([{ name: 'hello', value: 'hi-there-world' }]);
    expect(readFileSync(join(runs, 'runs'), 'utf8')).toBe('ran\n');

    // An entry older than maxAge is a miss: the step runs again.
    const entry = await store.memos.get('default', 'whalesay-cache', 'hi-there-world');
    await store.memos.save({ ...entry!, createdAt: new Date(Date.now() - 60_000).toISOString() });
    const third = await runToCompletion(engine, fixture('memoize.yaml'), {
      parameters: { dir: runs },
    });
    expect(byName(third, third.metadata.name ?? '').memoizationStatus?.hit).toBe(false);
    expect(readFileSync(join(runs, 'runs'), 'utf8')).toBe('ran\nran\n');
  });

  it('creates child Workflows and follows them to their conditions', async () => {
    const wf = await runToCompletion(engine, fixture('resource-workflows.yaml'));
    const name = wf.metadata.name ?? '';
    const one = byName(wf, `${name}[0].workflow1`);
    expect(one).toMatchObject({ type: 'Pod', phase: 'Succeeded' });
    const childName = one.outputs?.parameters?.find((p) => p.name === 'child-name')?.value ?? '';
    expect(childName).toMatch(/^workflow-of-workflows-1-/);
    expect(one.outputs?.parameters?.find((p) => p.name === 'child-phase')?.value).toBe('Succeeded');
    const child = await engine.get('default', childName);
    expect(child?.status?.phase).toBe('Succeeded');
    expect(child?.metadata.labels?.['workflows.argoproj.io/parent-workflow']).toBe(name);
    expect(child?.metadata.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'Workflow', name, uid: wf.metadata.uid }),
    ]);
    const childNode = Object.values(child?.status?.nodes ?? {})[0];
    expect(childNode?.outputs?.result).toBe('one');

    // Without conditions, a child Workflow's own phase decides.
    const two = byName(wf, `${name}[1].workflow2`);
    expect(two.phase).toBe('Failed');
    expect(two.message).toMatch(/^child workflow workflow-of-workflows-2-\w+ Failed/);
    expect(wf.status?.phase).toBe('Failed');
  });

  it('ends a resource template for any other kind in Error naming what is supported', async () => {
    const wf = await runToCompletion(engine, fixture('resource-configmap.yaml'));
    expect(wf.status?.phase).toBe('Error');
    const node = byName(wf, wf.metadata.name ?? '');
    expect(node.phase).toBe('Error');
    expect(node.message).toBe(
      'resource ConfigMap (v1): on this machine a resource template acts on an Argo Workflow (apiVersion: argoproj.io/v1alpha1, kind: Workflow) with action create, apply, get or delete',
    );
  });

  it('follows a child Workflow across an engine restart without creating it twice', async () => {
    const parent = await engine.submit(
      parseWorkflow(`apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: parent-
spec:
  entrypoint: make
  templates:
    - name: make
      resource:
        action: apply
        manifest: |
          apiVersion: argoproj.io/v1alpha1
          kind: Workflow
          metadata:
            generateName: waiting-child-
          spec:
            entrypoint: approve
            templates:
              - name: approve
                suspend: {}
`),
    );
    const name = parent.metadata.name ?? '';
    const label = { 'workflows.argoproj.io/parent-workflow': name };
    let children: Workflow[] = [];
    for (let i = 0; i < 500 && children.length === 0; i++) {
      children = await engine.list({ labels: label });
      if (children.length === 0) await new Promise((r) => setTimeout(r, 10));
    }
    const childName = children[0]?.metadata.name ?? '';
    await waitFor(engine, childName, waitingAtApproval);
    const following = await waitFor(engine, name, (wf) =>
      Boolean(byName(wf, name).message?.startsWith('created')),
    );
    expect(byName(following, name)).toMatchObject({
      phase: 'Running',
      message: `created workflows.argoproj.io/${childName}`,
    });

    await engine.stop();
    engine = newEngine();
    await engine.start();
    await engine.resume('default', childName);
    const done = await waitFor(engine, name, (wf) => Boolean(wf.status?.finishedAt));
    expect(done.status?.phase).toBe('Succeeded');
    expect(await engine.list({ labels: label })).toHaveLength(1);
  });

  it('gets and deletes child Workflows by name', async () => {
    const target = await runToCompletion(engine, fixture('hello.yaml'));
    const targetName = target.metadata.name ?? '';
    const wf = await runToCompletion(
      engine,
      parseWorkflow(`apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: get-delete-
spec:
  entrypoint: main
  arguments:
    parameters:
      - name: target
        value: ${targetName}
  templates:
    - name: main
      steps:
        - - name: get
            template: get
        - - name: delete
            template: delete
    - name: get
      resource:
        action: get
        manifest: |
          apiVersion: argoproj.io/v1alpha1
          kind: Workflow
          metadata:
            name: {{workflow.parameters.target}}
      outputs:
        parameters:
          - name: phase
            valueFrom:
              jsonPath: '{.status.phase}'
    - name: delete
      resource:
        action: delete
        manifest: |
          apiVersion: argoproj.io/v1alpha1
          kind: Workflow
          metadata:
            name: {{workflow.parameters.target}}
`),
    );
    const name = wf.metadata.name ?? '';
    expect(wf.status?.phase).toBe('Succeeded');
    expect(byName(wf, `${name}[0].get`).outputs?.parameters).toEqual([
      { name: 'phase', value: 'Succeeded' },
    ]);
    expect(await engine.get('default', targetName)).toBeUndefined();
  });

  it('ends a steps node waiting for a lock when its Workflow is terminated', async () => {
    const manifest = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: steps-lock-
spec:
  entrypoint: main
  templates:
    - name: main
      synchronization:
        mutexes:
          - name: steps-lock
      steps:
        - - name: approve
            template: approve
    - name: approve
      suspend: {}
`;
    const a = await engine.submit(parseWorkflow(manifest));
    const aName = a.metadata.name ?? '';
    await waitFor(engine, aName, waitingAtApproval);
    const b = await engine.submit(parseWorkflow(manifest));
    const bName = b.metadata.name ?? '';
    await waitFor(engine, bName, (wf) => byName(wf, bName).synchronizationStatus !== undefined);
    await engine.terminate('default', bName);
    const doneB = await waitFor(engine, bName, (wf) => Boolean(wf.status?.finishedAt));
    expect(doneB.status?.phase).toBe('Failed');
    await engine.terminate('default', aName);
    await waitFor(engine, aName, (wf) => Boolean(wf.status?.finishedAt));
  });
});
