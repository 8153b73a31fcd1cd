import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { parse } from 'yaml';
import { InputError } from '../../errors/index.js';
import type {
  ArgoWorkflow,
  LogEntry,
  PlinthClient,
  Run,
  RunNode,
  WorkflowOperationName,
} from '../client/index.js';
import { action, sleep, type Session } from '../context.js';
import { formatAge, phaseStyle, type Output } from '../output.js';
import { clientContext, withClientOptions, type ClientFlags } from './client-options.js';
import { describePhase, printRun } from './run-view.js';

interface WorkflowFlags extends ClientFlags {
  namespace: string;
}

const collect = (value: string, previous: string[]) => [...previous, value];
const FINISHED = new Set(['Succeeded', 'Failed', 'Error']);

/** Adds `-n, --namespace` and the client options. */
function withWorkflowOptions(cmd: Command): Command {
  return withClientOptions(cmd.option('-n, --namespace <ns>', 'the namespace', 'default'));
}

/** The Workflow as the run view draws it: its fields and the node tree, as `argo get` shows them. */
export function workflowAsRun(wf: ArgoWorkflow): Run {
  const status = wf.status ?? {};
  const outputs: Record<string, string> = {};
  for (const p of status.outputs?.parameters ?? []) outputs[p.name] = p.value ?? '';
  const nodes: RunNode[] = Object.values(status.nodes ?? {}).map((n) => ({
    id: n.id,
    name: n.name,
    displayName: n.displayName,
    type: n.type,
    templateName: n.templateName ?? n.templateRef?.template ?? null,
    phase: n.phase,
    message: n.message ?? null,
    startedAt: n.startedAt ?? null,
    finishedAt: n.finishedAt ?? null,
    boundaryID: n.boundaryID ?? null,
    children: n.children ?? null,
  }));
  return {
    id: wf.metadata.name ?? '',
    phase: (status.phase || 'Pending') as Run['phase'],
    message: status.message ?? null,
    startedAt: status.startedAt ?? null,
    finishedAt: status.finishedAt ?? null,
    plan: null,
    outputs,
    nodes,
  };
}

function printWorkflow(out: Output, wf: ArgoWorkflow): void {
  if (out.format === 'json') out.json(wf);
  else printRun(out, workflowAsRun(wf), Date.now());
}

function readWorkflowFile(file: string, cwd: string): unknown {
  const abs = path.resolve(cwd, file);
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch {
    throw new InputError(`cannot read ${file}`, {
      errors: [
        { field: 'file', message: 'no such file', fix: 'give the path of a Workflow manifest' },
      ],
    });
  }
  return parse(text) as unknown;
}

async function waitUntilDone(
  client: PlinthClient,
  namespace: string,
  name: string,
): Promise<ArgoWorkflow> {
  for (;;) {
    const wf = await client.getWorkflow(namespace, name);
    if (FINISHED.has(wf.status?.phase ?? '') && wf.status?.finishedAt) return wf;
    await sleep(200);
  }
}

function printEntry(out: Output, e: LogEntry): void {
  if (out.format === 'json') out.line(JSON.stringify(e));
  else out.line(`${out.paint(`${e.podName || e.nodeId}:`, 'dim')} ${e.text.replace(/\r?\n$/, '')}`);
}

/** What each operation's flags send, in the shape of Argo's server API. */
interface OperationFlags extends WorkflowFlags {
  message?: string;
  nodeFieldSelector?: string;
  restartSuccessful?: boolean;
  memoized?: boolean;
  parameter: string[];
}

const OPERATIONS: Record<WorkflowOperationName, string> = {
  suspend: 'suspend a Workflow: running steps go on, no new step starts until resumed',
  resume: 'resume a suspended Workflow (or its suspend nodes)',
  stop: 'stop a Workflow: running steps end, exit handlers still run',
  terminate: 'terminate a Workflow: running steps end, exit handlers do not run',
  retry: 'retry a Failed or Error Workflow from its failed steps',
  resubmit: 'submit a new Workflow from the spec of this one',
};

const DONE: Record<WorkflowOperationName, string> = {
  suspend: 'suspended',
  resume: 'resumed',
  stop: 'stopped',
  terminate: 'terminated',
  retry: 'retried',
  resubmit: 'resubmitted',
};

/** Adds Argo's verbs: `plinth submit|list|get|logs|suspend|resume|stop|terminate|retry|resubmit|delete`, and `plinth runs retry|cancel`. */
export function registerWorkflowCommands(program: Command, session: Session): void {
  withWorkflowOptions(
    program
      .command('submit')
      .description('submit a Workflow to the platform, like `argo submit`')
      .argument('<file>', 'the Workflow manifest (YAML or JSON)')
      .option('-p, --parameter <name=value>', 'set a workflow argument (repeatable)', collect, [])
      .option('-w, --watch', 'wait until it ends and print it; exit 0 iff it Succeeded'),
  ).action(
    action(
      session,
      async (file: string, flags: WorkflowFlags & { parameter: string[]; watch?: boolean }) => {
        const { client, out } = clientContext(session, flags);
        const workflow = readWorkflowFile(file, session.io.cwd ?? process.cwd());
        let wf = await client.submitWorkflow({
          workflow,
          namespace: flags.namespace,
          parameters: flags.parameter,
        });
        const name = wf.metadata.name ?? '';
        if (flags.watch) wf = await waitUntilDone(client, flags.namespace, name);
        if (out.format === 'json') out.json(wf);
        else if (flags.watch) printWorkflow(out, wf);
        else {
          out.line(`Workflow ${name} submitted.`);
          out.line(`Follow it: plinth get ${name} (or plinth logs ${name} -f)`);
        }
        return flags.watch && wf.status?.phase !== 'Succeeded' ? 1 : 0;
      },
    ),
  );

  withWorkflowOptions(
    program
      .command('list')
      .description('list Workflows, newest first')
      .option('--all-namespaces', 'every namespace')
      .option('--phase <phase>', 'only Workflows in this phase')
      .option('-l, --selector <key=value>', 'only Workflows with these labels (key=value,...)'),
  ).action(
    action(
      session,
      async (
        flags: WorkflowFlags & { allNamespaces?: boolean; phase?: string; selector?: string },
      ) => {
        const { client, out } = clientContext(session, flags);
        const list = await client.listWorkflows({
          ...(flags.allNamespaces ? {} : { namespace: flags.namespace }),
          ...(flags.phase ? { phase: flags.phase } : {}),
          ...(flags.selector ? { labels: flags.selector } : {}),
        });
        if (out.format === 'json') {
          out.json(list);
          return 0;
        }
        if (list.items.length === 0) {
          out.note('No workflows.');
          return 0;
        }
        const now = Date.now();
        out.table(
          ['name', 'status', 'age', 'progress', 'message'],
          list.items.map((wf) => {
            const phase = wf.status?.phase || 'Pending';
            return [
              wf.metadata.name ?? '',
              {
                text:
                  describePhase({ phase: phase as Run['phase'] }) +
                  (wf.spec['suspend'] === true ? ' (Suspended)' : ''),
                style: phaseStyle(phase),
              },
              formatAge(wf.metadata.creationTimestamp ?? wf.status?.startedAt, now),
              wf.status?.progress ?? '',
              wf.status?.message ?? '',
            ];
          }),
        );
        return 0;
      },
    ),
  );

  withWorkflowOptions(
    program
      .command('get')
      .description('show a Workflow and its node tree, like `argo get`')
      .argument('<name>'),
  ).action(
    action(session, async (name: string, flags: WorkflowFlags) => {
      const { client, out } = clientContext(session, flags);
      printWorkflow(out, await client.getWorkflow(flags.namespace, name));
      return 0;
    }),
  );

  withWorkflowOptions(
    program
      .command('logs')
      .description("print a Workflow's step logs")
      .argument('<name>')
      .option('-f, --follow', 'keep printing new lines until the Workflow ends'),
  ).action(
    action(session, async (name: string, flags: WorkflowFlags & { follow?: boolean }) => {
      const { client, out } = clientContext(session, flags);
      if (!flags.follow && out.format !== 'json') {
        session.io.stdout.write(await client.getWorkflowLogs(flags.namespace, name));
        return 0;
      }
      if (!flags.follow) {
        const res = await client.call<{ items: LogEntry[] }>(
          'GET',
          `/api/v1/workflows/${encodeURIComponent(flags.namespace)}/${encodeURIComponent(name)}/log`,
          { query: { format: 'json' } },
        );
        for (const e of res.items) printEntry(out, e);
        return 0;
      }
      for await (const e of client.followWorkflowLogs(flags.namespace, name)) printEntry(out, e);
      return 0;
    }),
  );

  for (const [op, description] of Object.entries(OPERATIONS) as [WorkflowOperationName, string][]) {
    const cmd = program.command(op).description(description).argument('<name>');
    if (op === 'stop') cmd.option('--message <text>', 'the message the stopped steps get');
    if (op === 'resume' || op === 'retry')
      cmd.option('--node-field-selector <selector>', 'select nodes, e.g. displayName=approve');
    if (op === 'retry')
      cmd.option('--restart-successful', 'also run the selected succeeded nodes again');
    if (op === 'resubmit')
      cmd.option('--memoized', 'reuse the results of the steps that succeeded');
    if (op === 'retry' || op === 'resubmit')
      cmd.option('-p, --parameter <name=value>', 'override a workflow argument', collect, []);
    withWorkflowOptions(cmd).action(
      action(session, async (name: string, flags: OperationFlags) => {
        const { client, out } = clientContext(session, flags);
        const body: Record<string, unknown> = {
          ...(flags.message === undefined ? {} : { message: flags.message }),
          ...(flags.nodeFieldSelector === undefined
            ? {}
            : { nodeFieldSelector: flags.nodeFieldSelector }),
          ...(flags.restartSuccessful ? { restartSuccessful: true } : {}),
          ...(flags.memoized ? { memoized: true } : {}),
          ...((flags.parameter ?? []).length > 0 ? { parameters: flags.parameter } : {}),
        };
        const wf = await client.operateWorkflow(op, flags.namespace, name, body);
        if (out.format === 'json') out.json(wf);
        else if (op === 'resubmit')
          out.line(`Workflow ${wf.metadata.name ?? ''} submitted (resubmitted from ${name}).`);
        else out.line(`workflow ${name} ${DONE[op]}`);
        return 0;
      }),
    );
  }

  withWorkflowOptions(
    program
      .command('delete')
      .description('delete a Workflow, ending what still runs')
      .argument('<name>'),
  ).action(
    action(session, async (name: string, flags: WorkflowFlags) => {
      const { client, out } = clientContext(session, flags);
      await client.deleteWorkflow(flags.namespace, name);
      if (out.format === 'json') out.json({ name, namespace: flags.namespace, deleted: true });
      else out.line(`Workflow '${name}' deleted`);
      return 0;
    }),
  );

  const runs = program.commands.find((c) => c.name() === 'runs');
  if (!runs) return;
  for (const verb of ['retry', 'cancel'] as const) {
    withClientOptions(
      runs
        .command(verb)
        .description(
          verb === 'retry'
            ? 'retry a Failed or Error run from its failed step'
            : 'cancel a run: its steps end, nothing new starts',
        )
        .argument('<run>'),
    ).action(
      action(session, async (id: string, flags: ClientFlags) => {
        const { client, out } = clientContext(session, flags);
        const run = verb === 'retry' ? await client.retryRun(id) : await client.cancelRun(id);
        if (out.format === 'json') out.json(run);
        else {
          out.line(`Run ${run.id} ${verb === 'retry' ? 'retried' : 'cancelled'}.`);
          out.line(`Phase: ${out.paint(describePhase(run), phaseStyle(run.phase))}`);
        }
        return 0;
      }),
    );
  }
}
