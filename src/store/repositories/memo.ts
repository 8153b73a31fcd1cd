import type { MemoEntry, MemoRepository } from '../types.js';
import type { Database } from '../schema.js';
import { type RepositoryDeps, fromJson, toJson } from './shared.js';

type Row = Database['memo_cache'];

function toEntry(row: Row): MemoEntry {
  return {
    namespace: row.namespace,
    cacheName: row.cache_name,
    key: row.key,
    nodeId: row.node_id,
    outputs: fromJson(row.outputs, {}),
    createdAt: row.created_at,
    lastHitAt: row.last_hit_at,
  };
}

export function createMemoRepository({ db }: RepositoryDeps): MemoRepository {
  return {
    async get(namespace, cacheName, key) {
      const row = await db
        .selectFrom('memo_cache')
        .selectAll()
        .where('namespace', '=', namespace)
        .where('cache_name', '=', cacheName)
        .where('key', '=', key)
        .executeTakeFirst();
      return row ? toEntry(row) : undefined;
    },

    async save(entry) {
      const values: Row = {
        namespace: entry.namespace,
        cache_name: entry.cacheName,
        key: entry.key,
        node_id: entry.nodeId,
        outputs: toJson(entry.outputs),
        created_at: entry.createdAt,
        last_hit_at: null,
      };
      await db
        .insertInto('memo_cache')
        .values(values)
        .onConflict((oc) =>
          oc.columns(['namespace', 'cache_name', 'key']).doUpdateSet({
            node_id: values.node_id,
            outputs: values.outputs,
            created_at: values.created_at,
            last_hit_at: null,
          }),
        )
        .execute();
    },

    async hit(namespace, cacheName, key, time) {
      await db
        .updateTable('memo_cache')
        .set({ last_hit_at: time })
        .where('namespace', '=', namespace)
        .where('cache_name', '=', cacheName)
        .where('key', '=', key)
        .execute();
    },

    async delete(namespace, cacheName, key) {
      let query = db
        .deleteFrom('memo_cache')
        .where('namespace', '=', namespace)
        .where('cache_name', '=', cacheName);
      if (key !== undefined) query = query.where('key', '=', key);
      const result = await query.executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
