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
  writeConfigMaps,
  type NodeStatus,
  type Workflow,
  type WorkflowEngine,
} from '../index.js';

const fixture = () =>
  parseWorkflow(
    readFileSync(join(import.meta.dirname, '..', 'testdata', 'configmap-parameters.yaml'), 'utf8'),
  );

function byDisplayName(wf: Workflow, name: string): NodeStatus | undefined {
  return Object.values(wf.status?.nodes ?? {}).find((n) => n.displayName === name);
}

describe('parameters from ConfigMap keys', () => {
  let dir: string;
  let store: Store;
  let engine: WorkflowEngine;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'plinth-configmaps-'));
    store = await createSqliteStore({ filename: join(dir, 'plinth.db') });
    engine = createWorkflowEngine({
      store,
      logger: pino({ level: 'silent' }),
      dataDir: dir,
      configMapsDir: join(dir, 'maps'),
    });
    await engine.start();
  });

  afterAll(async () => {
    await engine.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fails the Workflow when a global argument names a ConfigMap that does not exist', async () => {
    const wf = await runToCompletion(engine, fixture());
    expect(wf.status?.phase).toBe('Error');
    expect(wf.status?.message).toMatch(
      /^failed to set global parameter colour from configmap with name shelf-settings and key colour: ConfigMap 'shelf-settings' does not exist/,
    );
    expect(Object.keys(wf.status?.nodes ?? {})).toHaveLength(0);
  });

  it('reads global arguments and inputs from the keys, and a default for a missing key', async () => {
    writeConfigMaps(join(dir, 'maps'), [
      {
        kind: 'ConfigMap',
        metadata: { name: 'shelf-settings' },
        data: { colour: 'teal', label: 'oak shelf' },
      },
      { kind: 'ConfigMap', metadata: { name: '../escape' }, data: { colour: 'red' } },
    ]);
    const wf = await runToCompletion(engine, fixture());
    expect(wf.status?.phase).toBe('Succeeded');
    expect(byDisplayName(wf, 'paint')?.outputs?.result).toBe('paint teal');
    expect(byDisplayName(wf, 'label')).toMatchObject({
      inputs: {
        parameters: [
          { name: 'words', value: 'oak shelf' },
          { name: 'fallback', value: 'plain' },
        ],
      },
      outputs: { result: 'oak shelf / plain' },
    });
  });

  it('resolves tags in the name and key of a reference', async () => {
    writeConfigMaps(join(dir, 'maps'), [
      {
        kind: 'ConfigMap',
        metadata: { name: 'lamp-settings' },
        data: { shade: 'linen', bulb: 'warm' },
      },
    ]);
    const wf = parseWorkflow(
      readFileSync(
        join(import.meta.dirname, '..', 'testdata', 'configmap-templated-ref.yaml'),
        'utf8',
      ),
    );
    const done = await runToCompletion(engine, wf);
    expect(done.status?.phase).toBe('Succeeded');
    expect(byDisplayName(done, 'read')).toMatchObject({
      inputs: {
        parameters: [
          { name: 'which', value: 'bulb' },
          { name: 'shade', value: 'linen' },
          { name: 'bulb', value: 'warm' },
        ],
      },
      outputs: { result: 'linen with warm' },
    });
    const again = { ...wf, metadata: { name: 'configmap-templated-ref-missing' } };
    const missing = await runToCompletion(engine, again, {
      parameters: { settings: 'no-such-map' },
    });
    // The step errs; its steps template fails, as Argo's do with an errored child.
    expect(missing.status?.phase).toBe('Failed');
    expect(byDisplayName(missing, 'read')?.phase).toBe('Error');
    expect(byDisplayName(missing, 'read')?.message).toMatch(
      /^unable to retrieve inputs.parameters.shade from ConfigMap: ConfigMap 'no-such-map' does not exist/,
    );
  });
});
