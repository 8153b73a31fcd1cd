import type { Selectable } from 'kysely';
import { InputError } from '../../errors/index.js';
import type { AuditOutcome, AuditRepository, StoredAuditEntry } from '../types.js';
import type { Database } from '../schema.js';
import { type RepositoryDeps, clampLimit, fromJson, toJson } from './shared.js';

type Row = Selectable<Database['audit_log']>;

function toEntry(row: Row): StoredAuditEntry {
  return {
    seq: Number(row.seq),
    time: row.time,
    actor: row.actor,
    tokenId: row.token_id,
    role: row.role,
    team: row.team,
    action: row.action,
    target: row.target,
    requestId: row.request_id,
    outcome: row.outcome as AuditOutcome,
    status: row.status === null ? null : Number(row.status),
    details: fromJson(row.details, {}),
  };
}

/** The audit cursor is the last seq seen, opaque to callers. */
function encodeSeq(seq: number): string {
  return Buffer.from(`a:${seq}`).toString('base64url');
}

function decodeSeq(cursor: string | undefined): number | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  const match = /^a:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) {
    throw new InputError('the cursor is not one this server gave', {
      errors: [
        {
          field: 'cursor',
          message: 'not a cursor from a previous page',
          fix: 'pass the nextCursor of the previous page, or omit it for the first page',
        },
      ],
    });
  }
  return Number(match[1]);
}

export function createAuditRepository({ db }: RepositoryDeps): AuditRepository {
  return {
    async append(entry) {
      const row = await db
        .insertInto('audit_log')
        .values({
          time: entry.time,
          actor: entry.actor,
          token_id: entry.tokenId,
          role: entry.role,
          team: entry.team,
          action: entry.action,
          target: entry.target,
          request_id: entry.requestId,
          outcome: entry.outcome,
          status: entry.status,
          details: toJson(entry.details),
        })
        .returning('seq')
        .executeTakeFirstOrThrow();
      return { ...entry, seq: Number(row.seq) };
    },

    async list(filter = {}) {
      const limit = clampLimit(filter.limit);
      const before = decodeSeq(filter.cursor);
      let query = db.selectFrom('audit_log').selectAll();
      if (filter.actor !== undefined) query = query.where('actor', '=', filter.actor);
      if (filter.action !== undefined) query = query.where('action', '=', filter.action);
      if (filter.target !== undefined) query = query.where('target', '=', filter.target);
      if (filter.since !== undefined) query = query.where('time', '>=', filter.since);
      if (before !== undefined) query = query.where('seq', '<', before);
      const rows = await query
        .orderBy('seq', 'desc')
        .limit(limit + 1)
        .execute();
      const items = rows.slice(0, limit).map(toEntry);
      const last = items[items.length - 1];
      return rows.length > limit && last ? { items, nextCursor: encodeSeq(last.seq) } : { items };
    },
  };
}
