import type { Kysely } from 'kysely';
import type { PortableMigration } from './types.js';

/** Resources provisioned through the catalog's request kinds (compute, storage, database, ...). */
export const m0007Resources: PortableMigration = {
  name: '0007-resources',
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('resources')
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('team', 'text')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('inputs', 'text', (c) => c.notNull())
      .addColumn('outputs', 'text', (c) => c.notNull())
      .addColumn('last_request_id', 'text')
      .addColumn('message', 'text')
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('resources_pk', ['kind', 'name'])
      .execute();
    await db.schema
      .createIndex('resources_created')
      .on('resources')
      .columns(['created_at', 'kind', 'name'])
      .execute();
  },
};
