import type { EnvironmentRecord, EnvironmentRepository } from '../types.js';
import type { Database } from '../schema.js';
import { ConflictError } from '../../errors/index.js';
import { compileOnce } from './compiled.js';
import { requireCursor } from './cursor.js';
import { type RepositoryDeps, clampLimit, encodeCursor, fromJson, toJson } from './shared.js';

type Row = Database['environments'];

function toRecord(row: Row): EnvironmentRecord {
  return {
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
    expiresAt: row.expires_at,
    expiryWarnedAt: row.expiry_warned_at,
    protected: row.protected === 1,
    drift: row.drift === null ? null : fromJson(row.drift, {}),
  };
}

function toRow(r: EnvironmentRecord): Row {
  return {
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
    expires_at: r.expiresAt ?? null,
    expiry_warned_at: r.expiryWarnedAt ?? null,
    protected: r.protected ? 1 : 0,
    drift: r.drift ? toJson(r.drift) : null,
  };
}

/** The status a destroyed environment ends in; its name may then be used again. */
const DESTROYED = 'Destroyed';
/** Environments kept by name at most; the cache starts over when full. */
const CACHE_SIZE = 1_000;

function frozen(record: EnvironmentRecord): EnvironmentRecord {
  Object.freeze(record.inputs);
  Object.freeze(record.outputs);
  if (record.drift) Object.freeze(record.drift);
  return Object.freeze(record);
}

/**
 * Environments read by name, kept until this repository next writes the
 * table: the API's hottest read then costs no query. Only for a database one
 * process owns (SQLite; see docs/architecture.md), where every write goes
 * through here. With PostgreSQL other processes write, and every read goes to
 * the database. Cached records are frozen, as they are shared between readers.
 */
class ReadCache {
  readonly #records = new Map<string, EnvironmentRecord>();
  #generation = 0;

  get(name: string): EnvironmentRecord | undefined {
    return this.#records.get(name);
  }

  /** The write count now; a read keeps its record only if no write ended meanwhile. */
  get generation(): number {
    return this.#generation;
  }

  keep(record: EnvironmentRecord, readAt: number): EnvironmentRecord {
    if (readAt !== this.#generation) return record;
    if (this.#records.size >= CACHE_SIZE) this.#records.clear();
    this.#records.set(record.name, frozen(record));
    return record;
  }

  /** Called when a write of the table has ended (or failed): every kept record may be stale. */
  written(): void {
    this.#generation += 1;
    this.#records.clear();
  }
}

export function createEnvironmentRepository({
  db,
  isUniqueViolation,
  sqlite,
}: RepositoryDeps): EnvironmentRepository {
  // The API's hottest read.
  const selectByName = compileOnce(db, (d) =>
    d.selectFrom('environments').selectAll().where('name', '=', ''),
  );
  const cache = sqlite === undefined ? undefined : new ReadCache();
  /** Runs a write of the table, then drops what the cache kept. */
  async function writing<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } finally {
      cache?.written();
    }
  }
  return {
    async insert(record) {
      try {
        await writing(() =>
          db.transaction().execute(async (trx) => {
            await trx
              .deleteFrom('environments')
              .where('name', '=', record.name)
              .where('status', '=', DESTROYED)
              .execute();
            await trx.insertInto('environments').values(toRow(record)).execute();
          }),
        );
      } catch (err) {
        if (isUniqueViolation(err)) {
          throw new ConflictError(`environment "${record.name}" already exists`, {
            cause: err,
            details: { name: record.name },
          });
        }
        throw err;
      }
    },

    async update(name, patch, ifStatus) {
      const values: Partial<Row> = { updated_at: patch.updatedAt ?? new Date().toISOString() };
      if (patch.team !== undefined) values.team = patch.team;
      if (patch.status !== undefined) values.status = patch.status;
      if (patch.inputs !== undefined) values.inputs = toJson(patch.inputs);
      if (patch.outputs !== undefined) values.outputs = toJson(patch.outputs);
      if (patch.lastRequestId !== undefined) values.last_request_id = patch.lastRequestId;
      if (patch.message !== undefined) values.message = patch.message;
      if (patch.createdBy !== undefined) values.created_by = patch.createdBy;
      if (patch.expiresAt !== undefined) values.expires_at = patch.expiresAt;
      if (patch.expiryWarnedAt !== undefined) values.expiry_warned_at = patch.expiryWarnedAt;
      if (patch.protected !== undefined) values.protected = patch.protected ? 1 : 0;
      if (patch.drift !== undefined) values.drift = patch.drift ? toJson(patch.drift) : null;
      let query = db.updateTable('environments').set(values).where('name', '=', name);
      if (ifStatus && ifStatus.length > 0) query = query.where('status', 'in', ifStatus);
      const result = await writing(() => query.executeTakeFirst());
      return Number(result.numUpdatedRows) > 0;
    },

    async get(name) {
      const kept = cache?.get(name);
      if (kept) return kept;
      const readAt = cache?.generation ?? 0;
      const [row] = await selectByName(name);
      if (!row) return undefined;
      const record = toRecord(row);
      return cache ? cache.keep(record, readAt) : record;
    },

    async list(filter = {}) {
      const limit = clampLimit(filter.limit);
      const after = requireCursor(filter.cursor);
      let query = db.selectFrom('environments').selectAll();
      if (filter.team !== undefined) query = query.where('team', '=', filter.team);
      if (filter.status !== undefined) query = query.where('status', '=', filter.status);
      if (after) {
        const [createdAt, name] = after;
        query = query.where((eb) =>
          eb.or([
            eb('created_at', '<', createdAt),
            eb.and([eb('created_at', '=', createdAt), eb('name', '<', name)]),
          ]),
        );
      }
      const rows = await query
        .orderBy('created_at', 'desc')
        .orderBy('name', 'desc')
        .limit(limit + 1)
        .execute();
      const items = rows.slice(0, limit).map(toRecord);
      const last = items[items.length - 1];
      return rows.length > limit && last
        ? { items, nextCursor: encodeCursor(last.createdAt, last.name) }
        : { items };
    },

    async listExpiring(before, statuses, limit) {
      if (statuses.length === 0) return [];
      const rows = await db
        .selectFrom('environments')
        .selectAll()
        .where('expires_at', 'is not', null)
        .where('expires_at', '<=', before)
        .where('protected', '=', 0)
        .where('status', 'in', statuses)
        .orderBy('expires_at', 'asc')
        .limit(clampLimit(limit))
        .execute();
      return rows.map(toRecord);
    },

    async delete(name) {
      await writing(() =>
        db
          .deleteFrom('environments')
          .where('name', '=', name)
          .where('status', '=', DESTROYED)
          .execute(),
      );
    },
  };
}
