import { InvalidArgumentError, type Command } from 'commander';
import type { AuditEntry } from '../client/index.js';
import { action, type Session } from '../context.js';
import type { Style } from '../output.js';
import { clientContext, withClientOptions, type ClientFlags } from './client-options.js';

interface AuditFlags extends ClientFlags {
  actor?: string;
  action?: string;
  target?: string;
  since?: string;
  limit?: number;
  cursor?: string;
}

const units: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `--since` as an ISO time or a duration back from `now` (`15m`, `24h`, `7d`). */
export function parseSince(value: string, now = Date.now()): string {
  const ago = /^(\d+)([smhd])$/.exec(value);
  if (ago) return new Date(now - Number(ago[1]) * (units[ago[2] ?? ''] ?? 0)).toISOString();
  const t = Date.parse(value);
  if (Number.isNaN(t)) {
    throw new InvalidArgumentError('give a time (2026-03-01T10:00:00Z) or a duration (24h, 7d)');
  }
  return new Date(t).toISOString();
}

function parseLimit(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 500) throw new InvalidArgumentError('give 1 to 500');
  return n;
}

const outcomeStyle: Record<AuditEntry['outcome'], Style> = {
  succeeded: 'green',
  denied: 'red',
  failed: 'yellow',
};

/** Adds `plinth audit`. */
export function registerAuditCommand(program: Command, session: Session): void {
  withClientOptions(
    program
      .command('audit')
      .description('show the audit log, newest first (admins)')
      .option('--actor <name>', 'only what this token name did')
      .option(
        '--action <action>',
        'only this action (environments.create, runs.approve, token.use, ...)',
      )
      .option('--target <target>', 'only this target (environments/dev-1, runs/ID, ...)')
      .option('--since <when>', 'only entries since a time or a duration ago (24h, 7d)', (v) =>
        parseSince(v),
      )
      .option('--limit <n>', 'entries per page (default 50)', parseLimit)
      .option('--cursor <cursor>', 'the page after this cursor (printed at the end of a page)'),
  ).action(
    action(session, async (flags: AuditFlags) => {
      const { client, out } = clientContext(session, flags);
      const page = await client.listAudit({
        ...(flags.actor ? { actor: flags.actor } : {}),
        ...(flags.action ? { action: flags.action } : {}),
        ...(flags.target ? { target: flags.target } : {}),
        ...(flags.since ? { since: flags.since } : {}),
        ...(flags.limit ? { limit: flags.limit } : {}),
        ...(flags.cursor ? { cursor: flags.cursor } : {}),
      });
      if (out.format === 'json') {
        out.json(page);
        return 0;
      }
      if (page.items.length === 0) {
        out.note('No audit entries.');
        return 0;
      }
      out.table(
        ['time', 'actor', 'action', 'target', 'outcome', 'request'],
        page.items.map((e) => [
          e.time,
          e.actor,
          e.action,
          e.target,
          {
            text: e.status === null ? e.outcome : `${e.outcome} (${e.status})`,
            style: outcomeStyle[e.outcome],
          },
          e.requestId ?? '',
        ]),
      );
      if (page.nextCursor) out.note(`(more: plinth audit --cursor ${page.nextCursor})`);
      return 0;
    }),
  );
}
