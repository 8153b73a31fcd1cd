import type { IdempotencyRecord, IdempotencyRepository } from '../types.js';
import type { Database } from '../schema.js';
import { type RepositoryDeps, fromJson, toJson } from './shared.js';

type Row = Database['idempotency_keys'];

function toRecord(row: Row): IdempotencyRecord {
  return {
    scope: row.scope,
    key: row.key,
    fingerprint: row.fingerprint,
    state: row.state === 'done' ? 'done' : 'pending',
    response:
      row.state === 'done' && row.status !== null
        ? {
            status: Number(row.status),
            headers: fromJson(row.headers, {}),
            body: row.body ?? '',
          }
        : null,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
}

export function createIdempotencyRepository({
  db,
  isUniqueViolation,
}: RepositoryDeps): IdempotencyRepository {
  async function get(scope: string, key: string) {
    const row = await db
      .selectFrom('idempotency_keys')
      .selectAll()
      .where('scope', '=', scope)
      .where('key', '=', key)
      .executeTakeFirst();
    return row ? toRecord(row) : undefined;
  }

  return {
    async claim(record, staleBefore) {
      const values: Row = {
        scope: record.scope,
        key: record.key,
        fingerprint: record.fingerprint,
        state: 'pending',
        status: null,
        headers: null,
        body: null,
        created_at: record.createdAt,
        expires_at: record.expiresAt,
      };
      try {
        await db.insertInto('idempotency_keys').values(values).execute();
        return undefined;
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
      }
      // Compare-and-set over a record whose time is up: expired, or pending but abandoned.
      const taken = await db
        .updateTable('idempotency_keys')
        .set(values)
        .where('scope', '=', record.scope)
        .where('key', '=', record.key)
        .where((eb) =>
          eb.or([
            eb('expires_at', '<=', record.createdAt),
            eb.and([eb('state', '=', 'pending'), eb('created_at', '<', staleBefore)]),
          ]),
        )
        .executeTakeFirst();
      if (Number(taken.numUpdatedRows) > 0) return undefined;
      const holder = await get(record.scope, record.key);
      // Released between the insert and the read: try once more from the start.
      return holder ?? (await this.claim(record, staleBefore));
    },

    get,

    async complete(scope, key, response) {
      await db
        .updateTable('idempotency_keys')
        .set({
          state: 'done',
          status: response.status,
          headers: toJson(response.headers),
          body: response.body,
        })
        .where('scope', '=', scope)
        .where('key', '=', key)
        .execute();
    },

    async release(scope, key, fingerprint) {
      await db
        .deleteFrom('idempotency_keys')
        .where('scope', '=', scope)
        .where('key', '=', key)
        .where('fingerprint', '=', fingerprint)
        .where('state', '=', 'pending')
        .execute();
    },

    async purgeExpired(now) {
      const result = await db
        .deleteFrom('idempotency_keys')
        .where('expires_at', '<=', now)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
