import type { Kysely } from 'kysely';
import type { Dialect, PortableMigration } from './types.js';

/** Environments as a product: expiry (TTL), protection and the last drift check. */
export const m0006Environments: PortableMigration = {
  name: '0006-environments',
  async up(db: Kysely<unknown>, _dialect: Dialect) {
    await db.schema.alterTable('environments').addColumn('expires_at', 'text').execute();
    await db.schema.alterTable('environments').addColumn('expiry_warned_at', 'text').execute();
    await db.schema
      .alterTable('environments')
      .addColumn('protected', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.alterTable('environments').addColumn('drift', 'text').execute();
    await db.schema
      .createIndex('environments_expires_at')
      .on('environments')
      .column('expires_at')
      .execute();
  },
};
