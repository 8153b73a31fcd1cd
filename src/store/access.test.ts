import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testDialects } from './testing/dialects.js';
import type { AuditEntry, IdempotencyRecord, Store } from './types.js';

/** Every store implementation runs the same suite. */
const dialects = await testDialects();

function entry(actor: string, action: string, time: string): AuditEntry {
  return {
    time,
    actor,
    tokenId: `t-${actor}`,
    role: 'developer',
    team: 'a',
    action,
    target: 'environments/e1',
    requestId: 'r1',
    outcome: 'succeeded',
    status: 202,
    details: { note: 'x' },
  };
}

function key(k: string, createdAt: string, fingerprint = 'f1'): IdempotencyRecord {
  return {
    scope: 's1',
    key: k,
    fingerprint,
    state: 'pending',
    response: null,
    createdAt,
    expiresAt: new Date(Date.parse(createdAt) + 86_400_000).toISOString(),
  };
}

for (const dialect of dialects) {
  describe(`access tables (${dialect.name})`, () => {
    let dir: string;
    let store: Store;
    beforeEach(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-store-access-'));
      store = await dialect.open(dir);
    });
    afterEach(async () => {
      await store.close();
      await dialect.destroy(dir);
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('appends audit entries and lists them newest first, filtered and paged', async () => {
      const a = await store.audit.append(
        entry('ann', 'environments.create', '2026-01-01T00:00:01Z'),
      );
      await store.audit.append(entry('bob', 'runs.approve', '2026-01-01T00:00:02Z'));
      await store.audit.append(entry('ann', 'runs.approve', '2026-01-01T00:00:03Z'));
      expect(a).toMatchObject({ ...entry('ann', 'environments.create', a.time), seq: a.seq });
      const first = await store.audit.list({ limit: 2 });
      expect(first.items.map((e) => [e.actor, e.action])).toEqual([
        ['ann', 'runs.approve'],
        ['bob', 'runs.approve'],
      ]);
      const rest = await store.audit.list({ limit: 2, cursor: first.nextCursor });
      expect(rest).toEqual({ items: [a] });
      expect((await store.audit.list({ actor: 'ann', action: 'runs.approve' })).items).toHaveLength(
        1,
      );
      expect((await store.audit.list({ since: '2026-01-01T00:00:02Z' })).items).toHaveLength(2);
      await expect(store.audit.list({ cursor: 'bad' })).rejects.toMatchObject({
        code: 'INVALID_INPUT',
      });
    });

    it('claims an idempotency key once, keeps its answer, and frees it when released or expired', async () => {
      const t0 = '2026-01-01T00:00:00.000Z';
      expect(await store.idempotency.claim(key('k', t0), t0)).toBeUndefined();
      expect(await store.idempotency.claim(key('k', t0, 'f2'), t0)).toMatchObject({
        fingerprint: 'f1',
        state: 'pending',
      });
      await store.idempotency.complete('s1', 'k', {
        status: 202,
        headers: { location: '/x' },
        body: '{"id":1}',
      });
      expect(await store.idempotency.get('s1', 'k')).toMatchObject({
        state: 'done',
        response: { status: 202, headers: { location: '/x' }, body: '{"id":1}' },
      });
      // Releasing touches only a pending record of the same request.
      await store.idempotency.release('s1', 'k', 'f1');
      expect(await store.idempotency.get('s1', 'k')).toBeDefined();

      expect(await store.idempotency.claim(key('p', t0), t0)).toBeUndefined();
      await store.idempotency.release('s1', 'p', 'f1');
      expect(await store.idempotency.claim(key('p', t0), t0)).toBeUndefined();
      // A pending record older than staleBefore is taken over.
      const t1 = '2026-01-01T00:10:00.000Z';
      expect(await store.idempotency.claim(key('p', t1, 'f9'), t1)).toBeUndefined();
      expect((await store.idempotency.get('s1', 'p'))?.fingerprint).toBe('f9');

      const later = '2026-01-03T00:00:00.000Z';
      expect(await store.idempotency.claim(key('k', later, 'f3'), t0)).toBeUndefined();
      expect(await store.idempotency.purgeExpired('2026-01-02T12:00:00.000Z')).toBe(1);
      expect(await store.idempotency.get('s1', 'p')).toBeUndefined();
    });

    it('counts teams and workflows by phase', async () => {
      const now = '2026-01-01T00:00:00Z';
      for (const [id, team, revokedAt] of [
        ['t1', 'a', null],
        ['t2', 'a', null],
        ['t3', 'b', '2025-12-31T00:00:00Z'],
        ['t4', null, null],
      ] as const) {
        await store.tokens.insert({
          id,
          name: id,
          role: 'developer',
          team,
          hash: `h-${id}`,
          createdAt: now,
          expiresAt: null,
          revokedAt,
          lastUsedAt: null,
        });
      }
      for (const [name, team, status] of [
        ['e1', 'c', 'Ready'],
        ['e2', 'a', 'Destroyed'],
      ] as const) {
        await store.environments.insert({
          name,
          team,
          status,
          inputs: {},
          outputs: {},
          lastRequestId: null,
          message: null,
          createdBy: 'x',
          createdAt: now,
          updatedAt: now,
        });
      }
      expect(await store.stats.teams(now)).toEqual([
        { name: 'a', tokens: 2, environments: 0 },
        { name: 'c', tokens: 0, environments: 1 },
      ]);
      for (const [name, phase] of [
        ['w1', 'Running'],
        ['w2', 'Running'],
        ['w3', ''],
      ]) {
        await store.workflows.insert({
          uid: name ?? '',
          name: name ?? '',
          namespace: 'n',
          labels: {},
          phase: phase ?? '',
          requestId: null,
          createdAt: now,
          finishedAt: null,
          manifest: {},
          status: {},
        });
      }
      expect(await store.stats.workflowsByPhase()).toEqual({ Running: 2, Pending: 1 });
    });
  });
}
