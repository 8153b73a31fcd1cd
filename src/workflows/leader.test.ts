import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPostgresStore, type ClaimRepository, type Store } from '../store/index.js';
// Test-only helpers, kept out of the store's public surface and its build.
// eslint-disable-next-line no-restricted-imports
import * as pgTest from '../store/testing/dialects.js';
import { createLeaderLease, type LeaderLease } from './index.js';

const logger = pino({ level: 'silent' });
const available = await pgTest.postgresAvailable();
const LEASE_MS = 300;

async function until(probe: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (probe()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe.skipIf(!available)('the leader lease (postgres)', () => {
  let schema: string;
  let store: Store;
  let leases: LeaderLease[];

  function lease(owner: string, claims: ClaimRepository = store.claims) {
    const made = createLeaderLease({ claims, owner, leaseMs: LEASE_MS, logger });
    const seen: boolean[] = [];
    made.watch((leading) => void seen.push(leading));
    leases.push(made);
    return { lease: made, seen };
  }

  beforeEach(async () => {
    schema = pgTest.freshSchemaName();
    store = await createPostgresStore({ connectionString: pgTest.TEST_POSTGRES_URL, schema });
    leases = [];
  });
  afterEach(async () => {
    for (const l of leases) await l.stop();
    await store.close();
    await pgTest.dropSchema(pgTest.TEST_POSTGRES_URL, schema);
  });

  it('lets exactly one process lead, and hands over when the leader stops', async () => {
    const a = lease('a');
    const b = lease('b');
    await Promise.all([a.lease.start(), b.lease.start()]);
    expect([a.lease.leading, b.lease.leading].filter(Boolean)).toHaveLength(1);
    const [first, second] = a.lease.leading ? [a, b] : [b, a];
    // A few beats later nothing has changed hands.
    await new Promise((r) => setTimeout(r, LEASE_MS));
    expect(first.seen).toEqual([true]);
    expect(second.seen).toEqual([]);

    await first.lease.stop();
    expect(first.seen).toEqual([true, false]);
    await until(() => second.lease.leading, 'the other process to lead');
    expect(second.seen).toEqual([true]);
    expect((await store.claims.owner('leader', 'scheduler'))?.owner).toBe(second === a ? 'a' : 'b');
  });

  it('steps down when it cannot renew, and another takes the lease once it expires', async () => {
    let broken = false;
    const flaky: ClaimRepository = {
      ...store.claims,
      claim: (request) =>
        broken ? Promise.reject(new Error('database unreachable')) : store.claims.claim(request),
    };
    const a = lease('a', flaky);
    await a.lease.start();
    expect(a.lease.leading).toBe(true);
    const b = lease('b');
    await b.lease.start();
    expect(b.lease.leading).toBe(false);

    broken = true;
    await until(() => !a.lease.leading, 'the leader to step down');
    // a stepped down before its lease ran out: b was not leading yet.
    expect(b.seen).toEqual([]);
    await until(() => b.lease.leading, 'the other process to lead');
    expect(a.seen).toEqual([true, false]);
  });
});
