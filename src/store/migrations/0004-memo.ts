import type { Kysely } from 'kysely';
import type { PortableMigration } from './types.js';

/**
 * The memoization cache of templates with `memoize`: one row per cache (Argo
 * keeps each in a ConfigMap) and key, in a namespace, with the outputs saved.
 */
export const m0004Memo: PortableMigration = {
  name: '0004-memo',
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('memo_cache')
      .addColumn('namespace', 'text', (c) => c.notNull())
      .addColumn('cache_name', 'text', (c) => c.notNull())
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('node_id', 'text', (c) => c.notNull())
      .addColumn('outputs', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('last_hit_at', 'text')
      .addPrimaryKeyConstraint('memo_cache_pk', ['namespace', 'cache_name', 'key'])
      .execute();
  },
};
