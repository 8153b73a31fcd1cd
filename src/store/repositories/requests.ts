import type { RequestRecord, RequestRepository } from '../types.js';
import type { Database } from '../schema.js';
import { ConflictError } from '../../errors/index.js';
import { requireCursor } from './cursor.js';
import { type RepositoryDeps, clampLimit, encodeCursor, fromJson, toJson } from './shared.js';

function toRecord(row: Database['requests']): RequestRecord {
  return {
    id: row.id,
    kind: row.kind,
    action: row.action,
    target: row.target,
    status: row.status,
    requester: row.requester,
    body: fromJson(row.body, {}),
    message: row.message,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    priorStatus: row.prior_status,
  };
}

export function createRequestRepository({
  db,
  isUniqueViolation,
}: RepositoryDeps): RequestRepository {
  return {
    async insert(r) {
      try {
        await db
          .insertInto('requests')
          .values({
            id: r.id,
            kind: r.kind,
            action: r.action,
            target: r.target,
            status: r.status,
            requester: r.requester,
            body: toJson(r.body),
            message: r.message,
            created_at: r.createdAt,
            updated_at: r.updatedAt,
            prior_status: r.priorStatus ?? null,
          })
          .execute();
      } catch (err) {
        if (isUniqueViolation(err))
          throw new ConflictError(`request ${r.id} already exists`, { cause: err });
        throw err;
      }
    },

    async update(id, patch) {
      const values: Partial<Database['requests']> = { updated_at: new Date().toISOString() };
      if (patch.status !== undefined) values.status = patch.status;
      if (patch.message !== undefined) values.message = patch.message;
      await db.updateTable('requests').set(values).where('id', '=', id).execute();
    },

    async get(id) {
      const row = await db
        .selectFrom('requests')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row ? toRecord(row) : undefined;
    },

    async list(filter = {}) {
      const limit = clampLimit(filter.limit);
      const after = requireCursor(filter.cursor);
      let query = db.selectFrom('requests').selectAll();
      if (filter.kind !== undefined) query = query.where('kind', '=', filter.kind);
      if (filter.target !== undefined) query = query.where('target', '=', filter.target);
      if (after) {
        const [createdAt, id] = after;
        query = query.where((eb) =>
          eb.or([
            eb('created_at', '<', createdAt),
            eb.and([eb('created_at', '=', createdAt), eb('id', '<', id)]),
          ]),
        );
      }
      const rows = await query
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit + 1)
        .execute();
      const items = rows.slice(0, limit).map(toRecord);
      const last = items[items.length - 1];
      return rows.length > limit && last
        ? { items, nextCursor: encodeCursor(last.createdAt, last.id) }
        : { items };
    },
  };
}
