import { readFileSync } from 'node:fs';
import { allowExpressionsOnly, substitute } from '../expressions/index.js';
import type { StepFilesystem, StepResult } from '../executor/index.js';
import { podName, timestamp } from '../model/names.js';
import {
  NodePhase,
  NodeType,
  type ContainerNode,
  type NodeStatus,
  type Outputs,
  type Parameter,
  type Template,
} from '../model/types.js';
import { artifactPath } from './artifacts.js';
import type { NodeContext } from './execute.js';
import { containerArgv } from './images.js';
import { DEADLINE_MESSAGE, LOST_PROCESS_MESSAGE, nodeWorkDir } from './pod.js';
import { isFulfilled, type WorkflowRun } from './run.js';
import { podFilesystem } from './step-filesystem.js';

const MAX_RESULT = 256 * 1024;
const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

/**
 * A `containerSet` template: one Pod node whose containers run as host
 * processes in the node's working directory, each once the containers it
 * depends on have succeeded, each with a child node of type Container. The
 * `main` container's exit code decides the node (all of them when none is
 * called main); its stdout is the node's `result`.
 */
export function executeContainerSet(run: WorkflowRun, ctx: NodeContext): void {
  const { node } = ctx;
  let template: Template;
  try {
    template = substitute(ctx.template, ctx.tags, allowExpressionsOnly);
  } catch (err) {
    run.markPhase(node, NodePhase.Error, (err as Error).message);
    return;
  }
  const containers = template.containerSet?.containers ?? [];
  const invalid = validate(template.name, containers);
  if (invalid) {
    run.markPhase(node, NodePhase.Error, invalid);
    return;
  }
  const ids = new Map<string, NodeStatus>();
  for (const c of containers) {
    const name = `${node.name}.${c.name}`;
    const child =
      run.nodeByName(name) ??
      run.createNode({
        name,
        displayName: c.name,
        type: NodeType.Container,
        ...(node.templateName ? { templateName: node.templateName } : {}),
        ...(node.templateScope ? { templateScope: node.templateScope } : {}),
        phase: NodePhase.Pending,
        boundaryID: node.id,
      });
    ids.set(c.name, child);
  }
  for (const c of containers) {
    const child = ids.get(c.name)!;
    const deps = c.dependencies ?? [];
    if (deps.length === 0) run.addChild(node.id, child.id);
    for (const d of deps) run.addChild(ids.get(d)!.id, child.id);
  }
  if (node.phase !== NodePhase.Pending || node.hostNodeName) {
    // Started before the engine stopped: its processes are gone.
    for (const child of ids.values()) run.markPhase(child, NodePhase.Error, LOST_PROCESS_MESSAGE);
    run.markPhase(node, NodePhase.Error, LOST_PROCESS_MESSAGE);
    return;
  }
  run.startPod(() => new ContainerSetRun(run, ctx, template, containers, ids).start());
}

function validate(name: string, containers: ContainerNode[]): string | undefined {
  if (containers.length === 0) return `templates.${name}.containerSet.containers is empty`;
  const names = new Set<string>();
  for (const c of containers) {
    if (!c.name) return `templates.${name}.containerSet: every container needs a name`;
    if (names.has(c.name))
      return `templates.${name}.containerSet: container name '${c.name}' is used twice`;
    names.add(c.name);
    if (containerArgv(c.image, c.command, c.args) === undefined)
      return `templates.${name}.containerSet.containers.${c.name}: a container needs a command to run on this machine (its image '${c.image ?? ''}' is not pulled)`;
  }
  for (const c of containers) {
    for (const d of c.dependencies ?? []) {
      if (!names.has(d))
        return `templates.${name}.containerSet.containers.${c.name}: dependency '${d}' is not a container of this set`;
    }
  }
  // Kahn's algorithm: what is left over lies on a cycle.
  const remaining = new Map(containers.map((c) => [c.name, new Set(c.dependencies ?? [])]));
  let progressed = true;
  while (progressed) {
    progressed = false;
    for (const [n, deps] of remaining) {
      if (deps.size > 0) continue;
      remaining.delete(n);
      for (const other of remaining.values()) other.delete(n);
      progressed = true;
    }
  }
  if (remaining.size > 0)
    return `templates.${name}.containerSet: dependencies form a cycle through ${[...remaining.keys()].join(', ')}`;
  return undefined;
}

class ContainerSetRun {
  private readonly workDir: string;
  private readonly fs: StepFilesystem | undefined;
  private readonly attempts = new Map<string, number>();
  private readonly results = new Map<string, StepResult>();
  private running = 0;
  private ended = false;
  private timedOut = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly retries: number;

  constructor(
    private readonly run: WorkflowRun,
    private readonly ctx: NodeContext,
    private readonly template: Template,
    private readonly containers: ContainerNode[],
    private readonly nodes: Map<string, NodeStatus>,
  ) {
    this.workDir = nodeWorkDir(run, ctx.node);
    this.fs = podFilesystem(run, ctx.node, template);
    const n = Number(template.containerSet?.retryStrategy?.retries ?? 0);
    this.retries = Number.isInteger(n) && n > 0 ? n : 0;
  }

  start(): void {
    const { run, ctx } = this;
    const { node } = ctx;
    if (isFulfilled(node) || run.detached) return this.end();
    if (run.shutdown && !ctx.hooked) {
      this.failRest(`Stopped with strategy '${run.shutdown}'`);
      run.markPhase(node, NodePhase.Failed, `Stopped with strategy '${run.shutdown}'`);
      return this.end();
    }
    if (ctx.deadline !== undefined && Date.now() >= ctx.deadline) {
      this.failRest(DEADLINE_MESSAGE);
      run.markPhase(node, NodePhase.Failed, DEADLINE_MESSAGE);
      return this.end();
    }
    node.hostNodeName = 'localhost';
    run.markPhase(node, NodePhase.Running);
    if (ctx.deadline !== undefined) {
      this.timer = setTimeout(
        () => {
          this.timedOut = true;
          for (const c of this.containers) run.processes.get(this.nodes.get(c.name)!.id)?.kill();
        },
        Math.max(0, ctx.deadline - Date.now()),
      );
      this.timer.unref();
    }
    this.schedule();
  }

  /** Starts every container whose dependencies have succeeded; ends the node when nothing is left. */
  private schedule(): void {
    const { run } = this;
    // A container failed for its dependency can fail its own dependents: repeat until nothing changes.
    for (let changed = true; changed;) {
      changed = false;
      for (const c of this.containers) {
        const child = this.nodes.get(c.name)!;
        if (child.phase !== NodePhase.Pending || run.processes.has(child.id)) continue;
        const deps = (c.dependencies ?? []).map((d) => this.nodes.get(d)!);
        const failed = deps.find((d) => isFulfilled(d) && d.phase !== NodePhase.Succeeded);
        if (failed) {
          run.markPhase(
            child,
            NodePhase.Failed,
            `dependency '${failed.displayName}' did not succeed`,
          );
          changed = true;
        } else if (deps.every((d) => d.phase === NodePhase.Succeeded)) this.launch(c, child);
      }
    }
    if (this.running === 0 && [...this.nodes.values()].every(isFulfilled)) this.complete();
  }

  private launch(c: ContainerNode, child: NodeStatus): void {
    const { run, ctx } = this;
    const env: Record<string, string> = {
      ARGO_WORKFLOW_NAME: run.name,
      ARGO_WORKFLOW_UID: run.uid,
      ARGO_NODE_ID: ctx.node.id,
      ARGO_POD_NAME: podName(run.name, ctx.node.name, this.template.name),
      ARGO_CONTAINER_NAME: c.name,
    };
    for (const e of c.env ?? []) if (e.value !== undefined) env[e.name] = e.value;
    const workflowUid = run.uid;
    const handle = run.deps.runner.start({
      workDir: this.workDir,
      argv: containerArgv(c.image, c.command, c.args) ?? [],
      ...(this.fs ? { filesystem: this.fs } : {}),
      env,
      onLine: (stream, text) =>
        run.deps.logs.add({
          workflowUid,
          nodeId: child.id,
          stream,
          time: new Date().toISOString(),
          text,
        }),
    });
    this.running++;
    run.processes.set(child.id, handle);
    if (ctx.hooked) run.hookedProcesses.add(child.id);
    run.markPhase(child, NodePhase.Running);
    void run.deps.track(
      handle.done.then(async (result) => {
        await run.deps.logs.flush();
        run.processes.delete(child.id);
        run.hookedProcesses.delete(child.id);
        this.running--;
        if (run.detached) return;
        await run.apply(() => this.exited(c, child, result));
      }),
    );
  }

  private exited(c: ContainerNode, child: NodeStatus, result: StepResult): void {
    const { run, ctx } = this;
    const code = result.exitCode ?? 128 + (SIGNALS[result.signal ?? ''] ?? 0);
    const stopped = isFulfilled(ctx.node) || (run.shutdown && !ctx.hooked);
    if (result.startError !== undefined) {
      run.markPhase(child, NodePhase.Error, result.startError);
    } else if (this.timedOut || (run.deadlineExceeded && !ctx.hooked)) {
      child.outputs = { exitCode: String(code) };
      run.markPhase(child, NodePhase.Failed, DEADLINE_MESSAGE);
    } else if (code !== 0 && !stopped && (this.attempts.get(c.name) ?? 0) < this.retries) {
      this.attempts.set(c.name, (this.attempts.get(c.name) ?? 0) + 1);
      child.phase = NodePhase.Pending;
      run.touch(child);
    } else {
      child.outputs = { exitCode: String(code) };
      if (c.name === 'main' || !this.nodes.has('main')) this.results.set(c.name, result);
      if (code === 0) run.markPhase(child, NodePhase.Succeeded);
      else
        run.markPhase(
          child,
          NodePhase.Failed,
          stopped && run.shutdown
            ? `Stopped with strategy '${run.shutdown}'`
            : `Error (exit code ${code})`,
        );
    }
    if (stopped || this.timedOut || (run.deadlineExceeded && !ctx.hooked)) {
      const message = this.timedOut || run.deadlineExceeded ? DEADLINE_MESSAGE : ctx.node.message;
      for (const other of this.containers) {
        const n = this.nodes.get(other.name)!;
        if (n.phase === NodePhase.Pending) run.markPhase(n, NodePhase.Failed, message);
      }
    }
    this.schedule();
  }

  private complete(): void {
    const { run, ctx } = this;
    const { node } = ctx;
    if (this.timer) clearTimeout(this.timer);
    this.end();
    if (isFulfilled(node)) return;
    const main = this.nodes.get('main');
    const deciding = main ? [main] : [...this.nodes.values()];
    const failed = deciding.find((n) => n.phase !== NodePhase.Succeeded);
    const outputs: Outputs = {};
    const mainResult = main ? this.results.get('main') : undefined;
    const exitCode = main?.outputs?.exitCode ?? failed?.outputs?.exitCode ?? '0';
    outputs.exitCode = exitCode;
    if (mainResult) {
      let stdout = mainResult.stdout.endsWith('\n')
        ? mainResult.stdout.slice(0, -1)
        : mainResult.stdout;
      if (stdout.length > MAX_RESULT) stdout = stdout.slice(stdout.length - MAX_RESULT);
      outputs.result = stdout;
    }
    let error: string | undefined;
    if (!failed) {
      const params: Parameter[] = [];
      for (const p of this.template.outputs?.parameters ?? []) {
        const value = readParameter(p, this.workDir, this.fs);
        if (typeof value === 'object') {
          error = value.error;
          break;
        }
        params.push({ name: p.name, value, ...(p.globalName ? { globalName: p.globalName } : {}) });
      }
      if (params.length > 0) outputs.parameters = params;
    }
    node.outputs = outputs;
    run.exportGlobals(outputs.parameters);
    if (error !== undefined) run.markPhase(node, NodePhase.Error, error);
    else if (failed) {
      run.markPhase(
        node,
        failed.phase === NodePhase.Error ? NodePhase.Error : NodePhase.Failed,
        failed.message ?? `Error (exit code ${exitCode})`,
      );
    } else run.markPhase(node, NodePhase.Succeeded);
    node.finishedAt ??= timestamp();
  }

  private failRest(message: string): void {
    for (const n of this.nodes.values())
      if (!isFulfilled(n)) this.run.markPhase(n, NodePhase.Failed, message);
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.run.podEnded();
  }
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
