import { ConflictError } from '../../errors/index.js';
import type {
  Page,
  WorkflowListFilter,
  WorkflowNodeRecord,
  WorkflowRecord,
  WorkflowRepository,
} from '../types.js';
import type { Database } from '../schema.js';
import { requireCursor } from './cursor.js';
import { type RepositoryDeps, clampLimit, encodeCursor, fromJson, toJson } from './shared.js';

type Row = Database['workflows'];

function toRecord(row: Row): WorkflowRecord {
  return {
    uid: row.uid,
    name: row.name,
    namespace: row.namespace,
    labels: fromJson(row.labels, {}),
    phase: row.phase,
    requestId: row.request_id,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
    manifest: fromJson(row.manifest, {}),
    status: fromJson(row.status, {}),
  };
}

export function createWorkflowRepository({
  db,
  isUniqueViolation,
}: RepositoryDeps): WorkflowRepository {
  return {
    async insert(record) {
      try {
        await db.transaction().execute(async (trx) => {
          await trx
            .insertInto('workflows')
            .values({
              uid: record.uid,
              name: record.name,
              namespace: record.namespace,
              labels: toJson(record.labels),
              phase: record.phase,
              request_id: record.requestId,
              created_at: record.createdAt,
              finished_at: record.finishedAt,
              manifest: toJson(record.manifest),
              status: toJson(record.status),
            })
            .execute();
          const labels = Object.entries(record.labels);
          if (labels.length > 0) {
            await trx
              .insertInto('workflow_labels')
              .values(labels.map(([key, value]) => ({ workflow_uid: record.uid, key, value })))
              .execute();
          }
        });
      } catch (err) {
        if (isUniqueViolation(err)) {
          throw new ConflictError(
            `workflows.argoproj.io "${record.name}" already exists in namespace "${record.namespace}"`,
            { cause: err },
          );
        }
        throw err;
      }
    },

    async update(uid, patch) {
      await db.transaction().execute(async (trx) => {
        const values: Partial<Row> = {};
        if (patch.phase !== undefined) values.phase = patch.phase;
        if (patch.finishedAt !== undefined) values.finished_at = patch.finishedAt;
        if (patch.status !== undefined) values.status = toJson(patch.status);
        if (patch.manifest !== undefined) values.manifest = toJson(patch.manifest);
        if (patch.labels !== undefined) {
          values.labels = toJson(patch.labels);
          await trx.deleteFrom('workflow_labels').where('workflow_uid', '=', uid).execute();
          const labels = Object.entries(patch.labels);
          if (labels.length > 0) {
            await trx
              .insertInto('workflow_labels')
              .values(labels.map(([key, value]) => ({ workflow_uid: uid, key, value })))
              .execute();
          }
        }
        if (Object.keys(values).length > 0) {
          await trx.updateTable('workflows').set(values).where('uid', '=', uid).execute();
        }
      });
    },

    async get(uid) {
      const row = await db
        .selectFrom('workflows')
        .selectAll()
        .where('uid', '=', uid)
        .executeTakeFirst();
      return row ? toRecord(row) : undefined;
    },

    async getByName(namespace, name) {
      const row = await db
        .selectFrom('workflows')
        .selectAll()
        .where('namespace', '=', namespace)
        .where('name', '=', name)
        .executeTakeFirst();
      return row ? toRecord(row) : undefined;
    },

    async findByName(name) {
      const rows = await db
        .selectFrom('workflows')
        .selectAll()
        .where('name', '=', name)
        .orderBy('created_at', 'desc')
        .execute();
      return rows.map(toRecord);
    },

    async list(filter: WorkflowListFilter = {}): Promise<Page<WorkflowRecord>> {
      const limit = clampLimit(filter.limit);
      const after = requireCursor(filter.cursor);
      let query = db.selectFrom('workflows').selectAll();
      if (filter.namespace !== undefined) query = query.where('namespace', '=', filter.namespace);
      if (filter.requestId !== undefined) query = query.where('request_id', '=', filter.requestId);
      if (filter.phases && filter.phases.length > 0)
        query = query.where('phase', 'in', filter.phases);
      if (filter.since !== undefined) query = query.where('created_at', '>=', filter.since);
      if (filter.until !== undefined) query = query.where('created_at', '<', filter.until);
      if (filter.requester !== undefined) {
        const requester = filter.requester;
        query = query.where('request_id', 'in', (eb) =>
          eb.selectFrom('requests').select('id').where('requester', '=', requester),
        );
      }
      for (const [key, value] of Object.entries(filter.labels ?? {})) {
        query = query.where('uid', 'in', (eb) =>
          eb
            .selectFrom('workflow_labels')
            .select('workflow_uid')
            .where('key', '=', key)
            .where('value', '=', value),
        );
      }
      if (after) {
        const [createdAt, uid] = after;
        query = query.where((eb) =>
          eb.or([
            eb('created_at', '<', createdAt),
            eb.and([eb('created_at', '=', createdAt), eb('uid', '<', uid)]),
          ]),
        );
      }
      const rows = await query
        .orderBy('created_at', 'desc')
        .orderBy('uid', 'desc')
        .limit(limit + 1)
        .execute();
      const items = rows.slice(0, limit).map(toRecord);
      const last = items[items.length - 1];
      return rows.length > limit && last
        ? { items, nextCursor: encodeCursor(last.createdAt, last.uid) }
        : { items };
    },

    async saveProgress(uid, nodes, patch) {
      // Serialised now, before any await: the caller may change its objects once this returns.
      const rows = nodes.map((n) => ({
        workflow_uid: n.workflowUid,
        node_id: n.nodeId,
        node: toJson(n.node),
      }));
      const values: Partial<Row> = {};
      if (patch.phase !== undefined) values.phase = patch.phase;
      if (patch.finishedAt !== undefined) values.finished_at = patch.finishedAt;
      if (patch.status !== undefined) values.status = toJson(patch.status);
      if (patch.manifest !== undefined) values.manifest = toJson(patch.manifest);
      await db.transaction().execute(async (trx) => {
        for (let i = 0; i < rows.length; i += 200) {
          await trx
            .insertInto('workflow_nodes')
            .values(rows.slice(i, i + 200))
            .onConflict((oc) =>
              oc
                .columns(['workflow_uid', 'node_id'])
                .doUpdateSet((eb) => ({ node: eb.ref('excluded.node') })),
            )
            .execute();
        }
        if (Object.keys(values).length > 0) {
          await trx.updateTable('workflows').set(values).where('uid', '=', uid).execute();
        }
      });
    },

    async upsertNodes(nodes: WorkflowNodeRecord[]) {
      if (nodes.length === 0) return;
      await db.transaction().execute(async (trx) => {
        for (let i = 0; i < nodes.length; i += 200) {
          await trx
            .insertInto('workflow_nodes')
            .values(
              nodes.slice(i, i + 200).map((n) => ({
                workflow_uid: n.workflowUid,
                node_id: n.nodeId,
                node: toJson(n.node),
              })),
            )
            .onConflict((oc) =>
              oc
                .columns(['workflow_uid', 'node_id'])
                .doUpdateSet((eb) => ({ node: eb.ref('excluded.node') })),
            )
            .execute();
        }
      });
    },

    async nodes(workflowUid) {
      const rows = await db
        .selectFrom('workflow_nodes')
        .selectAll()
        .where('workflow_uid', '=', workflowUid)
        .execute();
      return rows.map((r) => ({
        workflowUid: r.workflow_uid,
        nodeId: r.node_id,
        node: fromJson(r.node, {}),
      }));
    },

    async deleteNodes(workflowUid, nodeIds) {
      if (nodeIds.length === 0) return;
      await db.transaction().execute(async (trx) => {
        for (let i = 0; i < nodeIds.length; i += 200) {
          await trx
            .deleteFrom('workflow_nodes')
            .where('workflow_uid', '=', workflowUid)
            .where('node_id', 'in', nodeIds.slice(i, i + 200))
            .execute();
        }
      });
    },

    async delete(uid) {
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('workflow_nodes').where('workflow_uid', '=', uid).execute();
        await trx.deleteFrom('workflow_labels').where('workflow_uid', '=', uid).execute();
        await trx.deleteFrom('logs').where('workflow_uid', '=', uid).execute();
        await trx.deleteFrom('workflows').where('uid', '=', uid).execute();
      });
    },
  };
}
