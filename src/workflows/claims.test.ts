import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { parse } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isPlinthError } from '../errors/index.js';
import { createPostgresStore, type Store } from '../store/index.js';
// Test-only helpers, kept out of the store's public surface and its build.
// eslint-disable-next-line no-restricted-imports
import * as pgTest from '../store/testing/dialects.js';
import {
  createRunClaimKeeper,
  createWorkflowEngine,
  type RunClaimKeeper,
  type Workflow,
  type WorkflowEngine,
} from './index.js';

const logger = pino({ level: 'silent' });
const available = await pgTest.postgresAvailable();

interface Process {
  keeper: RunClaimKeeper;
  engine: WorkflowEngine;
}

async function until<T>(probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 3000; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('gave up waiting');
}

describe.skipIf(!available)('workflow claims across processes (postgres)', () => {
  let dir: string;
  let schema: string;
  let store: Store;
  let processes: Process[];

  function startProcess(name: string): Process {
    const keeper = createRunClaimKeeper({
      claims: store.claims,
      owner: name,
      leaseMs: 60_000,
      logger,
    });
    const engine = createWorkflowEngine({
      store,
      logger,
      dataDir: join(dir, name),
      stepEnv: {},
      graceSeconds: 1,
      claims: keeper,
    });
    const p = { keeper, engine };
    processes.push(p);
    return p;
  }

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'plinth-claims-'));
    schema = pgTest.freshSchemaName();
    store = await createPostgresStore({ connectionString: pgTest.TEST_POSTGRES_URL, schema });
    processes = [];
  });
  afterEach(async () => {
    for (const p of processes) {
      await p.engine.stop();
      await p.keeper.stop();
    }
    await store.close();
    await pgTest.dropSchema(pgTest.TEST_POSTGRES_URL, schema);
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs a Workflow on one process only, and another takes it over when that one stops', async () => {
    const a = startProcess('a');
    const b = startProcess('b');
    const tally = join(dir, 'tally');
    const manifest = parse(
      readFileSync(join(import.meta.dirname, 'testdata', 'claimed-approval.yaml'), 'utf8'),
    ) as Workflow;
    await a.engine.submit(manifest, { parameters: { tally } });
    await until(async () => {
      const wf = await a.engine.get('default', 'claimed');
      const approve = Object.values(wf?.status?.nodes ?? {}).find(
        (n) => n.displayName === 'approve',
      );
      return approve?.phase === 'Running' ? true : undefined;
    });

    // b looks for work and finds none: a holds the claim.
    await b.engine.start();
    const refused = await b.engine.resume('default', 'claimed').catch((e: unknown) => e);
    expect(isPlinthError(refused, 'UNAVAILABLE')).toBe(true);

    // a stops (its step processes end, its claims are given up); b picks the run up.
    await a.engine.stop();
    await a.keeper.stop();
    await b.engine.resume('default', 'claimed', { actor: 'tester' });
    const done = await until(async () => {
      const wf = await b.engine.get('default', 'claimed');
      return wf?.status?.phase === 'Succeeded' ? wf : undefined;
    });
    expect(done.status?.phase).toBe('Succeeded');
    expect(readFileSync(tally, 'utf8').trim().split('\n')).toEqual(['plan', 'apply']);
    // The claim is given up once the end is stored.
    await until(async () =>
      (await store.claims.owner('workflow', done.metadata.uid!)) === undefined ? true : undefined,
    );
  });

  it('lets one of two processes starting at once pick up a Workflow left running', async () => {
    const first = startProcess('first');
    const tally = join(dir, 'tally');
    const manifest = parse(
      readFileSync(join(import.meta.dirname, 'testdata', 'claimed-approval.yaml'), 'utf8'),
    ) as Workflow;
    const wf = await first.engine.submit(manifest, { parameters: { tally } });
    await first.engine.stop();
    await first.keeper.stop();

    const [c, d] = [startProcess('c'), startProcess('d')];
    await Promise.all([c.engine.start(), d.engine.start()]);
    const owner = await store.claims.owner('workflow', wf.metadata.uid!);
    expect(['c', 'd']).toContain(owner?.owner);
  });
});
