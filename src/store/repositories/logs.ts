import type { LogRepository, LogStream } from '../types.js';
import type { RepositoryDeps } from './shared.js';

export function createLogRepository({ db }: RepositoryDeps): LogRepository {
  return {
    async append(lines) {
      if (lines.length === 0) return;
      await db.transaction().execute(async (trx) => {
        for (let i = 0; i < lines.length; i += 200) {
          await trx
            .insertInto('logs')
            .values(
              lines.slice(i, i + 200).map((l) => ({
                workflow_uid: l.workflowUid,
                node_id: l.nodeId,
                stream: l.stream,
                time: l.time,
                text: l.text,
              })),
            )
            .execute();
        }
      });
    },

    async read(workflowUid, opts = {}) {
      let query = db
        .selectFrom('logs')
        .selectAll()
        .where('workflow_uid', '=', workflowUid)
        .where('seq', '>', opts.afterSeq ?? 0);
      if (opts.nodeId !== undefined) query = query.where('node_id', '=', opts.nodeId);
      const rows = await query
        .orderBy('seq', 'asc')
        .limit(opts.limit ?? 10_000)
        .execute();
      return rows.map((r) => ({
        seq: Number(r.seq),
        workflowUid: r.workflow_uid,
        nodeId: r.node_id,
        stream: r.stream as LogStream,
        time: r.time,
        text: r.text,
      }));
    },
  };
}
