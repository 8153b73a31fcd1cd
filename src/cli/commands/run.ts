import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { isPlinthError, ManifestError } from '../../errors/index.js';
import type { Workflow, WorkflowTemplate } from '../../workflows/index.js';
import type { RunNode } from '../client/index.js';
import { action, type Session } from '../context.js';
import { createOutput, type Output } from '../output.js';
import { nodeIcon, printRun } from './run-view.js';

interface RunFlags {
  templates: string[];
  parameter: string[];
  output?: string;
  dataDir?: string;
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** Adds `plinth run WORKFLOW.yaml`: run a Workflow to completion with the embedded engine. */
export function registerRunCommand(program: Command, session: Session): void {
  program
    .command('run')
    .description('run a Workflow to completion on this machine, like `argo submit --wait`')
    .argument('<workflow>', 'the Workflow manifest (YAML or JSON)')
    .option(
      '--templates <file-or-dir>',
      'WorkflowTemplates for templateRef and workflowTemplateRef, and ConfigMaps (repeatable)',
      collect,
      [],
    )
    .option('-p, --parameter <name=value>', 'set a workflow argument (repeatable)', collect, [])
    .option('-o, --output <format>', 'json: print the final Workflow object')
    .option('--data-dir <dir>', 'keep the run here instead of a temporary directory')
    .action(
      action(session, (file: string, flags: RunFlags) => runWorkflowFile(session, file, flags)),
    );
}

/**
 * The Workflow as Argo's controller leaves one whose spec it refuses: Failed,
 * with the reason after `invalid spec: `, and no nodes.
 */
function invalidSpec(workflow: Workflow, reason: string): Workflow {
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    ...workflow,
    status: {
      phase: 'Failed',
      message: `invalid spec: ${reason}`,
      startedAt: now,
      finishedAt: now,
    },
  };
}

async function runWorkflowFile(session: Session, file: string, flags: RunFlags): Promise<number> {
  const { io } = session;
  if (flags.output !== undefined && flags.output !== 'json') {
    io.stderr.write(`plinth: unknown output format '${flags.output}' (use -o json)\n`);
    return 2;
  }
  const out = createOutput({
    stdout: io.stdout,
    stderr: io.stderr,
    env: io.env,
    format: flags.output === 'json' ? 'json' : 'table',
  });
  const cwd = io.cwd ?? process.cwd();
  const parameters: Record<string, string> = {};
  for (const p of flags.parameter) {
    const eq = p.indexOf('=');
    if (eq <= 0) {
      io.stderr.write(`plinth: -p ${p}: expected NAME=VALUE\n`);
      return 2;
    }
    parameters[p.slice(0, eq)] = p.slice(eq + 1);
  }

  const workflows = await import('../../workflows/index.js');
  const catalog = await import('../../catalog/index.js');
  let workflow: Workflow;
  const templates: WorkflowTemplate[] = [];
  const configMaps: unknown[] = [];
  try {
    const wfFile = path.resolve(cwd, file);
    const docs = catalog.parseManifests(readText(wfFile, file), file);
    const wfDoc = docs.find((d) => kindOf(d.object) === 'Workflow') ?? docs[0];
    if (!wfDoc) throw new ManifestError('no Workflow in this file', { file });
    workflow = withPosition(() => workflows.parseWorkflow(wfDoc.object, file), wfDoc);
    for (const d of docs) {
      if (d !== wfDoc && isTemplateKind(kindOf(d.object))) {
        templates.push(withPosition(() => workflows.parseWorkflowTemplate(d.object, file), d));
      }
      if (kindOf(d.object) === 'ConfigMap') configMaps.push(d.object);
    }
    for (const source of flags.templates) {
      for (const f of yamlFiles(path.resolve(cwd, source), source)) {
        for (const d of catalog.parseManifests(readText(f.abs, f.shown), f.shown)) {
          if (kindOf(d.object) === 'ConfigMap') configMaps.push(d.object);
          if (!isTemplateKind(kindOf(d.object))) continue;
          templates.push(withPosition(() => workflows.parseWorkflowTemplate(d.object, f.shown), d));
        }
      }
    }
  } catch (err) {
    if (isPlinthError(err)) {
      io.stderr.write(`${formatManifestError(err)}\n`);
      return 2;
    }
    throw err;
  }

  const dataDir = flags.dataDir
    ? path.resolve(cwd, flags.dataDir)
    : mkdtempSync(path.join(tmpdir(), 'plinth-run-'));
  workflows.writeConfigMaps(path.join(dataDir, 'config'), configMaps);
  const { createSqliteStore } = await import('../../store/index.js');
  const { createLogger } = await import('../../logging/index.js');
  const store = await createSqliteStore({ filename: path.join(dataDir, 'plinth.db') });
  const engine = workflows.createWorkflowEngine({
    store,
    logger: createLogger({ level: 'silent' }),
    dataDir,
    stepEnv: { PLINTH_DATA_DIR: dataDir },
    templates: workflows.createTemplateRegistry(templates),
  });
  const progress = out.format === 'json' ? undefined : createProgress(out, io.stderr);
  const unsubscribe = progress ? engine.onChange((wf) => progress.update(wf)) : () => {};
  try {
    let final: Workflow;
    try {
      final = await workflows.runToCompletion(engine, workflow, { parameters });
    } catch (err) {
      if (isPlinthError(err, 'INVALID_MANIFEST') || isPlinthError(err, 'INVALID_INPUT')) {
        io.stderr.write(`plinth: ${file}: error: ${err.message}\n`);
        if (out.format === 'json') out.json(invalidSpec(workflow, err.message));
        return 1;
      }
      throw err;
    }
    unsubscribe();
    progress?.end();
    if (out.format === 'json') out.json(final);
    else printSummary(out, final);
    return final.status?.phase === 'Succeeded' ? 0 : 1;
  } finally {
    unsubscribe();
    await engine.stop();
    await store.close();
    if (!flags.dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

function readText(abs: string, shown: string): string {
  try {
    return readFileSync(abs, 'utf8');
  } catch (err) {
    throw new ManifestError(`cannot read: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, {
      file: shown,
    });
  }
}

function yamlFiles(abs: string, shown: string): { abs: string; shown: string }[] {
  let stat;
  try {
    stat = statSync(abs);
  } catch {
    throw new ManifestError('no such file or directory', { file: shown });
  }
  if (!stat.isDirectory()) return [{ abs, shown }];
  return readdirSync(abs)
    .sort()
    .flatMap((name) => {
      const child = path.join(abs, name);
      const childShown = path.join(shown, name);
      if (statSync(child).isDirectory()) return yamlFiles(child, childShown);
      return /\.(ya?ml|json)$/.test(name) ? [{ abs: child, shown: childShown }] : [];
    });
}

function kindOf(object: unknown): string | undefined {
  return typeof object === 'object' && object !== null
    ? (object as { kind?: string }).kind
    : undefined;
}

function isTemplateKind(kind: string | undefined): boolean {
  return kind === 'WorkflowTemplate' || kind === 'ClusterWorkflowTemplate';
}

/** Gives a shape error without a line the position of its document. */
function withPosition<T>(
  parse: () => T,
  doc: { file: string; position: { line: number; column: number } },
): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof ManifestError && err.line === undefined) {
      const text = err.message.startsWith(`${doc.file}: `)
        ? err.message.slice(doc.file.length + 2)
        : err.message;
      throw new ManifestError(text, { file: doc.file, ...doc.position });
    }
    throw err;
  }
}

/** `FILE:LINE:COL: error: what`, as compilers print it. */
function formatManifestError(err: Error): string {
  if (err instanceof ManifestError && err.file !== undefined) {
    const where = [err.file, err.line, err.column].filter((p) => p !== undefined).join(':');
    const text = err.message.startsWith(`${where}: `)
      ? err.message.slice(where.length + 2)
      : err.message;
    return `${where}: error: ${text}`;
  }
  return `plinth: error: ${err.message}`;
}

function toRunNodes(wf: Workflow): RunNode[] {
  return Object.values(wf.status?.nodes ?? {}).map((n) => ({
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
}

/** Prints the Workflow as `argo get` does: its fields, outputs, and the node tree. */
function printSummary(out: Output, wf: Workflow): void {
  const status = wf.status;
  const outputs: Record<string, string> = {};
  for (const p of status?.outputs?.parameters ?? []) outputs[p.name] = p.value ?? '';
  printRun(
    out,
    {
      id: wf.metadata.name ?? '',
      phase: (status?.phase || 'Pending') as never,
      message: status?.message ?? null,
      startedAt: status?.startedAt ?? null,
      finishedAt: status?.finishedAt ?? null,
      plan: null,
      outputs,
      nodes: toRunNodes(wf),
    },
    Date.now(),
  );
}

interface Progress {
  update(wf: Workflow): void;
  end(): void;
}

/**
 * What people see while the Workflow runs: on a terminal, the node tree
 * redrawn in place (on stderr, so stdout keeps the summary); otherwise one
 * line per node phase change.
 */
function createProgress(
  out: Output,
  stderr: { write(s: string): unknown; isTTY?: boolean },
): Progress {
  const seen = new Map<string, string>();
  if (stderr.isTTY) {
    let drawn = 0;
    let last = 0;
    return {
      update(wf) {
        const now = Date.now();
        if (now - last < 100 && wf.status?.finishedAt === undefined) return;
        last = now;
        const lines = toRunNodes(wf)
          .sort((a, b) => (a.startedAt ?? '').localeCompare(b.startedAt ?? ''))
          .map((n) => `${nodeIcon(n)} ${n.name} ${n.phase}${n.message ? `: ${n.message}` : ''}`);
        stderr.write(`${drawn > 0 ? `\u001b[${drawn}F\u001b[J` : ''}${lines.join('\n')}\n`);
        drawn = lines.length;
      },
      end() {},
    };
  }
  return {
    update(wf) {
      for (const n of Object.values(wf.status?.nodes ?? {})) {
        if (n.type === 'StepGroup' || n.type === 'TaskGroup') continue;
        if (seen.get(n.id) === n.phase) continue;
        seen.set(n.id, n.phase);
        stderr.write(`${n.name}: ${n.phase}${n.message ? ` (${n.message})` : ''}\n`);
      }
    },
    end() {
      void out;
    },
  };
}
