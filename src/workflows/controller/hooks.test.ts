import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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

function node(wf: Workflow, name: string): NodeStatus | undefined {
  return Object.values(wf.status?.nodes ?? {}).find((n) => n.name === name);
}

describe('lifecycle hooks with expressions', () => {
  let dir: string;
  let store: Store;
  let engine: WorkflowEngine;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'plinth-hooks-'));
    store = await createSqliteStore({ filename: join(dir, 'plinth.db') });
    engine = createWorkflowEngine({ store, logger: pino({ level: 'silent' }), dataDir: dir });
    await engine.start();
  });

  afterAll(async () => {
    await engine.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("runs the Workflow's and a step's hooks when their expressions become true", async () => {
    const wf = await runToCompletion(engine, fixture('lifecycle-hooks.yaml'));
    expect(wf.status?.phase).toBe('Succeeded');
    const root = node(wf, 'lifecycle-hooks');
    const build = node(wf, 'lifecycle-hooks[0].build');

    const started = node(wf, 'lifecycle-hooks.hooks.started');
    expect(started).toMatchObject({
      displayName: 'lifecycle-hooks.hooks.started',
      type: 'Pod',
      templateName: 'note',
      phase: 'Succeeded',
      outputs: { result: 'workflow started' },
    });
    expect(node(wf, 'lifecycle-hooks.hooks.done')).toMatchObject({
      phase: 'Succeeded',
      outputs: { result: 'workflow done' },
    });
    expect(node(wf, 'lifecycle-hooks.hooks.broken')).toBeUndefined();
    expect(root?.children).toContain(started?.id);

    const begun = node(wf, 'lifecycle-hooks[0].build.hooks.begun');
    const ok = node(wf, 'lifecycle-hooks[0].build.hooks.ok');
    expect(begun).toMatchObject({
      displayName: 'build.hooks.begun',
      phase: 'Succeeded',
      boundaryID: root?.id,
      outputs: { result: 'build begun' },
    });
    expect(ok).toMatchObject({ phase: 'Succeeded', outputs: { result: 'built artefact' } });
    expect(build?.children).toEqual(expect.arrayContaining([begun?.id, ok?.id]));
    expect(node(wf, 'lifecycle-hooks[1].ship.hooks.ok')).toBeUndefined();
    // The step's group ends only once its hooks have: the next group starts after them.
    const next = node(wf, 'lifecycle-hooks[1]');
    expect(Date.parse(next?.startedAt ?? '')).toBeGreaterThanOrEqual(
      Date.parse(ok?.finishedAt ?? ''),
    );
  });

  it("runs a failed task's failure hook and the Workflow's hook on its failure", async () => {
    const wf = await runToCompletion(engine, fixture('lifecycle-hooks-dag-failed.yaml'));
    expect(wf.status?.phase).toBe('Failed');
    expect(wf.status?.progress).toBe('2/3');
    expect(node(wf, 'lifecycle-hooks-dag-failed.compile')).toMatchObject({
      phase: 'Failed',
      message: 'Error (exit code 1)',
    });
    expect(node(wf, 'lifecycle-hooks-dag-failed.compile.hooks.on-failure')).toMatchObject({
      displayName: 'compile.hooks.on-failure',
      phase: 'Succeeded',
    });
    expect(node(wf, 'lifecycle-hooks-dag-failed.compile.hooks.on-success')).toBeUndefined();
    expect(node(wf, 'lifecycle-hooks-dag-failed.publish')).toMatchObject({
      type: 'Skipped',
      phase: 'Omitted',
    });
    expect(node(wf, 'lifecycle-hooks-dag-failed.hooks.after-failure')).toMatchObject({
      phase: 'Succeeded',
    });
  });
});
