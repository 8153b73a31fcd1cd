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
  type WorkflowEngine,
} from '../index.js';

describe('the names a step or task gives its template', () => {
  let dir: string;
  let store: Store;
  let engine: WorkflowEngine;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'plinth-holder-names-'));
    store = await createSqliteStore({ filename: join(dir, 'plinth.db') });
    engine = createWorkflowEngine({ store, logger: pino({ level: 'silent' }), dataDir: dir });
    await engine.start();
  });

  afterAll(async () => {
    await engine.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('offers steps.name and tasks.name to the called template, and the scheduled time', async () => {
    const text = readFileSync(
      join(import.meta.dirname, '..', 'testdata', 'holder-names.yaml'),
      'utf8',
    );
    const wf = await runToCompletion(engine, parseWorkflow(text));
    expect(wf.status?.phase).toBe('Succeeded');
    const results = Object.fromEntries(
      Object.values(wf.status?.nodes ?? {}).map((n) => [n.displayName, n.outputs?.result]),
    );
    expect(results['glaze-pot']).toBe('step=glaze-pot at=2031-03-04T05:06:07Z');
    expect(results['stack-shelf']).toBe('task=stack-shelf');
  });
});
