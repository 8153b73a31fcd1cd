import type { Kysely } from 'kysely';
import type { PortableMigration } from './types.js';

/**
 * Leases on work that one of N processes sharing the store must do alone (a
 * Workflow run, a scheduled tick): taken by compare-and-set, kept alive by a
 * heartbeat, taken over by another process once `expires_at` has passed.
 */
export const m0010Claims: PortableMigration = {
  name: '0010-claims',
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('work_claims')
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('owner', 'text', (c) => c.notNull())
      .addColumn('claimed_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('work_claims_pk', ['kind', 'id'])
      .execute();
    await db.schema
      .createIndex('work_claims_owner')
      .on('work_claims')
      .columns(['owner', 'kind'])
      .execute();
  },
};
