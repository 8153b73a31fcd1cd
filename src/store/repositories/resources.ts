import type { ResourceRecord, ResourceRepository } from '../types.js';
import type { Database } from '../schema.js';
import { ConflictError } from '../../errors/index.js';
import { requireCursor } from './cursor.js';
import { type RepositoryDeps, clampLimit, encodeCursor, fromJson, toJson } from './shared.js';

type Row = Database['resources'];

function toRecord(row: Row): ResourceRecord {
  return {
    kind: row.kind,
    name: row.name,
    team: row.team,
    status: row.status,
    inputs: fromJson(row.inputs, {}),
    outputs: fromJson(row.outputs, {}),
    lastRequestId: row.last_request_id,
    message: row.message,
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Cursors order by creation time, then by `kind/name`. */
const idOf = (r: { kind: string; name: string }) => `${r.kind}/${r.name}`;

export function createResourceRepository({
  db,
  isUniqueViolation,
}: RepositoryDeps): ResourceRepository {
  return {
    async insert(r) {
      try {
        await db
          .insertInto('resources')
          .values({
            kind: r.kind,
            name: r.name,
            team: r.team,
            status: r.status,
            inputs: toJson(r.inputs),
            outputs: toJson(r.outputs),
            last_request_id: r.lastRequestId,
            message: r.message,
            created_by: r.createdBy,
            created_at: r.createdAt,
            updated_at: r.updatedAt,
          })
          .execute();
      } catch (err) {
        if (isUniqueViolation(err)) {
          throw new ConflictError(`${r.kind} "${r.name}" already exists`, {
            cause: err,
            details: { kind: r.kind, name: r.name },
          });
        }
        throw err;
      }
    },

    async update(kind, name, patch, ifStatus) {
      const values: Partial<Row> = { updated_at: patch.updatedAt ?? new Date().toISOString() };
      if (patch.team !== undefined) values.team = patch.team;
      if (patch.status !== undefined) values.status = patch.status;
      if (patch.inputs !== undefined) values.inputs = toJson(patch.inputs);
      if (patch.outputs !== undefined) values.outputs = toJson(patch.outputs);
      if (patch.lastRequestId !== undefined) values.last_request_id = patch.lastRequestId;
      if (patch.message !== undefined) values.message = patch.message;
      let query = db
        .updateTable('resources')
        .set(values)
        .where('kind', '=', kind)
        .where('name', '=', name);
      if (ifStatus && ifStatus.length > 0) query = query.where('status', 'in', ifStatus);
      const result = await query.executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async get(kind, name) {
      const row = await db
        .selectFrom('resources')
        .selectAll()
        .where('kind', '=', kind)
        .where('name', '=', name)
        .executeTakeFirst();
      return row ? toRecord(row) : undefined;
    },

    async list(filter = {}) {
      const limit = clampLimit(filter.limit);
      const after = requireCursor(filter.cursor);
      let query = db.selectFrom('resources').selectAll();
      if (filter.kind !== undefined) query = query.where('kind', '=', filter.kind);
      if (filter.team !== undefined) query = query.where('team', '=', filter.team);
      if (filter.status !== undefined) query = query.where('status', '=', filter.status);
      if (after) {
        const [createdAt, id] = after;
        const slash = id.indexOf('/');
        const kind = id.slice(0, slash);
        const name = id.slice(slash + 1);
        query = query.where((eb) =>
          eb.or([
            eb('created_at', '<', createdAt),
            eb.and([eb('created_at', '=', createdAt), eb('kind', '<', kind)]),
            eb.and([
              eb('created_at', '=', createdAt),
              eb('kind', '=', kind),
              eb('name', '<', name),
            ]),
          ]),
        );
      }
      const rows = await query
        .orderBy('created_at', 'desc')
        .orderBy('kind', 'desc')
        .orderBy('name', 'desc')
        .limit(limit + 1)
        .execute();
      const items = rows.slice(0, limit).map(toRecord);
      const last = items[items.length - 1];
      return rows.length > limit && last
        ? { items, nextCursor: encodeCursor(last.createdAt, idOf(last)) }
        : { items };
    },
  };
}
