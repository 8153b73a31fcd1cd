import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NotificationDeliveryRecord, Store } from './index.js';
import { testDialects } from './testing/dialects.js';

const dialects = await testDialects();

function delivery(key: string, target: string, createdAt: number): NotificationDeliveryRecord {
  return {
    dedupeKey: key,
    target,
    notification: { event: 'run.succeeded', run: key, text: 'héllo "quoted"' },
    state: 'pending',
    attempts: 0,
    createdAt,
    updatedAt: createdAt,
  };
}

for (const dialect of dialects) {
  describe(`notification deliveries repository (${dialect.name})`, () => {
    let store: Store;

    beforeAll(async () => {
      store = await dialect.open();
    });

    afterAll(async () => {
      await store.close();
    });

    it('records a delivery once per key and target, and lists the pending oldest first', async () => {
      expect(await store.notifications.add(delivery('run-b', 'ops', 2_000))).toBe(true);
      expect(await store.notifications.add(delivery('run-a', 'ops', 1_000))).toBe(true);
      expect(await store.notifications.add(delivery('run-a', 'slack', 1_500))).toBe(true);
      expect(await store.notifications.add(delivery('run-a', 'ops', 3_000))).toBe(false);

      const pending = await store.notifications.pending();
      expect(pending.map((p) => [p.dedupeKey, p.target])).toEqual([
        ['run-a', 'ops'],
        ['run-a', 'slack'],
        ['run-b', 'ops'],
      ]);
      expect(pending[0]).toEqual(delivery('run-a', 'ops', 1_000));
      expect(await store.notifications.pending(1)).toHaveLength(1);
    });

    it('ends a delivery, keeps counting attempts, and purges only ended old ones', async () => {
      await store.notifications.update('run-a', 'ops', {
        state: 'delivered',
        attempts: 1,
        updatedAt: 5_000,
      });
      await store.notifications.update('run-a', 'slack', {
        state: 'pending',
        attempts: 2,
        updatedAt: 5_000,
      });
      await store.notifications.update('run-b', 'ops', {
        state: 'failed',
        attempts: 5,
        updatedAt: 9_000,
      });
      const pending = await store.notifications.pending();
      expect(pending.map((p) => [p.dedupeKey, p.target, p.attempts])).toEqual([
        ['run-a', 'slack', 2],
      ]);

      expect(await store.notifications.purge(6_000)).toBe(1);
      expect(await store.notifications.purge(10_000)).toBe(1);
      expect(await store.notifications.pending()).toHaveLength(1);
      expect(await store.notifications.add(delivery('run-a', 'ops', 11_000))).toBe(true);
    });
  });
}
