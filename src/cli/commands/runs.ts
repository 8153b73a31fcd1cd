import type { Command } from 'commander';
import type { LogEntry, Run } from '../client/index.js';
import { action, type Session } from '../context.js';
import { formatAge, formatSpan, phaseStyle, type Output } from '../output.js';
import { clientContext, withClientOptions, type ClientFlags } from './client-options.js';
import { describePhase, printRun } from './run-view.js';

/** Adds `plinth runs list|get|logs|approve|reject`. */
export function registerRunsCommands(program: Command, session: Session): void {
  const runs = program.command('runs').description('follow, approve and reject workflow runs');

  withClientOptions(
    runs
      .command('list')
      .description('list runs, newest first')
      .option('--environment <name>', 'only the runs of this environment')
      .option('--phase <phase>', 'only runs in this phase (Pending, Running, Succeeded, ...)')
      .option('--request <id>', 'only the runs of this request')
      .option('--kind <kind>', 'only runs of this request kind (environment, ...)')
      .option('--requester <name>', 'only runs of requests made by this token name')
      .option('--since <time>', 'only runs created at or after this RFC 3339 time')
      .option('--until <time>', 'only runs created before this RFC 3339 time')
      .option('--limit <n>', 'at most this many runs (1 to 500)')
      .option('--cursor <cursor>', 'the next page, as a previous list printed it'),
  ).action(
    action(session, async (flags: ClientFlags & RunListFlags) => {
      const { client, out } = clientContext(session, flags);
      const list = await client.listRuns({
        ...(flags.environment ? { environment: flags.environment } : {}),
        ...(flags.phase ? { phase: flags.phase } : {}),
        ...(flags.request ? { requestId: flags.request } : {}),
        ...(flags.kind ? { kind: flags.kind } : {}),
        ...(flags.requester ? { requester: flags.requester } : {}),
        ...(flags.since ? { since: flags.since } : {}),
        ...(flags.until ? { until: flags.until } : {}),
        ...(flags.limit ? { limit: Number(flags.limit) } : {}),
        ...(flags.cursor ? { cursor: flags.cursor } : {}),
      });
      if (out.format === 'json') {
        out.json(list);
        return 0;
      }
      if (list.items.length === 0) {
        out.note('No runs.');
        return 0;
      }
      const now = Date.now();
      out.table(
        ['id', 'phase', 'request', 'age', 'duration', 'message'],
        list.items.map((r) => [
          r.id,
          { text: describePhase(r), style: phaseStyle(r.phase) },
          r.requestId ?? '',
          formatAge(r.startedAt, now),
          formatSpan(r.startedAt, r.finishedAt, now),
          r.message ?? '',
        ]),
      );
      if (list.nextCursor) out.note(`(more runs: --cursor ${list.nextCursor})`);
      return 0;
    }),
  );

  withClientOptions(
    runs.command('get').description('show a run and its steps as a tree').argument('<run>'),
  ).action(
    action(session, async (id: string, flags: ClientFlags) => {
      const { client, out } = clientContext(session, flags);
      const run = await client.getRun(id);
      if (out.format === 'json') out.json(run);
      else printRun(out, run, Date.now());
      return 0;
    }),
  );

  withClientOptions(
    runs
      .command('logs')
      .description("print a run's step logs (-o json: one JSON object a line)")
      .argument('<run>')
      .option('-f, --follow', 'keep printing new lines until the run ends'),
  ).action(
    action(session, async (id: string, flags: ClientFlags & { follow?: boolean }) => {
      const { client, out } = clientContext(session, flags);
      if (!flags.follow && out.format !== 'json') {
        session.io.stdout.write(await client.getRunLogs(id));
        return 0;
      }
      if (!flags.follow) {
        const entries = await client.call<LogEntry[] | { items: LogEntry[] }>(
          'GET',
          `/api/v1/runs/${encodeURIComponent(id)}/logs`,
          { query: { format: 'json' } },
        );
        for (const e of Array.isArray(entries) ? entries : entries.items) printEntry(out, e);
        return 0;
      }
      for await (const entry of client.followRunLogs(id)) printEntry(out, entry);
      return 0;
    }),
  );

  for (const verb of ['approve', 'reject'] as const) {
    withClientOptions(
      runs
        .command(verb)
        .description(
          verb === 'approve'
            ? 'resume a run that waits for approval'
            : 'stop a run that waits for approval',
        )
        .argument('<run>')
        .option('--comment <text>', 'why, for the audit log'),
    ).action(
      action(session, async (id: string, flags: ClientFlags & { comment?: string }) => {
        const { client, out } = clientContext(session, flags);
        const opts = { comment: flags.comment };
        const run =
          verb === 'approve' ? await client.approveRun(id, opts) : await client.rejectRun(id, opts);
        if (out.format === 'json') out.json(run);
        else printDecision(out, verb, run);
        return 0;
      }),
    );
  }
}

function printEntry(out: Output, e: LogEntry): void {
  if (out.format === 'json') {
    out.line(JSON.stringify(e));
    return;
  }
  const who = e.podName || e.nodeId;
  out.line(`${out.paint(`${who}:`, 'dim')} ${e.text.replace(/\r?\n$/, '')}`);
}

function printDecision(out: Output, verb: 'approve' | 'reject', run: Run): void {
  out.line(`Run ${run.id} ${verb === 'approve' ? 'approved' : 'rejected'}.`);
  out.line(`Phase: ${out.paint(describePhase(run), phaseStyle(run.phase))}`);
  out.line(`Follow it: plinth runs get ${run.id} (or plinth runs logs ${run.id} -f)`);
}

interface RunListFlags {
  environment?: string;
  phase?: string;
  request?: string;
  kind?: string;
  requester?: string;
  since?: string;
  until?: string;
  limit?: string;
  cursor?: string;
}
