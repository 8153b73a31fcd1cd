import type { Command } from 'commander';
import type {
  AcceptedRequest,
  Environment,
  PlatformRequest,
  PlinthClient,
  Run,
} from '../client/index.js';
import { action, type Session } from '../context.js';
import { formatAge, phaseStyle, type Output } from '../output.js';
import { clientContext, withClientOptions, type ClientFlags } from './client-options.js';
import { waitForRun, watchRun } from './follow.js';
import { describePhase, isFinished, printApprovalHint } from './run-view.js';

/** Adds `plinth env create|list|get|delete|update|extend|drift-check|reconcile`. */
export function registerEnvCommands(program: Command, session: Session): void {
  const env = program.command('env').description('create, list, inspect and delete environments');

  withClientOptions(
    env
      .command('create')
      .description(
        'request a new environment; prints the request and its run (-o json: {request, run})',
      )
      .argument('<name>', 'environment name')
      .requiredOption('--region <region>', 'region to create it in')
      .option('--team <team>', 'owning team')
      .option('--tier <tier>', 'development (default: no approval), staging or production')
      .option('--ttl <ttl>', 'destroy it after this long (e.g. 8h, 3d)')
      .option('--protected', 'never let it expire')
      .option('--wait', 'follow the run until it waits for approval or ends'),
  ).action(
    action(session, async (name: string, flags: ClientFlags & CreateFlags) => {
      const { client, out } = clientContext(session, flags);
      const accepted = await client.createEnvironment({
        name,
        region: flags.region,
        team: flags.team,
        tier: flags.tier,
        ttl: flags.ttl,
        ...(flags.protected ? { protected: true } : {}),
      });
      return followRequest(session, client, out, accepted, { wait: flags.wait === true, name });
    }),
  );

  withClientOptions(
    env
      .command('list')
      .description('list environments')
      .option('--team <team>', 'only this team’s')
      .option('--status <status>', 'only those with this status (Provisioning, Ready, ...)'),
  ).action(
    action(session, async (flags: ClientFlags & { team?: string; status?: string }) => {
      const { client, out } = clientContext(session, flags);
      const list = await client.listEnvironments({
        ...(flags.team ? { team: flags.team } : {}),
        ...(flags.status ? { status: flags.status } : {}),
      });
      if (out.format === 'json') {
        out.json(list);
        return 0;
      }
      if (list.items.length === 0) {
        out.note('No environments.');
        return 0;
      }
      const now = Date.now();
      out.table(
        ['name', 'status', 'region', 'team', 'age', 'message'],
        list.items.map((e) => [
          e.name,
          { text: e.status, style: phaseStyle(e.status) },
          e.region,
          e.team ?? '',
          formatAge(e.createdAt, now),
          e.message ?? '',
        ]),
      );
      return 0;
    }),
  );

  withClientOptions(
    env.command('get').description('show an environment and its outputs').argument('<name>'),
  ).action(
    action(session, async (name: string, flags: ClientFlags) => {
      const { client, out } = clientContext(session, flags);
      const e = await client.getEnvironment(name);
      if (out.format === 'json') out.json(e);
      else printEnvironment(out, e);
      return 0;
    }),
  );

  withClientOptions(
    env
      .command('delete')
      .description('request the destruction of an environment (-o json: {request, run})')
      .argument('<name>')
      .option('--wait', 'follow the run until it waits for approval or ends'),
  ).action(
    action(session, async (name: string, flags: ClientFlags & { wait?: boolean }) => {
      const { client, out } = clientContext(session, flags);
      const accepted = await client.deleteEnvironment(name);
      return followRequest(session, client, out, accepted, { wait: flags.wait === true, name });
    }),
  );

  withClientOptions(
    env
      .command('update')
      .description(
        'change an environment: --region or --team run plan, approval and apply (-o json: {request, run}); --tier, --ttl, --protected apply at once (-o json: the environment)',
      )
      .argument('<name>')
      .option('--region <region>', 'move it to this region')
      .option('--team <team>', 'hand it to this team')
      .option('--tier <tier>', 'development, staging or production')
      .option('--ttl <ttl>', 'a new lifetime from now (e.g. 8h, 3d)')
      .option('--protected', 'never let it expire')
      .option('--no-protected', 'let it expire again (with a --ttl)')
      .option('--wait', 'follow the run until it waits for approval or ends'),
  ).action(
    action(session, async (name: string, flags: ClientFlags & UpdateFlags) => {
      const { client, out } = clientContext(session, flags);
      const result = await client.updateEnvironment(name, {
        region: flags.region,
        team: flags.team,
        tier: flags.tier,
        ttl: flags.ttl,
        protected: flags.protected,
      });
      if ('request' in result) {
        return followRequest(session, client, out, result.request, {
          wait: flags.wait === true,
          name,
        });
      }
      if (out.format === 'json') out.json(result.environment);
      else printEnvironment(out, result.environment);
      return 0;
    }),
  );

  withClientOptions(
    env
      .command('extend')
      .description('push the expiry of an environment back')
      .argument('<name>')
      .requiredOption('--ttl <ttl>', 'how much longer (e.g. 8h, 3d)'),
  ).action(
    action(session, async (name: string, flags: ClientFlags & { ttl: string }) => {
      const { client, out } = clientContext(session, flags);
      const e = await client.extendEnvironment(name, flags.ttl);
      if (out.format === 'json') out.json(e);
      else out.line(`Environment ${e.name} now expires at ${e.expiresAt ?? 'never'}.`);
      return 0;
    }),
  );

  withClientOptions(
    env
      .command('drift-check')
      .description('check an environment for changes made outside Plinth (-o json: {request, run})')
      .argument('<name>')
      .option('--wait', 'follow the run until it ends'),
  ).action(
    action(session, async (name: string, flags: ClientFlags & { wait?: boolean }) => {
      const { client, out } = clientContext(session, flags);
      const accepted = await client.checkEnvironmentDrift(name);
      return followRequest(session, client, out, accepted, { wait: flags.wait === true, name });
    }),
  );

  withClientOptions(
    env
      .command('reconcile')
      .description(
        'bring a drifted environment back to its approved inputs: plan, approval, apply (-o json: {request, run})',
      )
      .argument('<name>')
      .option('--wait', 'follow the run until it waits for approval or ends'),
  ).action(
    action(session, async (name: string, flags: ClientFlags & { wait?: boolean }) => {
      const { client, out } = clientContext(session, flags);
      const accepted = await client.reconcileEnvironment(name);
      return followRequest(session, client, out, accepted, { wait: flags.wait === true, name });
    }),
  );
}

interface CreateFlags {
  region: string;
  team?: string;
  tier?: string;
  ttl?: string;
  protected?: boolean;
  wait?: boolean;
}

interface UpdateFlags {
  region?: string;
  team?: string;
  tier?: string;
  ttl?: string;
  protected?: boolean;
  wait?: boolean;
}

function printEnvironment(out: Output, e: Environment): void {
  const field = (label: string, value: string) => out.line(`${`${label}:`.padEnd(14)}${value}`);
  field('Name', e.name);
  field('Status', out.paint(e.status, phaseStyle(e.status)));
  field('Region', e.region);
  if (e.team) field('Team', e.team);
  if (e.tier) field('Tier', e.tier);
  if (e.protected) field('Protected', 'yes (never expires)');
  if (e.expiresAt) field('Expires', e.expiresAt);
  if (e.drift?.checkedAt) {
    const changes = (e.drift.changes ?? []) as { address?: string; actions?: string[] }[];
    field(
      'Drift',
      e.drifted
        ? `drifted (checked ${e.drift.checkedAt}): ${changes.map((c) => `${c.address ?? '?'} ${(c.actions ?? []).join('/')}`).join(', ')}; run plinth env reconcile ${e.name}`
        : `none (checked ${e.drift.checkedAt})`,
    );
  }
  if (e.message) field('Message', e.message);
  if (e.lastRequestId) field('Last request', e.lastRequestId);
  field('Created', e.createdAt);
  field('Updated', e.updatedAt);
  const outputs = Object.entries(e.outputs ?? {});
  if (outputs.length > 0) {
    out.line('Outputs:');
    for (const [k, v] of outputs)
      out.line(`  ${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`);
  }
}

/**
 * After a request was accepted: waits briefly (or, with `wait`, until the
 * run needs someone or ends) and says what to do next.
 */
async function followRequest(
  session: Session,
  client: PlinthClient,
  out: Output,
  accepted: AcceptedRequest,
  opts: { wait: boolean; name: string },
): Promise<number> {
  const intervalMs = session.io.pollIntervalMs ?? 500;
  const people = out.format !== 'json';
  if (people)
    out.line(`Request ${accepted.id} accepted (${accepted.action} ${accepted.kind} ${opts.name}).`);
  const deadline = opts.wait
    ? Number.POSITIVE_INFINITY
    : Date.now() + (session.io.briefWaitMs ?? 5000);
  const request: PlatformRequest = await waitForRun(client, accepted.id, { intervalMs, deadline });
  const runRef = request.runs[0];
  let run: Run | undefined;
  if (runRef) {
    if (people) out.line(`Run ${runRef.id} started.`);
    run = await watchRun(client, runRef.id, {
      intervalMs,
      deadline,
      ...(opts.wait && people ? { progress: out } : {}),
    });
  }
  if (!people) {
    out.json({ request, run: run ?? null });
    return run && ['Failed', 'Error'].includes(run.phase) ? 1 : 0;
  }
  if (!run) {
    if (request.message) out.line(`Request ${request.id} is ${request.status}: ${request.message}`);
    else out.line(`No run yet. Follow it with: plinth runs list --request ${request.id}`);
    return ['Failed', 'Error'].includes(request.status) ? 1 : 0;
  }
  if (run.waitingForApproval) {
    printApprovalHint(out, run);
    return 0;
  }
  if (isFinished(run)) {
    out.line(
      `Run ${run.id} ${out.paint(describePhase(run), phaseStyle(run.phase))}${run.message ? `: ${run.message}` : ''}`,
    );
    if (run.phase === 'Succeeded') {
      out.line(`See it: plinth env get ${opts.name}`);
      return 0;
    }
    out.line(`See why: plinth runs get ${run.id} (and plinth runs logs ${run.id})`);
    return 1;
  }
  out.line(`Follow it: plinth runs get ${run.id} (or plinth runs logs ${run.id} -f)`);
  return 0;
}
