import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isPlinthError } from '../errors/index.js';
import { createSqliteStore, type Store } from '../store/index.js';
import {
  createWorkflowEngine,
  parseNodeFieldSelector,
  parseWorkflow,
  RESUBMITTED_FROM_LABEL,
  type NodeStatus,
  type Workflow,
  type WorkflowEngine,
} from './index.js';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'testdata', name), 'utf8');
const logger = pino({ level: 'silent' });

function byName(wf: Workflow, name: string): NodeStatus | undefined {
  return Object.values(wf.status?.nodes ?? {}).find((n) => n.name === name);
}

const lines = (file: string) =>
  existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').length : 0;

describe('workflow operations', () => {
  let dir: string;
  let store: Store;
  let engine: WorkflowEngine;

  const newEngine = () =>
    createWorkflowEngine({ store, logger, dataDir: dir, stepEnv: {}, graceSeconds: 1 });

  async function waitFor(name: string, done: (wf: Workflow) => boolean): Promise<Workflow> {
    for (;;) {
      const wf = await engine.get('default', name);
      if (wf && done(wf)) return wf;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  const finished = (wf: Workflow) => Boolean(wf.status?.finishedAt);

  async function submitFlaky(): Promise<Workflow> {
    const wf = await engine.submit(parseWorkflow(fixture('ops-flaky.yaml')), {
      parameters: { dir },
    });
    return waitFor(wf.metadata.name!, finished);
  }

  async function submitLong(): Promise<Workflow> {
    const wf = await engine.submit(parseWorkflow(fixture('ops-long.yaml')), {
      parameters: { dir },
    });
    return waitFor(wf.metadata.name!, (w) => byName(w, 'long[0].wait')?.phase === 'Running');
  }

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'plinth-ops-'));
    store = await createSqliteStore({ filename: join(dir, 'plinth.db') });
    engine = newEngine();
    await engine.start();
  });

  afterEach(async () => {
    await engine.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('retries a failed workflow from its failed node, keeping succeeded ones, after a restart', async () => {
    const failed = await submitFlaky();
    const name = failed.metadata.name!;
    expect(failed.status?.phase).toBe('Failed');
    const firstId = byName(failed, `${name}[0].first`)!.id;
    expect(lines(join(dir, 'exit'))).toBe(1);

    await expect(engine.retry('default', name)).resolves.toBeDefined();
    const again = await waitFor(name, finished);
    expect(again.status?.phase).toBe('Failed');
    expect(lines(join(dir, 'first'))).toBe(1);

    // Retried by a new process: the stored state is enough.
    await engine.stop();
    engine = newEngine();
    await engine.start();
    writeFileSync(join(dir, 'fixed'), '');
    const retried = await engine.retry('default', name);
    expect(retried.status?.phase).toBe('Running');
    expect(retried.status?.finishedAt).toBeUndefined();
    const done = await waitFor(name, finished);
    expect(done.status?.phase).toBe('Succeeded');
    expect(done.status?.message).toBeUndefined();
    expect(byName(done, `${name}[0].first`)?.id).toBe(firstId);
    expect(byName(done, `${name}[1].second`)?.phase).toBe('Succeeded');
    expect(byName(done, `${name}[1].second`)?.outputs?.result).toBe('fixed');
    expect(byName(done, name)?.phase).toBe('Succeeded');
    expect(lines(join(dir, 'first'))).toBe(1);
    expect(lines(join(dir, 'exit'))).toBe(3);
    const stored = await store.workflows.nodes(done.metadata.uid!);
    expect(stored.length).toBe(Object.keys(done.status?.nodes ?? {}).length);
  });

  it('retries a DAG: the failed task and its Retry node run again, the others keep their results', async () => {
    await engine.submit(parseWorkflow(fixture('ops-dag.yaml')), { parameters: { dir } });
    const failed = await waitFor('ops-dag', finished);
    expect(failed.status?.phase).toBe('Failed');
    expect(byName(failed, 'ops-dag.b')).toMatchObject({ type: 'Retry', phase: 'Failed' });
    expect(byName(failed, 'ops-dag.b(1)')?.phase).toBe('Failed');
    expect(byName(failed, 'ops-dag.c')?.phase).toBe('Omitted');

    writeFileSync(join(dir, 'fixed'), '');
    await engine.retry('default', 'ops-dag');
    const done = await waitFor('ops-dag', finished);
    expect(done.status?.phase).toBe('Succeeded');
    expect(byName(done, 'ops-dag.b')).toMatchObject({ type: 'Retry', phase: 'Succeeded' });
    expect(byName(done, 'ops-dag.b(0)')?.phase).toBe('Succeeded');
    expect(byName(done, 'ops-dag.b(1)')).toBeUndefined();
    expect(byName(done, 'ops-dag.c')?.phase).toBe('Succeeded');
    expect([lines(join(dir, 'a')), lines(join(dir, 'side')), lines(join(dir, 'c'))]).toEqual([
      1, 1, 1,
    ]);
  });

  it('refuses to retry running or succeeded workflows as Argo does, unless nodes are selected', async () => {
    await submitLong();
    const running = engine.retry('default', 'long');
    await expect(running).rejects.toThrow('Cannot retry a workflow in phase Running');
    await expect(running).rejects.toSatisfy((e: unknown) => isPlinthError(e, 'CONFLICT'));
    await engine.terminate('default', 'long');
    await waitFor('long', finished);

    writeFileSync(join(dir, 'fixed'), '');
    const ok = await submitFlaky();
    const name = ok.metadata.name!;
    expect(ok.status?.phase).toBe('Succeeded');
    await expect(engine.retry('default', name)).rejects.toThrow(
      'To retry a succeeded workflow, set the options restartSuccessful and nodeFieldSelector',
    );
    await engine.retry('default', name, {
      restartSuccessful: true,
      nodeFieldSelector: 'displayName=first',
    });
    const done = await waitFor(name, finished);
    expect(done.status?.phase).toBe('Succeeded');
    expect(lines(join(dir, 'first'))).toBe(2);
  });

  it('stops a workflow: running steps end, the exit handler runs', async () => {
    await submitLong();
    const stopped = await engine.stopWorkflow('default', 'long');
    expect(stopped.spec.shutdown).toBe('Stop');
    const done = await waitFor('long', finished);
    expect(done.status?.phase).toBe('Failed');
    expect(done.status?.message).toBe("Stopped with strategy 'Stop'");
    expect(byName(done, 'long[0].wait')).toMatchObject({
      phase: 'Failed',
      message: "Stopped with strategy 'Stop'",
    });
    expect(byName(done, 'long[1].after')).toBeUndefined();
    expect(byName(done, 'long.onExit')?.phase).toBe('Succeeded');
    expect(existsSync(join(dir, 'exit'))).toBe(true);
    expect(existsSync(join(dir, 'after'))).toBe(false);
  });

  it('terminates a workflow: running steps end, the exit handler does not run', async () => {
    await submitLong();
    await engine.terminate('default', 'long');
    const done = await waitFor('long', finished);
    expect(done.status?.phase).toBe('Failed');
    expect(done.status?.message).toBe("Stopped with strategy 'Terminate'");
    expect(byName(done, 'long.onExit')).toBeUndefined();
    expect(existsSync(join(dir, 'exit'))).toBe(false);
  });

  it('suspends a workflow: no new step starts until it is resumed', async () => {
    const wf = await engine.submit(parseWorkflow(fixture('ops-long.yaml')), {
      parameters: { dir, seconds: '0.2' },
    });
    const suspended = await engine.suspend('default', wf.metadata.name!);
    expect(suspended.spec.suspend).toBe(true);
    await new Promise((r) => setTimeout(r, 500));
    const held = (await engine.get('default', 'long'))!;
    expect(held.status?.phase).toBe('Running');
    // The running step went on; the next one did not start.
    expect(byName(held, 'long[0].wait')?.phase).toBe('Succeeded');
    expect(byName(held, 'long[1].after')?.phase ?? 'Pending').toBe('Pending');
    expect(existsSync(join(dir, 'after'))).toBe(false);

    const resumed = await engine.resume('default', 'long');
    expect(resumed.spec.suspend).toBeUndefined();
    const done = await waitFor('long', finished);
    expect(done.status?.phase).toBe('Succeeded');
    expect(existsSync(join(dir, 'after'))).toBe(true);
    await expect(engine.suspend('default', 'long')).rejects.toThrow(
      'cannot suspend completed workflows',
    );
  });

  it('resubmits a workflow as a new one, and memoized reuses its succeeded steps', async () => {
    const failed = await submitFlaky();
    const name = failed.metadata.name!;
    const copy = await engine.resubmit('default', name);
    expect(copy.metadata.name).not.toBe(name);
    expect(copy.metadata.name).toMatch(/^flaky-/);
    expect(copy.metadata.labels).toMatchObject({ team: 'blue', [RESUBMITTED_FROM_LABEL]: name });
    expect((await waitFor(copy.metadata.name!, finished)).status?.phase).toBe('Failed');
    expect(lines(join(dir, 'first'))).toBe(2);

    writeFileSync(join(dir, 'fixed'), '');
    const memo = await engine.resubmit('default', name, { memoized: true });
    const done = await waitFor(memo.metadata.name!, finished);
    expect(done.status?.phase).toBe('Succeeded');
    const first = byName(done, `${memo.metadata.name}[0].first`)!;
    expect(first).toMatchObject({ phase: 'Skipped', type: 'Skipped' });
    expect(first.message).toBe(`original pod: ${byName(failed, `${name}[0].first`)!.id}`);
    expect(lines(join(dir, 'first'))).toBe(2);

    await engine.retry('default', name).catch(() => undefined);
    await waitFor(name, finished);
    await expect(
      engine.resubmit('default', done.metadata.name!, { memoized: true }),
    ).rejects.toThrow('workflow must be Failed/Error to resubmit in memoized mode');
  });

  it('deletes a workflow with its nodes and logs, ending what runs', async () => {
    const wf = await submitLong();
    await engine.delete('default', 'long');
    expect(await engine.get('default', 'long')).toBeUndefined();
    expect(await store.workflows.nodes(wf.metadata.uid!)).toEqual([]);
    await expect(engine.delete('default', 'long')).rejects.toSatisfy((e: unknown) =>
      isPlinthError(e, 'NOT_FOUND'),
    );
  });

  it('parses node field selectors', () => {
    const node = {
      id: 'x-1',
      name: 'x[0].a',
      displayName: 'a',
      type: 'Pod',
      phase: 'Failed',
      templateName: 'say',
      inputs: { parameters: [{ name: 'text', value: 'hi' }] },
    } as NodeStatus;
    expect(parseNodeFieldSelector('displayName=a')(node)).toBe(true);
    expect(parseNodeFieldSelector('displayName=a,phase!=Failed')(node)).toBe(false);
    expect(parseNodeFieldSelector('templateName==say,inputs.parameters.text.value=hi')(node)).toBe(
      true,
    );
    expect(() => parseNodeFieldSelector('nonsense')).toThrow(/invalid node field selector/);
  });
});
