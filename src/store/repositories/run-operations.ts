import type { Database } from '../schema.js';
import type { RunOperationRecord, RunOperationRepository } from '../types.js';
import { fromJson, toJson, type RepositoryDeps } from './shared.js';

type Row = Database['run_operations'];

function recordOf(row: Row): RunOperationRecord {
  return {
    id: row.id,
    workflowUid: row.workflow_uid,
    owner: row.owner,
    operation: row.operation,
    args: fromJson<Record<string, unknown>>(row.args, {}),
    state: row.state as RunOperationRecord['state'],
    error: fromJson<Record<string, unknown> | null>(row.error, null),
    requestedAt: row.requested_at,
    answeredAt: row.answered_at,
  };
}

/** Requests between processes, each state change a compare-and-set on `state`. */
export function createRunOperationRepository({ db }: RepositoryDeps): RunOperationRepository {
  return {
    async request(record) {
      await db
        .insertInto('run_operations')
        .values({
          id: record.id,
          workflow_uid: record.workflowUid,
          owner: record.owner,
          operation: record.operation,
          args: toJson(record.args),
          state: 'pending',
          error: null,
          requested_at: record.requestedAt,
          answered_at: null,
        })
        .execute();
    },

    async get(id) {
      const row = await db
        .selectFrom('run_operations')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row ? recordOf(row) : undefined;
    },

    async pending(owner) {
      const rows = await db
        .selectFrom('run_operations')
        .selectAll()
        .where('owner', '=', owner)
        .where('state', '=', 'pending')
        .orderBy('requested_at')
        .orderBy('id')
        .execute();
      return rows.map(recordOf);
    },

    async take(id) {
      const taken = await db
        .updateTable('run_operations')
        .set({ state: 'taken' })
        .where('id', '=', id)
        .where('state', '=', 'pending')
        .executeTakeFirst();
      return Number(taken.numUpdatedRows) > 0;
    },

    async answer(id, error, at) {
      await db
        .updateTable('run_operations')
        .set({ state: 'done', error: error ? toJson(error) : null, answered_at: at })
        .where('id', '=', id)
        .execute();
    },

    async withdraw(id) {
      const gone = await db
        .deleteFrom('run_operations')
        .where('id', '=', id)
        .where('state', '=', 'pending')
        .executeTakeFirst();
      return Number(gone.numDeletedRows) > 0;
    },

    async remove(id) {
      await db.deleteFrom('run_operations').where('id', '=', id).execute();
    },

    async prune(before) {
      const gone = await db
        .deleteFrom('run_operations')
        .where('requested_at', '<', before)
        .executeTakeFirst();
      return Number(gone.numDeletedRows);
    },
  };
}
