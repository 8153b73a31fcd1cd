import type { Kysely } from 'kysely';
import type { PortableMigration } from './types.js';

/**
 * Argo's mutexes and semaphores shared by N processes: a holder takes one of
 * a lock's numbered slots (a mutex has slot 0, a semaphore slots 0..limit-1)
 * by inserting it, the primary key deciding who won; waiters queue in order
 * of arrival. Both name their Workflow as `<namespace>/<name>`, so the rows
 * of a Workflow that has ended or gone can be cleared.
 */
export const m0014SyncLocks: PortableMigration = {
  name: '0014-sync-locks',
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('sync_slots')
      .addColumn('lock', 'text', (c) => c.notNull())
      .addColumn('slot', 'integer', (c) => c.notNull())
      .addColumn('holder', 'text', (c) => c.notNull())
      .addColumn('workflow', 'text', (c) => c.notNull())
      .addColumn('acquired_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('sync_slots_pk', ['lock', 'slot'])
      .execute();
    await db.schema.createIndex('sync_slots_holder').on('sync_slots').column('holder').execute();
    await db.schema
      .createTable('sync_waiters')
      .addColumn('lock', 'text', (c) => c.notNull())
      .addColumn('holder', 'text', (c) => c.notNull())
      .addColumn('workflow', 'text', (c) => c.notNull())
      .addColumn('since', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('sync_waiters_pk', ['lock', 'holder'])
      .execute();
  },
};
