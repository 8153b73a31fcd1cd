import type { Kysely } from 'kysely';
import type { Dialect, PortableMigration } from './types.js';

export const m0001Initial: PortableMigration = {
  name: '0001-initial',
  async up(db: Kysely<unknown>, dialect: Dialect) {
    await db.schema
      .createTable('workflows')
      .addColumn('uid', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('namespace', 'text', (c) => c.notNull())
      .addColumn('labels', 'text', (c) => c.notNull())
      .addColumn('phase', 'text', (c) => c.notNull())
      .addColumn('request_id', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('finished_at', 'text')
      .addColumn('manifest', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addUniqueConstraint('workflows_namespace_name', ['namespace', 'name'])
      .execute();
    await db.schema.createIndex('workflows_name').on('workflows').column('name').execute();
    await db.schema.createIndex('workflows_phase').on('workflows').column('phase').execute();
    await db.schema.createIndex('workflows_request').on('workflows').column('request_id').execute();
    await db.schema
      .createIndex('workflows_created')
      .on('workflows')
      .columns(['created_at', 'uid'])
      .execute();

    await db.schema
      .createTable('workflow_labels')
      .addColumn('workflow_uid', 'text', (c) => c.notNull())
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('workflow_labels_pk', ['workflow_uid', 'key'])
      .execute();
    await db.schema
      .createIndex('workflow_labels_kv')
      .on('workflow_labels')
      .columns(['key', 'value'])
      .execute();

    await db.schema
      .createTable('workflow_nodes')
      .addColumn('workflow_uid', 'text', (c) => c.notNull())
      .addColumn('node_id', 'text', (c) => c.notNull())
      .addColumn('node', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('workflow_nodes_pk', ['workflow_uid', 'node_id'])
      .execute();

    await db.schema
      .createTable('logs')
      .addColumn('seq', dialect === 'postgres' ? 'bigserial' : 'integer', (c) =>
        dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
      )
      .addColumn('workflow_uid', 'text', (c) => c.notNull())
      .addColumn('node_id', 'text', (c) => c.notNull())
      .addColumn('stream', 'text', (c) => c.notNull())
      .addColumn('time', 'text', (c) => c.notNull())
      .addColumn('text', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('logs_workflow')
      .on('logs')
      .columns(['workflow_uid', 'seq'])
      .execute();

    await db.schema
      .createTable('requests')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('target', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('requester', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('message', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('requests_target')
      .on('requests')
      .columns(['kind', 'target'])
      .execute();

    await db.schema
      .createTable('environments')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('team', 'text')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('inputs', 'text', (c) => c.notNull())
      .addColumn('outputs', 'text', (c) => c.notNull())
      .addColumn('last_request_id', 'text')
      .addColumn('message', 'text')
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('tokens')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('team', 'text')
      .addColumn('hash', 'text', (c) => c.notNull().unique())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text')
      .addColumn('revoked_at', 'text')
      .addColumn('last_used_at', 'text')
      .execute();
  },
};
