import type { Kysely } from 'kysely';
import type { Dialect, PortableMigration } from './types.js';

/**
 * Applications deployed to environments, each deployment (the history that
 * rollback reads), and the immutable versions of an application's
 * configuration (secrets kept encrypted).
 */
export const m0005Applications: PortableMigration = {
  name: '0005-applications',
  async up(db: Kysely<unknown>, _dialect: Dialect) {
    await db.schema
      .createTable('applications')
      .addColumn('environment', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('team', 'text')
      .addColumn('deployment_id', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('applications_pk', ['environment', 'name'])
      .execute();

    await db.schema
      .createTable('application_deployments')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('environment', 'text', (c) => c.notNull())
      .addColumn('application', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('version', 'text', (c) => c.notNull())
      .addColumn('image', 'text', (c) => c.notNull())
      .addColumn('replicas', 'integer', (c) => c.notNull())
      .addColumn('port', 'integer', (c) => c.notNull())
      .addColumn('config_version', 'integer')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('revision', 'text')
      .addColumn('message', 'text')
      .addColumn('requester', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('application_deployments_app')
      .on('application_deployments')
      .columns(['environment', 'application', 'created_at'])
      .execute();

    await db.schema
      .createTable('application_config_versions')
      .addColumn('environment', 'text', (c) => c.notNull())
      .addColumn('application', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('config_values', 'text', (c) => c.notNull())
      .addColumn('sealed_secrets', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('application_config_versions_pk', [
        'environment',
        'application',
        'version',
      ])
      .execute();
  },
};
