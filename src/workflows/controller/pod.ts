import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { allowExpressionsOnly, substitute } from '../expressions/index.js';
import type { StepFilesystem, StepResult } from '../executor/index.js';
import { podName, timestamp } from '../model/names.js';
import {
  NodePhase,
  type NodeStatus,
  type Outputs,
  type Parameter,
  type Template,
} from '../model/types.js';
import {
  artifactPath,
  exportGlobalArtifacts,
  loadInputArtifacts,
  saveOutputArtifacts,
  type SavedArtifacts,
} from './artifacts.js';
import { isDaemon, watchDaemon } from './daemon.js';
import type { NodeContext } from './execute.js';
import { containerArgv, scriptArgv } from './images.js';
import { isFulfilled, type WorkflowRun } from './run.js';
import { podFilesystem } from './step-filesystem.js';

const MAX_RESULT = 256 * 1024;

/** Argo's message for a pod that was gone when the engine came back. */
export const LOST_PROCESS_MESSAGE =
  "pod deleted: the step's process was lost when the engine stopped";

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

/** The working directory of a node's process. */
export function nodeWorkDir(run: WorkflowRun, node: NodeStatus): string {
  return join(run.deps.dataDir, 'workflows', run.uid, node.id);
}

/**
 * A script or container template: one host process. Its stdout becomes
 * `outputs.result`, its exit code `outputs.exitCode`, and `outputs.parameters`
 * are read from the files they name once it has exited.
 */
export function executePod(run: WorkflowRun, ctx: NodeContext): void {
  const { node } = ctx;
  if (node.phase !== NodePhase.Pending || run.processes.has(node.id) || node.hostNodeName) {
    if (!run.processes.has(node.id)) run.markPhase(node, NodePhase.Error, LOST_PROCESS_MESSAGE);
    return;
  }
  if (isPastDeadline(run, ctx)) {
    run.markPhase(node, NodePhase.Failed, DEADLINE_MESSAGE);
    return;
  }
  let template: Template;
  try {
    template = substitute(ctx.template, ctx.tags, allowExpressionsOnly);
  } catch (err) {
    run.markPhase(node, NodePhase.Error, (err as Error).message);
    return;
  }
  const body = template.script ?? template.container ?? {};
  const command = template.script
    ? scriptArgv(body.image, body.command, body.args)
    : (containerArgv(body.image, body.command, body.args) ?? []);
  if (command.length === 0) {
    run.markPhase(
      node,
      NodePhase.Error,
      `templates.${template.name}: a container needs a command to run on this machine (its image '${body.image ?? ''}' is not pulled)`,
    );
    return;
  }
  const fs = podFilesystem(run, node, template);
  const inputArtifacts = node.inputs?.artifacts ?? [];
  if (inputArtifacts.length === 0) {
    run.startPod(() => startProcess(run, ctx, node, template, command, fs));
    return;
  }
  run.startPod(() => {
    void run.deps.track(
      loadInputArtifacts(run, inputArtifacts, nodeWorkDir(run, node), fs).then(async (error) => {
        if (error === undefined) {
          startProcess(run, ctx, node, template, command, fs);
          return;
        }
        if (run.detached) return;
        await run.apply(() => {
          run.podEnded();
          run.markPhase(node, NodePhase.Error, error);
        });
      }),
    );
  });
}

/** Argo's message for a step ended by its own or the Workflow's deadline. */
export const DEADLINE_MESSAGE = 'Step exceeded its deadline';

function isPastDeadline(run: WorkflowRun, ctx: NodeContext): boolean {
  if (ctx.hooked) return ctx.deadline !== undefined && Date.now() >= ctx.deadline;
  return run.deadlineExceeded || (ctx.deadline !== undefined && Date.now() >= ctx.deadline);
}

function startProcess(
  run: WorkflowRun,
  ctx: NodeContext,
  node: NodeStatus,
  template: Template,
  command: string[],
  fs: StepFilesystem | undefined,
): void {
  if (isFulfilled(node) || run.detached) {
    run.podEnded();
    return;
  }
  if (run.shutdown && !ctx.hooked) {
    run.podEnded();
    run.markPhase(node, NodePhase.Failed, `Stopped with strategy '${run.shutdown}'`);
    return;
  }
  if (isPastDeadline(run, ctx)) {
    run.podEnded();
    run.markPhase(node, NodePhase.Failed, DEADLINE_MESSAGE);
    return;
  }
  const body = template.script ?? template.container ?? {};
  const workDir = nodeWorkDir(run, node);
  const env: Record<string, string> = {
    ARGO_WORKFLOW_NAME: run.name,
    ARGO_WORKFLOW_UID: run.uid,
    ARGO_NODE_ID: node.id,
    ARGO_POD_NAME: podName(run.name, node.name, template.name),
    ARGO_CONTAINER_NAME: 'main',
    ARGO_TEMPLATE: JSON.stringify(template),
  };
  for (const e of body.env ?? []) if (e.value !== undefined) env[e.name] = e.value;
  const workflowUid = run.uid;
  const tail =
    body.terminationMessagePolicy === 'FallbackToLogsOnError' ? new LogTail() : undefined;
  const handle = run.deps.runner.start({
    workDir,
    argv: command,
    ...(template.script ? { script: template.script.source ?? '' } : {}),
    ...(fs ? { filesystem: fs } : {}),
    env,
    onLine: (stream, text) => {
      tail?.push(text);
      run.deps.logs.add({
        workflowUid,
        nodeId: node.id,
        stream,
        time: new Date().toISOString(),
        text,
      });
    },
  });
  run.processes.set(node.id, handle);
  if (ctx.hooked) run.hookedProcesses.add(node.id);
  // hostNodeName records that a process was started for this node, for recovery after a restart.
  node.hostNodeName = 'localhost';
  run.markPhase(node, NodePhase.Running);
  if (isDaemon(template)) watchDaemon(run, node, template, workDir);
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  if (ctx.deadline !== undefined) {
    timer = setTimeout(
      () => {
        timedOut = true;
        handle.kill();
      },
      Math.max(0, ctx.deadline - Date.now()),
    );
    timer.unref();
  }
  void run.deps.track(
    handle.done.then(async (result) => {
      if (timer) clearTimeout(timer);
      // The lines are written now, without holding up the next step: readers flush first.
      void run.deps.logs.flush();
      run.processes.delete(node.id);
      run.hookedProcesses.delete(node.id);
      if (run.detached) return;
      const saved =
        (template.outputs?.artifacts?.length ?? 0) > 0 && !isFulfilled(node)
          ? await saveOutputArtifacts(run, node, template, workDir, fs)
          : undefined;
      await run.apply(() => {
        run.podEnded(node.id);
        if (isFulfilled(node)) return;
        if (timedOut || (run.deadlineExceeded && !ctx.hooked)) {
          node.outputs = {
            exitCode: String(result.exitCode ?? 128 + (SIGNALS[result.signal ?? ''] ?? 0)),
          };
          run.markPhase(node, NodePhase.Failed, DEADLINE_MESSAGE);
          return;
        }
        finishPod(run, node, template, workDir, result, tail?.text(), saved, fs);
      });
    }),
  );
}

function finishPod(
  run: WorkflowRun,
  node: NodeStatus,
  tmpl: Template,
  workDir: string,
  result: StepResult,
  terminationMessage?: string,
  saved?: SavedArtifacts,
  fs?: StepFilesystem,
): void {
  if (node.finishedAt) return;
  if (result.startError !== undefined) {
    run.markPhase(node, NodePhase.Error, result.startError);
    return;
  }
  const exitCode = result.exitCode ?? 128 + (SIGNALS[result.signal ?? ''] ?? 0);
  const outputs: Outputs = { exitCode: String(exitCode) };
  let stdout = result.stdout.endsWith('\n') ? result.stdout.slice(0, -1) : result.stdout;
  if (stdout.length > MAX_RESULT) stdout = stdout.slice(stdout.length - MAX_RESULT);
  outputs.result = stdout;
  let error: string | undefined;
  if (exitCode === 0) {
    const params: Parameter[] = [];
    for (const p of tmpl.outputs?.parameters ?? []) {
      const value = readParameter(p, workDir, fs);
      if (typeof value === 'object') {
        error = value.error;
        break;
      }
      params.push({ name: p.name, value, ...(p.globalName ? { globalName: p.globalName } : {}) });
    }
    if (params.length > 0) outputs.parameters = params;
  }
  if (saved && saved.artifacts.length > 0) outputs.artifacts = saved.artifacts;
  if (exitCode === 0 && error === undefined && saved?.error !== undefined) error = saved.error;
  node.outputs = outputs;
  run.exportGlobals(outputs.parameters);
  exportGlobalArtifacts(run, outputs.artifacts);
  if (error !== undefined) run.markPhase(node, NodePhase.Error, error);
  else if (exitCode !== 0) {
    const message = `Error (exit code ${exitCode})`;
    run.markPhase(
      node,
      NodePhase.Failed,
      terminationMessage ? `${message}: ${terminationMessage}` : message,
    );
  } else run.markPhase(node, NodePhase.Succeeded);
  node.finishedAt ??= timestamp();
}

function readParameter(
  p: Parameter,
  workDir: string,
  fs?: StepFilesystem,
): string | { error: string } {
  const from = p.valueFrom;
  if (from?.path !== undefined) {
    const file = artifactPath(workDir, from.path, fs);
    try {
      const text = readFileSync(file, 'utf8');
      return text.endsWith('\n') ? text.slice(0, -1) : text;
    } catch (err) {
      if (from.default !== undefined) return from.default;
      return { error: `failed to read output parameter '${p.name}': ${(err as Error).message}` };
    }
  }
  if (p.value !== undefined) return p.value;
  if (from?.default !== undefined) return from.default;
  return { error: `output parameter '${p.name}' has no value: set valueFrom.path or value` };
}

/**
 * Kubernetes' `terminationMessagePolicy: FallbackToLogsOnError`: a failed
 * container's message is the tail of its logs, at most 80 lines and 2048 bytes.
 */
class LogTail {
  private readonly lines: string[] = [];
  push(line: string): void {
    this.lines.push(line);
    if (this.lines.length > 80) this.lines.shift();
  }
  text(): string | undefined {
    let text = this.lines.join('\n').trim();
    while (Buffer.byteLength(text) > 2048) text = text.slice(text.indexOf('\n') + 1 || 1);
    return text || undefined;
  }
}
