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
  createRunOperationRelay,
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

  function startProcess(name: string, options: { relay?: boolean } = {}): Process {
    const keeper = createRunClaimKeeper({
      claims: store.claims,
      owner: name,
      leaseMs: 60_000,
      logger,
    });
    const relay = options.relay
      ? createRunOperationRelay({
          operations: store.runOperations,
          claims: store.claims,
          owner: name,
          leaseMs: 60_000,
          pollMs: 20,
          logger,
        })
      : undefined;
    const engine = createWorkflowEngine({
      store,
      logger,
      dataDir: join(dir, name),
      stepEnv: {},
      graceSeconds: 1,
      claims: keeper,
      ...(relay ? { relay } : {}),
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

  it('hands an approval asked of one process to the process running the Workflow', async () => {
    const a = startProcess('a', { relay: true });
    const b = startProcess('b', { relay: true });
    await Promise.all([a.engine.start(), b.engine.start()]);
    const tally = join(dir, 'tally');
    const manifest = parse(
      readFileSync(join(import.meta.dirname, 'testdata', 'claimed-approval.yaml'), 'utf8'),
    ) as Workflow;
    await a.engine.submit(manifest, { parameters: { tally } });
    await until(async () => {
      const wf = await b.engine.get('default', 'claimed');
      const approve = Object.values(wf?.status?.nodes ?? {}).find(
        (n) => n.displayName === 'approve',
      );
      return approve?.phase === 'Running' ? true : undefined;
    });

    // b asks; a applies it and answers; b replies with the node resumed, as a would.
    const resumed = await b.engine.resume('default', 'claimed', {
      actor: 'tester',
      message: 'ship it',
    });
    const approve = Object.values(resumed.status?.nodes ?? {}).find(
      (n) => n.displayName === 'approve',
    );
    expect(approve?.phase).toBe('Succeeded');
    expect(approve?.message).toBe('resumed by tester: ship it');
    // The owner's error comes back as the asker's, code and all.
    const again = await b.engine.reject('default', 'claimed').catch((e: unknown) => e);
    expect(isPlinthError(again, 'NOT_WAITING')).toBe(true);

    const done = await until(async () => {
      const wf = await b.engine.get('default', 'claimed');
      return wf?.status?.phase === 'Succeeded' ? wf : undefined;
    });
    expect(done.status?.phase).toBe('Succeeded');
    expect(readFileSync(tally, 'utf8').trim().split('\n')).toEqual(['plan', 'apply']);
    // Nothing is left in the store between the two.
    expect(await store.runOperations.pending('a')).toEqual([]);
  });

  it('applies an operation itself when the process that held the Workflow is gone', async () => {
    const a = startProcess('a', { relay: true });
    const b = startProcess('b', { relay: true });
    const tally = join(dir, 'tally');
    const manifest = parse(
      readFileSync(join(import.meta.dirname, 'testdata', 'claimed-approval.yaml'), 'utf8'),
    ) as Workflow;
    await a.engine.submit(manifest, { parameters: { tally } });
    await until(async () => {
      const wf = await a.engine.get('default', 'claimed');
      const node = Object.values(wf?.status?.nodes ?? {}).find((n) => n.displayName === 'approve');
      return node?.phase === 'Running' ? true : undefined;
    });
    // a stops serving but its lease is still live: the request waits, then is withdrawn once
    // a gives its claims up, and b takes the run over and applies it.
    await a.engine.stop();
    const asked = b.engine.terminate('default', 'claimed');
    await new Promise((r) => setTimeout(r, 300));
    await a.keeper.stop();
    const wf = await asked;
    expect(wf.spec.shutdown).toBe('Terminate');
    const ended = await until(async () => {
      const got = await b.engine.get('default', 'claimed');
      return got?.status?.phase === 'Failed' ? got : undefined;
    });
    expect(ended.status?.message).toBe("Stopped with strategy 'Terminate'");
    expect(readFileSync(tally, 'utf8').trim().split('\n')).toEqual(['plan']);
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
