import type { Logger } from '../../logging/index.js';
import { workflowDuration, workflowVariables } from '../expressions/index.js';
import type { Store } from '../../store/index.js';
import type { StepHandle, StepRunner } from '../executor/index.js';
import { nodeId, timestamp } from '../model/names.js';
import type { TemplateIndex } from '../model/resolve.js';
import {
  NodePhase,
  NodeType,
  WorkflowPhase,
  type NodeStatus,
  type Parameter,
  type Workflow,
  type WorkflowSpec,
} from '../model/types.js';
import { configMapParameter } from './configmaps.js';
import type { LogSink } from './logsink.js';
import type { ChildWorkflows } from './resource.js';
import type { SyncManager } from './sync.js';

/** What every run of the engine shares. */
export interface RunDeps {
  store: Store;
  logger: Logger;
  runner: StepRunner;
  dataDir: string;
  /** Where ConfigMap keys are files `<name>/<key>`, for parameters' `configMapKeyRef`. */
  configMapsDir: string;
  logs: LogSink;
  /** Called after each persisted change, with the Workflow as it now is. */
  changed(run: WorkflowRun): void;
  /** Counts work the engine waits for in `waitUntilIdle`. */
  track<T>(work: Promise<T>): Promise<T>;
  /** Extra messages (a regular expression) that OnTransientError retries, like Argo's TRANSIENT_ERROR_PATTERN. */
  transientErrorPattern?: string;
  /** The mutexes and semaphores of `synchronization`, shared by every Workflow of the engine. */
  sync?: SyncManager;
  /** The engine itself, for `resource` templates that create and follow child Workflows. */
  children?: ChildWorkflows;
}

/** Called once, when a node reaches a final phase. */
export type NodeWatcher = (node: NodeStatus) => void;

const EXECUTABLE: ReadonlySet<string> = new Set([
  NodeType.Pod,
  NodeType.Container,
  NodeType.Suspend,
  NodeType.HTTP,
  NodeType.Plugin,
]);
const FULFILLED: ReadonlySet<string> = new Set([
  NodePhase.Succeeded,
  NodePhase.Failed,
  NodePhase.Error,
  NodePhase.Skipped,
  NodePhase.Omitted,
]);

export function isFulfilled(node: NodeStatus): boolean {
  return FULFILLED.has(node.phase);
}

export function isFailedOrError(node: NodeStatus): boolean {
  return node.phase === NodePhase.Failed || node.phase === NodePhase.Error;
}

/** Whether a node is a leaf Argo counts in `progress`. */
export function isExecutable(node: NodeStatus): boolean {
  return EXECUTABLE.has(node.type);
}

/**
 * One Workflow being run: its object (with the live node map), the nodes
 * changed since the last write, and what is running for it. Changes are made
 * synchronously and written by `flush`, which coalesces everything changed
 * meanwhile into one write of the changed nodes only.
 */
export class WorkflowRun {
  readonly nodes: Record<string, NodeStatus>;
  private readonly byName = new Map<string, NodeStatus>();
  private readonly dirty = new Set<string>();
  private readonly watchers = new Map<string, NodeWatcher>();
  readonly processes = new Map<string, StepHandle>();
  /** Processes of exit handlers, which a deadline does not end. */
  readonly hookedProcesses = new Set<string>();
  readonly timers = new Map<string, NodeJS.Timeout>();
  /** Daemoned nodes (pods and their Retry nodes) still running: their scope ends them. */
  readonly daemons = new Set<string>();
  /** Set by stop or terminate: no new node starts (Stop still runs exit handlers). */
  shutdown: 'Terminate' | 'Stop' | undefined;
  /** Set by a Workflow-level suspend (`spec.suspend`): pods wait to start until it is resumed. */
  suspended = false;
  /** Set when the engine stops: results arriving later are left for the next start. */
  detached = false;
  /** The Workflow's `activeDeadlineSeconds` from its start, in epoch ms. */
  deadline: number | undefined;
  /** Set once the Workflow's deadline has passed: no new node starts. */
  deadlineExceeded = false;
  /** The Workflow's expression hooks while they may still run, then 'settled'. */
  workflowHooks: { settle(done: () => void): void } | 'settled' | undefined;
  private activePods = 0;
  private readonly freedSlots = new Set<string>();
  private readonly podQueue: (() => void)[] = [];
  private statusDirty = false;
  private manifestDirty = false;
  private flushing: Promise<void> | undefined;
  private succeededLeaves = 0;
  private leaves = 0;
  private readonly globalOutputs = new Map<string, string>();
  private readonly globals = new Map<string, string>();
  private readonly phaseListeners = new Set<() => void>();
  private phaseListenersDue = false;

  constructor(
    readonly wf: Workflow,
    readonly execSpec: WorkflowSpec,
    readonly index: TemplateIndex,
    readonly deps: RunDeps,
  ) {
    wf.status ??= { phase: WorkflowPhase.Pending };
    wf.status.nodes ??= {};
    this.nodes = wf.status.nodes;
    for (const node of Object.values(this.nodes)) {
      this.byName.set(node.name, node);
      if (isExecutable(node)) {
        this.leaves++;
        if (node.phase === NodePhase.Succeeded) this.succeededLeaves++;
      }
    }
    for (const p of wf.status.outputs?.parameters ?? [])
      this.globalOutputs.set(p.name, p.value ?? '');
    // Global artifacts are their JSON, as `{{workflow.outputs.artifacts.X}}` gives them to `from`.
    for (const a of wf.status.outputs?.artifacts ?? [])
      this.globals.set(`workflow.outputs.artifacts.${a.name}`, JSON.stringify(a));
    const meta = wf.metadata;
    const fixed = workflowVariables({
      name: meta.name ?? '',
      namespace: meta.namespace ?? 'default',
      uid: meta.uid ?? '',
      creationTimestamp: meta.creationTimestamp ?? '',
      entrypoint: execSpec.entrypoint ?? '',
      ...(execSpec.serviceAccountName ? { serviceAccountName: execSpec.serviceAccountName } : {}),
      ...(typeof execSpec.priority === 'number' ? { priority: execSpec.priority } : {}),
      ...(meta.labels ? { labels: meta.labels } : {}),
      ...(meta.annotations ? { annotations: meta.annotations } : {}),
      ...(execSpec.arguments?.parameters ? { parameters: execSpec.arguments.parameters } : {}),
    });
    for (const [k, v] of fixed) this.globals.set(k, v);
  }

  get name(): string {
    return this.wf.metadata.name ?? '';
  }

  get uid(): string {
    return this.wf.metadata.uid ?? '';
  }

  /** The values of `workflow.*` tags. */
  readonly globalScope = {
    get: (tag: string): string | undefined => {
      if (tag.startsWith('workflow.outputs.parameters.')) {
        return this.globalOutputs.get(tag.slice('workflow.outputs.parameters.'.length));
      }
      const fixed = this.globals.get(tag);
      if (fixed !== undefined) return fixed;
      // Runtime values, as Argo refreshes them on every pass (exit handlers set their own).
      const status = this.wf.status;
      if (tag === 'workflow.duration')
        return workflowDuration(status?.startedAt, status?.finishedAt);
      if (tag === 'workflow.status') return status?.phase;
      return undefined;
    },
  };

  /**
   * Starts a pod now, or once fewer than `spec.parallelism` pods run; a
   * started pod must call `podEnded` once.
   */
  startPod(start: () => void): void {
    const limit = this.execSpec.parallelism;
    if (this.suspended || (limit !== undefined && limit > 0 && this.activePods >= limit)) {
      this.podQueue.push(start);
      return;
    }
    this.activePods++;
    start();
  }

  /** Ends a Workflow-level suspend: the pods that waited start, up to `spec.parallelism`. */
  unsuspend(): void {
    this.suspended = false;
    const limit = this.execSpec.parallelism;
    while (
      this.podQueue.length > 0 &&
      !(limit !== undefined && limit > 0 && this.activePods >= limit)
    ) {
      const next = this.podQueue.shift()!;
      this.activePods++;
      next();
    }
  }

  /**
   * Gives a pod's `spec.parallelism` slot back before its process ends: a
   * daemon, once ready, no longer counts as active (as in Argo).
   */
  freePodSlot(id: string): void {
    if (this.freedSlots.has(id)) return;
    this.freedSlots.add(id);
    this.podEnded();
  }

  /** A started pod ended; with its node id, nothing more when its slot was already freed. */
  podEnded(id?: string): void {
    if (id !== undefined && this.freedSlots.delete(id)) return;
    this.activePods--;
    if (this.suspended) return;
    const next = this.podQueue.shift();
    if (next) {
      this.activePods++;
      next();
    }
  }

  /** Sets a `workflow.*` tag (`workflow.status` for exit handlers). */
  setGlobal(tag: string, value: string): void {
    this.globals.set(tag, value);
  }

  /**
   * Calls `listener` (inside `apply`) soon after any node changes phase, until
   * the returned function is called: lifecycle hooks look at their expressions then.
   */
  onPhaseChange(listener: () => void): () => void {
    this.phaseListeners.add(listener);
    return () => this.phaseListeners.delete(listener);
  }

  private phaseChanged(): void {
    if (this.phaseListeners.size === 0 || this.phaseListenersDue) return;
    this.phaseListenersDue = true;
    queueMicrotask(() => {
      this.phaseListenersDue = false;
      if (this.detached) return;
      void this.apply(() => {
        for (const listener of [...this.phaseListeners]) listener();
      });
    });
  }

  nodeByName(name: string): NodeStatus | undefined {
    return this.byName.get(name);
  }

  /** Adds a node; its id is derived from its name as Argo does. */
  createNode(
    fields: Pick<NodeStatus, 'name' | 'displayName' | 'type' | 'phase'> & Partial<NodeStatus>,
  ): NodeStatus {
    const node: NodeStatus = {
      id: nodeId(this.name, fields.name),
      ...fields,
      startedAt: fields.startedAt ?? timestamp(),
    };
    if (isFulfilled(node)) node.finishedAt ??= node.startedAt;
    this.nodes[node.id] = node;
    this.byName.set(node.name, node);
    if (isExecutable(node)) {
      this.leaves++;
      node.progress = node.phase === NodePhase.Succeeded ? '1/1' : '0/1';
      if (node.phase === NodePhase.Succeeded) this.succeededLeaves++;
    }
    this.touch(node);
    return node;
  }

  addChild(parentId: string, childId: string): void {
    const parent = this.nodes[parentId];
    if (!parent) return;
    parent.children ??= [];
    if (!parent.children.includes(childId)) {
      parent.children.push(childId);
      this.touch(parent);
    }
  }

  /** Marks a node changed, to be written by the next flush. */
  touch(node: NodeStatus): void {
    this.dirty.add(node.id);
  }

  touchStatus(): void {
    this.statusDirty = true;
  }

  /** Marks metadata or spec changed (rare: a shutdown), so the next flush writes the manifest too. */
  touchManifest(): void {
    this.manifestDirty = true;
    this.statusDirty = true;
  }

  /** Sets a node's phase (and message); a final phase calls its watcher. */
  markPhase(node: NodeStatus, phase: NodePhase, message?: string): void {
    if (isFulfilled(node)) return;
    node.phase = phase;
    if (message !== undefined) node.message = message;
    this.touch(node);
    this.phaseChanged();
    if (!isFulfilled(node)) return;
    node.finishedAt = timestamp();
    if (isExecutable(node) && phase === NodePhase.Succeeded) {
      node.progress = '1/1';
      this.succeededLeaves++;
    }
    const watcher = this.watchers.get(node.id);
    if (watcher) {
      this.watchers.delete(node.id);
      watcher(node);
    }
  }

  watch(node: NodeStatus, watcher: NodeWatcher): void {
    this.watchers.set(node.id, watcher);
  }

  /** Calls a node's watcher while it still runs: a daemon is done for its siblings once it is ready. */
  releaseWatcher(node: NodeStatus): void {
    const watcher = this.watchers.get(node.id);
    if (!watcher) return;
    this.watchers.delete(node.id);
    watcher(node);
  }

  /** Publishes outputs with a `globalName` to the Workflow's `status.outputs`. */
  exportGlobals(params: Parameter[] | undefined): void {
    for (const p of params ?? []) {
      if (!p.globalName || p.value === undefined) continue;
      this.globalOutputs.set(p.globalName, p.value);
      const status = this.wf.status!;
      status.outputs ??= {};
      const list = (status.outputs.parameters ??= []);
      const existing = list.find((q) => q.name === p.globalName);
      if (existing) existing.value = p.value;
      else list.push({ name: p.globalName, value: p.value });
      this.statusDirty = true;
    }
  }

  /** Runs a change now and schedules its write; resolves once it is written. */
  apply(change: () => void): Promise<void> {
    try {
      change();
    } catch (err) {
      this.deps.logger.error({ err, workflow: this.name }, 'workflow operation failed');
      this.failWorkflow(WorkflowPhase.Error, (err as Error).message);
    }
    return this.scheduleFlush();
  }

  /**
   * Workflow arguments read from a ConfigMap (`valueFrom.configMapKeyRef`),
   * as Argo reads them each time it operates the Workflow.
   */
  resolveConfigMapArguments(): void {
    for (const p of this.execSpec.arguments?.parameters ?? []) {
      if (p.value !== undefined) continue;
      const ref = p.valueFrom?.configMapKeyRef;
      const value = configMapParameter(
        this.deps.configMapsDir,
        p,
        (reason) =>
          `failed to set global parameter ${p.name} from configmap with name ${ref?.name ?? ''} and key ${ref?.key ?? ''}: ${reason}`,
        this.globalScope,
      );
      if (value !== undefined) this.globals.set(`workflow.parameters.${p.name}`, value);
    }
  }

  /** Ends the Workflow (a no-op when it already ended). */
  failWorkflow(phase: WorkflowPhase, message: string): void {
    const status = this.wf.status!;
    if (status.finishedAt) return;
    status.phase = phase;
    status.message = message;
    status.finishedAt = timestamp();
    this.statusDirty = true;
  }

  get finished(): boolean {
    return Boolean(this.wf.status?.finishedAt);
  }

  scheduleFlush(): Promise<void> {
    this.flushing ??= this.deps.track(
      this.flushLoop().finally(() => {
        this.flushing = undefined;
      }),
    );
    return this.flushing;
  }

  private async flushLoop(): Promise<void> {
    // Let changes made in the same turn of the event loop join this write.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.dirty.size > 0 || this.statusDirty) {
      const ids = [...this.dirty];
      this.dirty.clear();
      this.statusDirty = false;
      const withManifest = this.manifestDirty;
      this.manifestDirty = false;
      const status = this.wf.status!;
      status.progress = `${this.succeededLeaves}/${this.leaves}`;
      try {
        // One transaction per pass; the store serialises the objects as it is called.
        const { nodes: _nodes, ...rest } = status;
        await this.deps.store.workflows.saveProgress(
          this.uid,
          ids.flatMap((id) => {
            const node = this.nodes[id];
            return node ? [{ workflowUid: this.uid, nodeId: id, node }] : [];
          }),
          {
            phase: status.phase,
            finishedAt: status.finishedAt ?? null,
            status: rest,
            ...(withManifest ? { manifest: manifestOf(this.wf) } : {}),
          },
        );
      } catch (err) {
        this.deps.logger.error({ err, workflow: this.name }, 'could not persist workflow state');
      }
      this.deps.changed(this);
    }
  }

  /**
   * The Workflow for change listeners, without copying the node map: it is
   * valid during the call only, and must not be changed.
   */
  view(): Workflow {
    const status = this.wf.status!;
    return { ...this.wf, status: { ...status, nodes: this.nodes } };
  }

  /** The Workflow as callers see it: a copy. */
  snapshot(): Workflow {
    return structuredClone(this.wf);
  }
}

/** The stored manifest: the Workflow without `status`. */
export function manifestOf(wf: Workflow): Record<string, unknown> {
  const { status: _status, ...rest } = wf;
  return structuredClone(rest) as Record<string, unknown>;
}
