import { sql } from 'kysely';
import type { SyncLockRepository } from '../types.js';
import type { RepositoryDeps } from './shared.js';

const ACTIVE = ['Pending', 'Running', ''];

/** Mutex and semaphore slots as rows whose primary key is the compare-and-set. */
export function createSyncLockRepository({ db }: RepositoryDeps): SyncLockRepository {
  const holderOrUnder = (prefix: string) =>
    sql<boolean>`(holder = ${prefix} or substr(holder, 1, ${prefix.length + 1}) = ${`${prefix}/`})`;

  return {
    async take({ lock, limit, holder, workflow, now }) {
      const rows = await db
        .selectFrom('sync_slots')
        .select(['slot', 'holder'])
        .where('lock', '=', lock)
        .execute();
      if (rows.some((r) => r.holder === holder)) return true;
      if (rows.length >= limit) return false;
      const first = await db
        .selectFrom('sync_waiters')
        .select('holder')
        .where('lock', '=', lock)
        .orderBy('since')
        .orderBy('holder')
        .limit(1)
        .executeTakeFirst();
      if (first && first.holder !== holder) return false;
      const used = new Set(rows.map((r) => Number(r.slot)));
      for (let slot = 0; slot < limit; slot++) {
        if (used.has(slot)) continue;
        const inserted = await db
          .insertInto('sync_slots')
          .values({ lock, slot, holder, workflow, acquired_at: now })
          .onConflict((oc) => oc.columns(['lock', 'slot']).doNothing())
          .executeTakeFirst();
        if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return false;
        await db
          .deleteFrom('sync_waiters')
          .where('lock', '=', lock)
          .where('holder', '=', holder)
          .execute();
        return true;
      }
      return false;
    },

    async wait({ lock, holder, workflow, now }) {
      await db
        .insertInto('sync_waiters')
        .values({ lock, holder, workflow, since: now })
        .onConflict((oc) => oc.columns(['lock', 'holder']).doNothing())
        .execute();
    },

    async holders(lock) {
      const rows = await db
        .selectFrom('sync_slots')
        .select('holder')
        .where('lock', '=', lock)
        .orderBy('acquired_at')
        .orderBy('slot')
        .execute();
      return rows.map((r) => r.holder);
    },

    async release(holder, locks) {
      for (const table of ['sync_slots', 'sync_waiters'] as const) {
        let q = db.deleteFrom(table).where('holder', '=', holder);
        if (locks) {
          if (locks.length === 0) continue;
          q = q.where('lock', 'in', [...locks]);
        }
        await q.execute();
      }
    },

    async releaseAllOf(prefix) {
      await db.deleteFrom('sync_slots').where(holderOrUnder(prefix)).execute();
      await db.deleteFrom('sync_waiters').where(holderOrUnder(prefix)).execute();
    },

    async purge() {
      let gone = 0;
      for (const table of ['sync_slots', 'sync_waiters'] as const) {
        const result = await db
          .deleteFrom(table)
          .where(
            sql<boolean>`not exists (select 1 from workflows w where w.namespace || '/' || w.name = ${sql.ref(`${table}.workflow`)} and w.phase in (${sql.join(ACTIVE)}))`,
          )
          .executeTakeFirst();
        gone += Number(result.numDeletedRows);
      }
      return gone;
    },
  };
}
