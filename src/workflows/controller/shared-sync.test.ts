import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { parse } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPostgresStore, type Store } from '../../store/index.js';
// Test-only helpers, kept out of the store's public surface and its build.
// eslint-disable-next-line no-restricted-imports
import * as pgTest from '../../store/testing/dialects.js';
import {
  createRunClaimKeeper,
  createWorkflowEngine,
  SharedSyncManager,
  type Workflow,
  type WorkflowEngine,
} from '../index.js';

const logger = pino({ level: 'silent' });
const available = await pgTest.postgresAvailable();
const testdata = join(import.meta.dirname, '..', 'testdata');

function fixture(name: string): Workflow {
  return parse(readFileSync(join(testdata, name), 'utf8')) as Workflow;
}

async function until<T>(probe: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('gave up waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The lines a mutex-guarded step writes never interleave: start, end, start, end, ... */
function expectSerial(file: string, times: number): void {
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  expect(lines).toEqual(Array.from({ length: times }, () => ['start', 'end']).flat());
}

describe.skipIf(!available)('mutexes and semaphores shared by two processes (postgres)', () => {
  let dir: string;
  let schema: string;
  let store: Store;
  let stops: (() => Promise<void>)[];

  function startProcess(name: string): WorkflowEngine {
    const claims = createRunClaimKeeper({
      claims: store.claims,
      owner: name,
      leaseMs: 60_000,
      logger,
    });
    const sync = new SharedSyncManager({
      locks: store.syncLocks,
      configDir: join(dir, 'config'),
      logger,
      pollMs: 50,
    });
    const engine = createWorkflowEngine({
      store,
      logger,
      dataDir: join(dir, name),
      stepEnv: {},
      graceSeconds: 1,
      claims,
      sync,
    });
    stops.push(
      () => engine.stop(),
      () => sync.stop(),
      () => claims.stop(),
    );
    return engine;
  }

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'plinth-shared-sync-'));
    schema = pgTest.freshSchemaName();
    store = await createPostgresStore({ connectionString: pgTest.TEST_POSTGRES_URL, schema });
    stops = [];
  });
  afterEach(async () => {
    for (const stop of stops) await stop();
    await store.close();
    await pgTest.dropSchema(pgTest.TEST_POSTGRES_URL, schema);
    rmSync(dir, { recursive: true, force: true });
  });

  async function finished(engine: WorkflowEngine, wf: Workflow): Promise<Workflow> {
    return until(async () => {
      const got = await engine.getByUid(wf.metadata.uid!);
      return got?.status?.finishedAt ? got : undefined;
    });
  }

  it('lets one Workflow-level mutex holder run at a time across processes, then frees the lock', async () => {
    const [a, b] = [startProcess('a'), startProcess('b')];
    const params = { parameters: { dir } };
    const runs = await Promise.all([
      a.submit(fixture('shared-wf-mutex.yaml'), params),
      b.submit(fixture('shared-wf-mutex.yaml'), params),
      a.submit(fixture('shared-wf-mutex.yaml'), params),
    ]);
    const ends = await Promise.all(runs.map((wf, i) => finished(i === 1 ? b : a, wf)));
    expect(ends.map((wf) => wf.status?.phase)).toEqual(['Succeeded', 'Succeeded', 'Succeeded']);
    expectSerial(join(dir, 'deploy.log'), 3);
    // Nothing is left held or queued once they have ended.
    expect(await store.syncLocks.holders('default/Mutex/deploy')).toEqual([]);
  });

  it('serializes template-level mutexes of Workflows run by different processes', async () => {
    const [a, b] = [startProcess('a'), startProcess('b')];
    const params = { parameters: { dir } };
    const [one, two] = await Promise.all([
      a.submit(fixture('sync-mutex-tmpl.yaml'), params),
      b.submit(fixture('sync-mutex-tmpl.yaml'), params),
    ]);
    const [endOne, endTwo] = await Promise.all([finished(a, one), finished(b, two)]);
    expect([endOne.status?.phase, endTwo.status?.phase]).toEqual(['Succeeded', 'Succeeded']);
    expectSerial(join(dir, 'welcome.log'), 6);
    expectSerial(join(dir, 'test.log'), 6);
  });

  it('never grants a semaphore slot twice, queues first come first served, and clears ended Workflows', async () => {
    const locks = store.syncLocks;
    const now = () => new Date().toISOString();
    const ask = (holder: string) =>
      locks.take({ lock: 'ns/ConfigMap/cm/k', limit: 2, holder, workflow: holder, now: now() });
    const results = await Promise.all(['ns/a', 'ns/b', 'ns/c', 'ns/d'].map(ask));
    expect(results.filter(Boolean)).toHaveLength(2);
    const losers = ['ns/a', 'ns/b', 'ns/c', 'ns/d'].filter((_, i) => !results[i]);
    for (const h of losers)
      await locks.wait({ lock: 'ns/ConfigMap/cm/k', holder: h, workflow: h, now: now() });
    const winners = await locks.holders('ns/ConfigMap/cm/k');
    await locks.release(winners[0]!);
    // The later waiter may not jump the queue; the first may.
    expect(await ask(losers[1]!)).toBe(false);
    expect(await ask(losers[0]!)).toBe(true);
    // No Workflow named like these is active: a purge clears every slot and place.
    expect(await locks.purge()).toBeGreaterThan(0);
    expect(await locks.holders('ns/ConfigMap/cm/k')).toEqual([]);
  });
});
