import type { Kysely } from 'kysely';
import type { Dialect, PortableMigration } from './types.js';

/** The audit log (append-only, `seq` is its cursor) and the idempotency keys of writes. */
export const m0003Access: PortableMigration = {
  name: '0003-access',
  async up(db: Kysely<unknown>, dialect: Dialect) {
    await db.schema
      .createTable('audit_log')
      .addColumn('seq', dialect === 'postgres' ? 'bigserial' : 'integer', (c) =>
        dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
      )
      .addColumn('time', 'text', (c) => c.notNull())
      .addColumn('actor', 'text', (c) => c.notNull())
      .addColumn('token_id', 'text')
      .addColumn('role', 'text')
      .addColumn('team', 'text')
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('target', 'text', (c) => c.notNull())
      .addColumn('request_id', 'text')
      .addColumn('outcome', 'text', (c) => c.notNull())
      .addColumn('status', 'integer')
      .addColumn('details', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('audit_log_actor')
      .on('audit_log')
      .columns(['actor', 'seq'])
      .execute();
    await db.schema
      .createIndex('audit_log_action')
      .on('audit_log')
      .columns(['action', 'seq'])
      .execute();
    await db.schema
      .createIndex('audit_log_target')
      .on('audit_log')
      .columns(['target', 'seq'])
      .execute();
    await db.schema.createIndex('audit_log_time').on('audit_log').column('time').execute();

    await db.schema
      .createTable('idempotency_keys')
      .addColumn('scope', 'text', (c) => c.notNull())
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('fingerprint', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('status', 'integer')
      .addColumn('headers', 'text')
      .addColumn('body', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('idempotency_keys_pk', ['scope', 'key'])
      .execute();
    await db.schema
      .createIndex('idempotency_keys_expires')
      .on('idempotency_keys')
      .column('expires_at')
      .execute();
  },
};
