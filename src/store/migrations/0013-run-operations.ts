import type { Kysely } from 'kysely';
import type { PortableMigration } from './types.js';

/**
 * Operations on a run (approve, reject, stop, terminate, suspend) asked of
 * one process for a Workflow another process runs: the asking process writes
 * the request for the owner, the owner takes it (pending → taken), applies it
 * and answers (done, with the error when it failed), and the asker reads the
 * answer and deletes the row.
 */
export const m0013RunOperations: PortableMigration = {
  name: '0013-run-operations',
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('run_operations')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('workflow_uid', 'text', (c) => c.notNull())
      .addColumn('owner', 'text', (c) => c.notNull())
      .addColumn('operation', 'text', (c) => c.notNull())
      .addColumn('args', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('error', 'text')
      .addColumn('requested_at', 'text', (c) => c.notNull())
      .addColumn('answered_at', 'text')
      .execute();
    await db.schema
      .createIndex('run_operations_owner')
      .on('run_operations')
      .columns(['owner', 'state'])
      .execute();
  },
};
