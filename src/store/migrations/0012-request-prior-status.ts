import type { Kysely } from 'kysely';
import type { PortableMigration } from './types.js';

/**
 * The status a request's target had when the request took it. A change that
 * is rejected or fails puts its target back in that status: the target keeps
 * its last applied inputs, and the request keeps the inputs it proposed.
 */
export const m0012RequestPriorStatus: PortableMigration = {
  name: '0012-request-prior-status',
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('requests').addColumn('prior_status', 'text').execute();
  },
};
