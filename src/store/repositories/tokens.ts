import type { TokenRecord, TokenRepository } from '../types.js';
import type { Database } from '../schema.js';
import { ConflictError } from '../../errors/index.js';
import type { RepositoryDeps } from './shared.js';

function toRecord(row: Database['tokens']): TokenRecord {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    team: row.team,
    hash: row.hash,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
  };
}

export function createTokenRepository({ db, isUniqueViolation }: RepositoryDeps): TokenRepository {
  return {
    async insert(t) {
      try {
        await db
          .insertInto('tokens')
          .values({
            id: t.id,
            name: t.name,
            role: t.role,
            team: t.team,
            hash: t.hash,
            created_at: t.createdAt,
            expires_at: t.expiresAt,
            revoked_at: t.revokedAt,
            last_used_at: t.lastUsedAt,
          })
          .execute();
      } catch (err) {
        if (isUniqueViolation(err))
          throw new ConflictError(`token ${t.name} already exists`, { cause: err });
        throw err;
      }
    },
    async findByHash(hash) {
      const row = await db
        .selectFrom('tokens')
        .selectAll()
        .where('hash', '=', hash)
        .executeTakeFirst();
      return row ? toRecord(row) : undefined;
    },
    async get(id) {
      const row = await db.selectFrom('tokens').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toRecord(row) : undefined;
    },
    async list() {
      const rows = await db.selectFrom('tokens').selectAll().orderBy('created_at', 'asc').execute();
      return rows.map(toRecord);
    },
    async touch(id, at, notAfter) {
      let query = db.updateTable('tokens').set({ last_used_at: at }).where('id', '=', id);
      if (notAfter !== undefined) {
        query = query.where((eb) =>
          eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<=', notAfter)]),
        );
      }
      const result = await query.executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async revoke(id, at) {
      await db.updateTable('tokens').set({ revoked_at: at }).where('id', '=', id).execute();
    },
    async count() {
      const row = await db
        .selectFrom('tokens')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}
