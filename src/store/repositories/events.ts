import type { ExpressionBuilder, Selectable } from 'kysely';
import type {
  EventDecisionRecord,
  EventRecord,
  EventListFilter,
  EventRepository,
  EventSummaryRecord,
} from '../types.js';
import type { Database } from '../schema.js';
import { requireCursor } from './cursor.js';
import {
  type RepositoryDeps,
  type SqliteNative,
  type SqliteStatement,
  clampLimit,
  encodeCursor,
  fromJson,
} from './shared.js';

const summaryColumns = [
  'id',
  'source',
  'subject',
  'type',
  'time',
  'replay_of',
  'received_at',
] as const;

type SummaryRow = Pick<Database['events'], (typeof summaryColumns)[number]>;

function toSummary(row: SummaryRow): EventSummaryRecord {
  return {
    id: row.id,
    source: row.source,
    subject: row.subject,
    type: row.type,
    time: row.time,
    replayOf: row.replay_of,
    receivedAt: row.received_at,
  };
}

function toDecision(row: Selectable<Database['event_decisions']>): EventDecisionRecord {
  return {
    seq: Number(row.seq),
    eventId: row.event_id,
    sensor: row.sensor,
    fired: Number(row.fired) === 1,
    decision: fromJson(row.decision, {}),
    decidedAt: row.decided_at,
  };
}

/** The name part of `<namespace>/<name>`. */
function sensorName(sensor: string): string {
  return sensor.slice(sensor.lastIndexOf('/') + 1);
}

function toRow(r: EventRecord) {
  return {
    id: r.id,
    source: r.source,
    subject: r.subject,
    type: r.type,
    time: r.time,
    datacontenttype: r.datacontenttype,
    data: r.data === undefined ? null : JSON.stringify(r.data),
    replay_of: r.replayOf,
    received_at: r.receivedAt,
  };
}

const insertSql = `INSERT INTO events
  (id, source, subject, type, time, datacontenttype, data, replay_of, received_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`;

const insertDecisionSql = `INSERT INTO event_decisions
  (event_id, sensor, sensor_name, fired, decision, decided_at)
  VALUES (?, ?, ?, ?, ?, ?) RETURNING seq`;

/** Rows per statement on PostgreSQL (its bind parameters are capped at 65,535). */
const postgresChunk = 200;

export function createEventRepository({ db, sqlite }: RepositoryDeps): EventRepository {
  // SQLite: one prepared single-row statement, run for each event of a batch in
  // one transaction (a multi-row statement would be built, compiled and
  // prepared anew for every batch size).
  let insertRow: SqliteStatement | undefined;
  let insertDecision: SqliteStatement | undefined;
  const runInsert = (r: EventRecord): boolean => {
    insertRow ??= (sqlite as SqliteNative).prepare(insertSql);
    const row = toRow(r);
    return (
      insertRow.run(
        row.id,
        row.source,
        row.subject,
        row.type,
        row.time,
        row.datacontenttype,
        row.data,
        row.replay_of,
        row.received_at,
      ).changes > 0
    );
  };

  /** Event ids with a decision by `sensor` (any sensor when undefined), fired ones only when asked. */
  function decided(sensor: string | undefined, firedOnly: boolean) {
    return (eb: ExpressionBuilder<Database, 'events'>) => {
      let q = eb.selectFrom('event_decisions').select('event_decisions.event_id');
      if (sensor !== undefined) {
        q = sensor.includes('/')
          ? q.where('event_decisions.sensor', '=', sensor)
          : q.where('event_decisions.sensor_name', '=', sensor);
      }
      if (firedOnly) q = q.where('event_decisions.fired', '=', 1);
      return q;
    };
  }

  return {
    async insert(r) {
      if (sqlite) return sqlite.transaction(() => runInsert(r));
      const result = await db
        .insertInto('events')
        .values(toRow(r))
        .onConflict((oc) => oc.column('id').doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
    },

    async insertMany(records) {
      if (records.length === 0) return;
      if (sqlite) {
        await sqlite.transaction(() => {
          for (const r of records) runInsert(r);
        });
        return;
      }
      for (let i = 0; i < records.length; i += postgresChunk) {
        await db
          .insertInto('events')
          .values(records.slice(i, i + postgresChunk).map(toRow))
          .onConflict((oc) => oc.column('id').doNothing())
          .execute();
      }
    },

    async get(id) {
      const row = await db.selectFrom('events').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) return undefined;
      return {
        ...toSummary(row),
        datacontenttype: row.datacontenttype,
        data: fromJson<unknown>(row.data, null),
      };
    },

    async list(filter: EventListFilter = {}) {
      const limit = clampLimit(filter.limit);
      const after = requireCursor(filter.cursor);
      let query = db.selectFrom('events').select(summaryColumns);
      if (filter.source !== undefined) query = query.where('source', '=', filter.source);
      if (filter.subject !== undefined) query = query.where('subject', '=', filter.subject);
      if (filter.type !== undefined) query = query.where('type', '=', filter.type);
      if (filter.since !== undefined) query = query.where('received_at', '>=', filter.since);
      if (filter.until !== undefined) query = query.where('received_at', '<', filter.until);
      if (filter.fired === true) {
        query = query.where('id', 'in', decided(filter.sensor, true));
      } else {
        if (filter.sensor !== undefined)
          query = query.where('id', 'in', decided(filter.sensor, false));
        if (filter.fired === false)
          query = query.where('id', 'not in', decided(filter.sensor, true));
      }
      if (after) {
        const [receivedAt, id] = after;
        query = query.where((eb) =>
          eb.or([
            eb('received_at', '<', receivedAt),
            eb.and([eb('received_at', '=', receivedAt), eb('id', '<', id)]),
          ]),
        );
      }
      const rows = await query
        .orderBy('received_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit + 1)
        .execute();
      const items = rows.slice(0, limit).map(toSummary);
      const last = items[items.length - 1];
      return rows.length > limit && last
        ? { items, nextCursor: encodeCursor(last.receivedAt, last.id) }
        : { items };
    },

    async appendDecision(d) {
      const values = [
        d.eventId,
        d.sensor,
        sensorName(d.sensor),
        d.fired ? 1 : 0,
        JSON.stringify(d.decision),
        d.decidedAt,
      ];
      if (sqlite) {
        const native = sqlite;
        return native.transaction(() => {
          insertDecision ??= native.prepare(insertDecisionSql);
          return Number((insertDecision.get(...values) as { seq: number }).seq);
        });
      }
      const row = await db
        .insertInto('event_decisions')
        .values({
          event_id: d.eventId,
          sensor: d.sensor,
          sensor_name: sensorName(d.sensor),
          fired: d.fired ? 1 : 0,
          decision: JSON.stringify(d.decision),
          decided_at: d.decidedAt,
        })
        .returning('seq')
        .executeTakeFirstOrThrow();
      return Number(row.seq);
    },

    async decisions(eventIds) {
      if (eventIds.length === 0) return [];
      const rows = await db
        .selectFrom('event_decisions')
        .selectAll()
        .where('event_id', 'in', [...eventIds])
        .orderBy('seq', 'asc')
        .execute();
      return rows.map(toDecision);
    },
  };
}
