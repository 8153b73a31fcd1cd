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

function byDisplayName(wf: Workflow, name: string): NodeStatus | undefined {
  return Object.values(wf.status?.nodes ?? {}).find((n) => n.displayName === name);
}

describe('outputs of skipped and omitted nodes', () => {
  let dir: string;
  let store: Store;
  let engine: WorkflowEngine;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'plinth-absent-'));
    store = await createSqliteStore({ filename: join(dir, 'plinth.db') });
    engine = createWorkflowEngine({ store, logger: pino({ level: 'silent' }), dataDir: dir });
    await engine.start();
  });

  afterAll(async () => {
    await engine.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("uses the producer's default, then the consumer's input default", async () => {
    const wf = await runToCompletion(engine, fixture('skipped-outputs.yaml'));
    expect(wf.status?.phase).toBe('Succeeded');
    expect(byDisplayName(wf, 'maker')).toMatchObject({ type: 'Skipped', phase: 'Skipped' });
    expect(byDisplayName(wf, 'with-producer-default')).toMatchObject({
      phase: 'Succeeded',
      inputs: { parameters: [{ name: 'text', value: 'grey' }] },
      outputs: { result: 'got grey' },
    });
    expect(byDisplayName(wf, 'with-input-default')).toMatchObject({
      phase: 'Succeeded',
      outputs: { result: 'got medium' },
    });
    expect(byDisplayName(wf, 'each-default(0:x)')?.outputs?.result).toBe('got x');
    expect(byDisplayName(wf, 'each-default(1:y)')?.outputs?.result).toBe('got y');
  });

  it('ends in Error when nothing stands in for an omitted output', async () => {
    const wf = await runToCompletion(engine, fixture('skipped-output-missing.yaml'));
    expect(wf.status?.phase).toBe('Error');
    expect(byDisplayName(wf, 'second')?.phase).toBe('Omitted');
    const third = byDisplayName(wf, 'third');
    expect(third?.phase).toBe('Error');
    expect(third?.message).toContain('absent optional');
  });
});
