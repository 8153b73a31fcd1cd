import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { InputError } from '../../errors/index.js';
import type { AcceptedRequest, Kind, PlinthClient, Resource, Run } from '../client/index.js';
import { action, type Session } from '../context.js';
import { formatAge, phaseStyle, type Output } from '../output.js';
import { clientContext, withClientOptions, type ClientFlags } from './client-options.js';
import { waitForRun, watchRun } from './follow.js';
import { printApprovalHint } from './run-view.js';

interface CreateFlags extends ClientFlags {
  set?: string[];
  file?: string;
  wait?: boolean;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Turns `--set` text into the type the kind's schema gives the field, so `size_gb=20` is a number. */
function typed(kind: Kind, field: string, text: string): unknown {
  const properties = (kind.schema['properties'] ?? {}) as Record<string, { type?: string }>;
  const type = properties[field]?.type;
  if (
    (type === 'integer' || type === 'number') &&
    text.trim() !== '' &&
    !Number.isNaN(Number(text))
  )
    return Number(text);
  if (type === 'boolean' && (text === 'true' || text === 'false')) return text === 'true';
  if ((type === 'object' || type === 'array') && /^[[{]/.test(text)) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

/** The request body: the `-f` file's object, then each `--set key=value` over it. */
export function inputOf(
  kind: Kind,
  flags: { set?: string[]; file?: string },
  cwd: string,
): Record<string, unknown> {
  let input: Record<string, unknown> = {};
  if (flags.file !== undefined) {
    const file = path.resolve(cwd, flags.file);
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new InputError(`cannot read ${flags.file} as JSON: ${(err as Error).message}`, {
        errors: [
          {
            field: 'file',
            message: 'is not a JSON file',
            fix: 'pass a file holding one JSON object',
          },
        ],
      });
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new InputError(`${flags.file} must hold a JSON object`, {
        errors: [
          { field: 'file', message: 'is not an object', fix: 'write {"field": value, ...}' },
        ],
      });
    }
    input = { ...(parsed as Record<string, unknown>) };
  }
  for (const pair of flags.set ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      throw new InputError(`--set ${pair}: expected key=value`, {
        errors: [{ field: 'set', message: `"${pair}" has no "="`, fix: 'write --set key=value' }],
      });
    }
    const key = pair.slice(0, eq);
    input[key] = typed(kind, key, pair.slice(eq + 1));
  }
  return input;
}

function printResource(out: Output, r: Resource): void {
  const field = (label: string, value: string) => out.line(`${`${label}:`.padEnd(14)}${value}`);
  field('Kind', r.kind);
  field('Name', r.name);
  field('Status', out.paint(r.status, phaseStyle(r.status)));
  if (r.team) field('Team', r.team);
  if (r.message) field('Message', r.message);
  if (r.lastRequestId) field('Last request', r.lastRequestId);
  field('Created', `${r.createdAt} by ${r.createdBy}`);
  field('Updated', r.updatedAt);
  const section = (title: string, values: Record<string, unknown>) => {
    const entries = Object.entries(values);
    if (entries.length === 0) return;
    out.line(`${title}:`);
    for (const [k, v] of entries)
      out.line(`  ${k} = ${typeof v === 'string' ? v : JSON.stringify(v)}`);
  };
  section('Inputs', r.inputs);
  section('Outputs', r.outputs);
}

/** Prints the request; with `wait`, follows its run until it waits for approval or ends. */
async function followRequest(
  session: Session,
  client: PlinthClient,
  out: Output,
  accepted: AcceptedRequest,
  wait: boolean,
): Promise<number> {
  const intervalMs = session.io.pollIntervalMs ?? 500;
  const deadline = wait ? Number.POSITIVE_INFINITY : Date.now() + (session.io.briefWaitMs ?? 5000);
  const people = out.format !== 'json';
  if (people) {
    out.line(
      `Request ${accepted.id} accepted (${accepted.action} ${accepted.kind} ${accepted.target}).`,
    );
  }
  const request = await waitForRun(client, accepted.id, { intervalMs, deadline });
  const ref = request.runs[0];
  let run: Run | undefined;
  if (ref) {
    if (people) out.line(`Run ${ref.id} started.`);
    run = await watchRun(client, ref.id, {
      intervalMs,
      deadline,
      ...(wait && people ? { progress: out } : {}),
    });
  }
  const failed = (phase: string | undefined) => phase === 'Failed' || phase === 'Error';
  if (!people) {
    out.json({ request, run: run ?? null });
    return failed(run?.phase ?? request.status) ? 1 : 0;
  }
  if (!run) {
    out.line(
      request.message
        ? `Request ${request.id} is ${request.status}: ${request.message}`
        : `No run yet. Follow it with: plinth runs list --request ${request.id}`,
    );
    return failed(request.status) ? 1 : 0;
  }
  if (run.waitingForApproval) printApprovalHint(out, run);
  else if (failed(run.phase)) {
    out.line(`Run ${run.id} ${run.phase}. See why: plinth runs get ${run.id}`);
    return 1;
  } else out.line(`See it: plinth infra get ${accepted.kind} ${accepted.target}`);
  return 0;
}

/** Adds `plinth infra create|list|get|update|delete`. */
export function registerInfraCommands(program: Command, session: Session): void {
  const infra = program
    .command('infra')
    .description("request, list, inspect, change and delete resources of the catalog's kinds");

  withClientOptions(
    infra
      .command('create')
      .description(
        'request a resource of a kind (see plinth catalog list); -o json: {request, run}',
      )
      .argument('<kind>')
      .option('--set <key=value>', 'a field of the request (repeatable)', collect)
      .option(
        '-f, --file <input.json>',
        'the request as a JSON object (--set overrides its fields)',
      )
      .option('--wait', 'follow the run until it waits for approval or ends'),
  ).action(
    action(session, async (kindName: string, flags: CreateFlags) => {
      const { client, out } = clientContext(session, flags);
      const kind = await client.getKind(kindName);
      const input = inputOf(kind, flags, session.io.cwd ?? process.cwd());
      const accepted = await client.createResource(kind.name, input);
      return followRequest(session, client, out, accepted, flags.wait === true);
    }),
  );

  withClientOptions(
    infra
      .command('list')
      .description('list resources, newest first')
      .argument('[kind]', 'only this kind')
      .option('--team <team>', 'only this team’s')
      .option('--status <status>', 'only those with this status (Provisioning, Ready, ...)'),
  ).action(
    action(
      session,
      async (kind: string | undefined, flags: ClientFlags & { team?: string; status?: string }) => {
        const { client, out } = clientContext(session, flags);
        const list = await client.listResources({
          ...(kind ? { kind } : {}),
          ...(flags.team ? { team: flags.team } : {}),
          ...(flags.status ? { status: flags.status } : {}),
        });
        if (out.format === 'json') {
          out.json(list);
          return 0;
        }
        if (list.items.length === 0) {
          out.note('No resources.');
          return 0;
        }
        const now = Date.now();
        out.table(
          ['kind', 'name', 'status', 'team', 'age', 'message'],
          list.items.map((r) => [
            r.kind,
            r.name,
            { text: r.status, style: phaseStyle(r.status) },
            r.team ?? '',
            formatAge(r.createdAt, now),
            r.message ?? '',
          ]),
        );
        return 0;
      },
    ),
  );

  withClientOptions(
    infra
      .command('get')
      .description('show a resource, its inputs and its Terraform outputs')
      .argument('<kind>')
      .argument('<name>'),
  ).action(
    action(session, async (kind: string, name: string, flags: ClientFlags) => {
      const { client, out } = clientContext(session, flags);
      const resource = await client.getResource(kind, name);
      if (out.format === 'json') out.json(resource);
      else printResource(out, resource);
      return 0;
    }),
  );

  withClientOptions(
    infra
      .command('update')
      .description(
        'change a resource’s inputs: its run plans, waits for an approval showing the plan, applies (-o json: {request, run})',
      )
      .argument('<kind>')
      .argument('<name>')
      .option('--set <key=value>', 'a field to change (repeatable)', collect)
      .option('-f, --file <input.json>', 'the fields as a JSON object (--set overrides them)')
      .option('--replace', 'the input given is all of it (PUT), not the fields to change')
      .option('--wait', 'follow the run until it waits for approval or ends'),
  ).action(
    action(
      session,
      async (kindName: string, name: string, flags: CreateFlags & { replace?: boolean }) => {
        const { client, out } = clientContext(session, flags);
        const kind = await client.getKind(kindName);
        const input = inputOf(kind, flags, session.io.cwd ?? process.cwd());
        const accepted = await client.updateResource(kind.name, name, input, {
          replace: flags.replace === true,
        });
        return followRequest(session, client, out, accepted, flags.wait === true);
      },
    ),
  );

  withClientOptions(
    infra
      .command('delete')
      .description('request the destruction of a resource (-o json: {request, run})')
      .argument('<kind>')
      .argument('<name>')
      .option('--wait', 'follow the run until it waits for approval or ends'),
  ).action(
    action(session, async (kind: string, name: string, flags: ClientFlags & { wait?: boolean }) => {
      const { client, out } = clientContext(session, flags);
      const accepted = await client.deleteResource(kind, name);
      return followRequest(session, client, out, accepted, flags.wait === true);
    }),
  );
}
