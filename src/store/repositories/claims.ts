import type { ClaimRepository } from '../types.js';
import type { RepositoryDeps } from './shared.js';

/**
 * Claims by compare-and-set: take a free or expired lease with one UPDATE
 * whose row count says who won, else create it with an INSERT that a
 * concurrent creator makes a no-op. Times are ISO-8601 UTC strings, which sort
 * as they compare on both dialects.
 */
export function createClaimRepository({ db }: RepositoryDeps): ClaimRepository {
  return {
    async claim({ kind, id, owner, now, expiresAt }) {
      const taken = await db
        .updateTable('work_claims')
        .set({ owner, claimed_at: now, expires_at: expiresAt })
        .where('kind', '=', kind)
        .where('id', '=', id)
        .where((eb) => eb.or([eb('owner', '=', owner), eb('expires_at', '<', now)]))
        .executeTakeFirst();
      if (Number(taken.numUpdatedRows) > 0) return true;
      const created = await db
        .insertInto('work_claims')
        .values({ kind, id, owner, claimed_at: now, expires_at: expiresAt })
        .onConflict((oc) => oc.columns(['kind', 'id']).doNothing())
        .executeTakeFirst();
      return Number(created.numInsertedOrUpdatedRows ?? 0) > 0;
    },

    async renew(kind, owner, expiresAt) {
      const rows = await db
        .updateTable('work_claims')
        .set({ expires_at: expiresAt })
        .where('kind', '=', kind)
        .where('owner', '=', owner)
        .returning('id')
        .execute();
      return rows.map((r) => r.id);
    },

    async release(kind, id, owner) {
      await db
        .deleteFrom('work_claims')
        .where('kind', '=', kind)
        .where('id', '=', id)
        .where('owner', '=', owner)
        .execute();
    },

    async releaseAll(kind, owner) {
      await db
        .deleteFrom('work_claims')
        .where('kind', '=', kind)
        .where('owner', '=', owner)
        .execute();
    },

    async owner(kind, id) {
      const row = await db
        .selectFrom('work_claims')
        .select(['owner', 'expires_at'])
        .where('kind', '=', kind)
        .where('id', '=', id)
        .executeTakeFirst();
      return row ? { owner: row.owner, expiresAt: row.expires_at } : undefined;
    },
  };
}
