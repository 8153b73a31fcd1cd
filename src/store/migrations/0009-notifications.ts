import type { Kysely } from 'kysely';
import type { PortableMigration } from './types.js';

/**
 * Outgoing notifications, one row per notification and target: the key that
 * makes a second report of the same fact a no-op, and whether it was
 * delivered, so a restart neither sends it again nor loses it.
 */
export const m0009Notifications: PortableMigration = {
  name: '0009-notifications',
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('notification_deliveries')
      .addColumn('dedupe_key', 'text', (c) => c.notNull())
      .addColumn('target', 'text', (c) => c.notNull())
      .addColumn('notification', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('notification_deliveries_pk', ['dedupe_key', 'target'])
      .execute();
    await db.schema
      .createIndex('notification_deliveries_state')
      .on('notification_deliveries')
      .columns(['state', 'created_at'])
      .execute();
  },
};
