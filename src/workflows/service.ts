import { createHash, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ConflictError,
  InputError,
  ManifestError,
  NotFoundError,
  PlinthError,
  isPlinthError,
} from '../errors/index.js';
import type { Logger } from '../logging/index.js';
import type { Store, WorkflowRecord } from '../store/index.js';
import { execute } from './controller/execute.js';
import { LogSink } from './controller/logsink.js';
import { isFulfilled, manifestOf, WorkflowRun, type RunDeps } from './controller/run.js';
import { endSuspend, isWaiting } from './controller/suspend.js';
import { exitHookOf, runExitHook, setExitVariables } from './controller/exit.js';
import { settleWorkflowHooks, watchWorkflowHooks } from './controller/hooks.js';
import { DEADLINE_MESSAGE } from './controller/pod.js';
import {
  acquireWorkflowLocks,
  isWaitingForLock,
  leaveLocks,
  restoreLocks,
  SyncManager,
} from './controller/sync.js';
import type {
  LogQuery,
  NodeLogLine,
  ResumeOptions,
  SubmitOptions,
  TemplateRegistry,
  WorkflowEngine,
  WorkflowListener,
} from './engine.js';
import { createHostStepRunner, type StepRunner } from './executor/index.js';
import { randomNameSuffix, timestamp } from './model/names.js';
import { parseWorkflow } from './model/parse.js';
import { collectTemplates, TemplateIndex } from './model/resolve.js';
import {
  NodePhase,
  NodeType,
  WorkflowPhase,
  type NodeStatus,
  type Parameter,
  type Workflow,
  type WorkflowSpec,
  type WorkflowTemplate,
} from './model/types.js';
import { createTemplateRegistry } from './registry.js';
import type { RunClaims } from './claims.js';
import type { RunOperation, RunOperationRelay } from './relay.js';
import {
  formulateResubmit,
  planRetry,
  type ResubmitOptions,
  type RetryOptions,
} from './operations.js';

/** What the engine needs from the composition root. */
export interface WorkflowEngineDeps {
  store: Store;
  logger: Logger;
  /** Steps' working directories go under `<dataDir>/workflows/`. */
  dataDir: string;
  /** Platform variables every step gets (PLINTH_DATA_DIR, PLINTH_CATALOG_DIR, PLINTH_TERRAFORM_BIN). */
  stepEnv?: Record<string, string>;
  /** Seconds between SIGTERM and SIGKILL when a step is stopped. */
  graceSeconds?: number;
  templates?: TemplateRegistry;
  /** Runs the steps; host processes by default. */
  runner?: StepRunner;
  /** A regular expression of step messages that `retryPolicy: OnTransientError` retries (Argo's TRANSIENT_ERROR_PATTERN). */
  transientErrorPattern?: string;
  /** Where ConfigMap keys are files `<name>/<key>`; `<dataDir>/config` by default. */
  configMapsDir?: string;
  /** With several processes on one store: run only the Workflows this process has claimed. */
  claims?: RunClaims;
  /** With claims: hands operations on a Workflow another process runs to that process. */
  relay?: RunOperationRelay;
  /** Mutexes and semaphores; this engine's own by default, shared through the store with claims. */
  sync?: SyncManager;
}

const REQUEST_ID_LABEL = 'plinth.dev/request-id';
const IDEMPOTENCY_LABEL = 'plinth.dev/idempotency-key';
const ACTIVE_PHASES = [WorkflowPhase.Pending, WorkflowPhase.Running];

/** Creates Plinth's workflow engine. Call `start()` to pick up work left by an earlier process. */
export function createWorkflowEngine(deps: WorkflowEngineDeps): WorkflowEngine {
  return new Engine(deps);
}

class Engine implements WorkflowEngine {
  readonly templates: TemplateRegistry;
  private readonly runs = new Map<string, WorkflowRun>();
  private readonly listeners = new Set<WorkflowListener>();
  private readonly events = new EventEmitter();
  private readonly logSink: LogSink;
  private readonly runDeps: RunDeps;
  private busy = 0;
  private idleWaiters: (() => void)[] = [];
  private stopped = false;

  constructor(private readonly deps: WorkflowEngineDeps) {
    this.templates = deps.templates ?? createTemplateRegistry();
    this.events.setMaxListeners(0);
    this.logSink = new LogSink(
      deps.store,
      (uids) => {
        for (const uid of uids) this.events.emit(`logs:${uid}`);
      },
      (err) => deps.logger.error({ err }, 'could not store step logs'),
    );
    const configMapsDir = deps.configMapsDir ?? join(deps.dataDir, 'config');
    this.runDeps = {
      store: deps.store,
      logger: deps.logger,
      dataDir: deps.dataDir,
      configMapsDir,
      logs: this.logSink,
      runner:
        deps.runner ??
        createHostStepRunner({
          ...(deps.stepEnv ? { stepEnv: deps.stepEnv } : {}),
          ...(deps.graceSeconds !== undefined ? { graceSeconds: deps.graceSeconds } : {}),
          onWarning: (message) => deps.logger.warn(message),
        }),
      changed: (run) => this.changed(run),
      track: (work) => this.track(work),
      ...(deps.transientErrorPattern ? { transientErrorPattern: deps.transientErrorPattern } : {}),
      sync: deps.sync ?? new SyncManager({ configDir: configMapsDir, logger: deps.logger }),
      children: {
        submit: (wf, options) => this.submit(wf, options),
        get: (namespace, name) => this.get(namespace, name),
        watch: (uid, listener) =>
          this.onChange((wf) => {
            if (wf.metadata.uid === uid) listener(wf);
          }),
        delete: async (namespace, name) => {
          const found = await this.deps.store.workflows.getByName(namespace, name);
          if (!found) return false;
          await this.delete(namespace, name);
          return true;
        },
      },
    };
  }

  submit(input: Workflow, options: SubmitOptions = {}): Promise<Workflow> {
    return this.create(input, options);
  }

  private async create(
    input: Workflow,
    options: SubmitOptions,
    seedNodes?: Record<string, NodeStatus>,
  ): Promise<Workflow> {
    if (this.stopped) throw new PlinthError('UNAVAILABLE', 'the workflow engine is stopped');
    const wf = parseWorkflow(input);
    const meta = wf.metadata;
    meta.namespace ??= 'default';
    meta.labels = { ...meta.labels, ...options.labels };
    if (options.idempotencyKey !== undefined) {
      const key = createHash('sha256').update(options.idempotencyKey).digest('hex').slice(0, 40);
      const found = await this.deps.store.workflows.list({
        labels: { [IDEMPOTENCY_LABEL]: key },
        limit: 1,
      });
      const first = found.items[0];
      if (first) return this.assemble(first);
      meta.labels[IDEMPOTENCY_LABEL] = key;
    }
    applyParameters(wf.spec, options.parameters);
    const execSpec = this.executionSpec(wf);
    const stored = collectTemplates(
      execSpec,
      meta.name ?? meta.generateName ?? '',
      meta.namespace,
      this.templates,
    );

    meta.uid = randomUUID();
    meta.creationTimestamp = timestamp();
    wf.status = {
      phase: WorkflowPhase.Pending,
      nodes: seedNodes ?? {},
      ...(Object.keys(stored).length > 0 ? { storedTemplates: stored } : {}),
      ...(wf.spec.workflowTemplateRef ? { storedWorkflowTemplateSpec: execSpec } : {}),
    };
    for (let attempt = 0; ; attempt++) {
      if (meta.generateName && (!meta.name || attempt > 0))
        meta.name = meta.generateName + randomNameSuffix();
      try {
        await this.deps.store.workflows.insert(this.record(wf));
        break;
      } catch (err) {
        if (!isPlinthError(err, 'CONFLICT') || !meta.generateName || attempt >= 5) throw err;
        if (seedNodes) throw err;
      }
    }
    if (seedNodes) await this.deps.store.workflows.upsertNodes(this.nodeRecords(wf));
    await this.deps.claims?.claim(meta.uid);
    const run = this.open(wf);
    // Watchers see the Workflow once it is stored, as Argo's informers do, before its first step is started.
    this.changed(run);
    await run.apply(() => this.begin(run));
    return run.snapshot();
  }

  async get(namespace: string, name: string): Promise<Workflow | undefined> {
    const record = await this.deps.store.workflows.getByName(namespace, name);
    if (!record) return undefined;
    return this.runs.get(record.uid)?.snapshot() ?? this.assemble(record);
  }

  async getByUid(uid: string): Promise<Workflow | undefined> {
    const live = this.runs.get(uid);
    if (live) return live.snapshot();
    const record = await this.deps.store.workflows.get(uid);
    return record ? this.assemble(record) : undefined;
  }

  async list(
    filter: { namespace?: string; labels?: Record<string, string>; limit?: number } = {},
  ): Promise<Workflow[]> {
    const page = await this.deps.store.workflows.list(filter);
    return Promise.all(page.items.map((r) => this.runs.get(r.uid)?.snapshot() ?? this.assemble(r)));
  }

  resume(namespace: string, name: string, options: ResumeOptions = {}): Promise<Workflow> {
    return this.onOwner({ name: 'resume', namespace, workflow: name, args: { ...options } });
  }

  reject(namespace: string, name: string, options: ResumeOptions = {}): Promise<Workflow> {
    return this.onOwner({ name: 'reject', namespace, workflow: name, args: { ...options } });
  }

  terminate(namespace: string, name: string): Promise<Workflow> {
    return this.onOwner({ name: 'terminate', namespace, workflow: name, args: {} });
  }

  stopWorkflow(
    namespace: string,
    name: string,
    options: { message?: string } = {},
  ): Promise<Workflow> {
    return this.onOwner({ name: 'stop', namespace, workflow: name, args: { ...options } });
  }

  suspend(namespace: string, name: string): Promise<Workflow> {
    return this.onOwner({ name: 'suspend', namespace, workflow: name, args: {} });
  }

  /**
   * Applies an operation here, or, when another live process runs the
   * Workflow, has that process apply it and answers the Workflow as stored
   * after it did.
   */
  private async onOwner(op: RunOperation): Promise<Workflow> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.applyHere(op);
      } catch (err) {
        const relay = this.deps.relay;
        if (!(err instanceof HeldElsewhere) || !relay || attempt >= 3) throw err;
        if ((await relay.forward(err.uid, op)) === 'orphaned') continue;
        const wf = await this.getByUid(err.uid);
        if (!wf) throw new NotFoundError(`workflows.argoproj.io "${op.workflow}" not found`);
        return wf;
      }
    }
  }

  /** Applies an operation on a Workflow this process runs or may take over. */
  private applyHere(op: RunOperation): Promise<Workflow> {
    const { namespace, workflow: name } = op;
    switch (op.name) {
      case 'resume':
        return this.resumeHere(namespace, name, op.args as ResumeOptions);
      case 'reject':
        return this.rejectHere(namespace, name, op.args as ResumeOptions);
      case 'terminate':
        return this.shutdown(namespace, name, 'Terminate');
      case 'stop': {
        const message = (op.args as { message?: string }).message;
        return message === undefined
          ? this.shutdown(namespace, name, 'Stop')
          : this.shutdown(namespace, name, 'Stop', message);
      }
      case 'suspend':
        return this.suspendHere(namespace, name);
    }
  }

  private async resumeHere(
    namespace: string,
    name: string,
    options: ResumeOptions,
  ): Promise<Workflow> {
    const run = await this.activeRun(namespace, name);
    if (run?.suspended && !options.nodeName) {
      // A Workflow-level suspend ends; suspend nodes waiting too are resumed with it.
      await run.apply(() => {
        delete run.wf.spec.suspend;
        run.unsuspend();
        run.touchManifest();
      });
      if (!Object.values(run.nodes).some(isWaiting)) return run.snapshot();
    }
    const note = [`resumed by ${options.actor ?? 'unknown'}`, options.message]
      .filter(Boolean)
      .join(': ');
    return this.endWaiting(namespace, name, options, NodePhase.Succeeded, note);
  }

  private rejectHere(namespace: string, name: string, options: ResumeOptions): Promise<Workflow> {
    const note = [`rejected by ${options.actor ?? 'unknown'}`, options.message]
      .filter(Boolean)
      .join(': ');
    return this.endWaiting(namespace, name, options, NodePhase.Failed, note);
  }

  private async suspendHere(namespace: string, name: string): Promise<Workflow> {
    const run = await this.activeRun(namespace, name);
    if (!run) throw new ConflictError('cannot suspend completed workflows');
    if (!run.suspended) {
      await run.apply(() => {
        run.suspended = true;
        run.wf.spec.suspend = true;
        run.touchManifest();
      });
    }
    return run.snapshot();
  }

  async retry(namespace: string, name: string, options: RetryOptions = {}): Promise<Workflow> {
    if (this.stopped) throw new PlinthError('UNAVAILABLE', 'the workflow engine is stopped');
    let record = await this.deps.store.workflows.getByName(namespace, name);
    if (!record) throw new NotFoundError(`workflows.argoproj.io "${name}" not found`);
    const live = this.runs.get(record.uid);
    if (live && !live.finished)
      throw new ConflictError(
        `Cannot retry a workflow in phase ${live.wf.status?.phase ?? 'Running'}`,
      );
    if (live) {
      // Its last changes may not be written yet.
      await live.scheduleFlush();
      record = (await this.deps.store.workflows.get(record.uid)) ?? record;
    }
    const wf = await this.assemble(record);
    const plan = planRetry(wf, options);
    delete wf.spec.shutdown;
    if (wf.spec.activeDeadlineSeconds === 0) delete wf.spec.activeDeadlineSeconds;
    applyParameters(wf.spec, options.parameters);
    const stored = wf.status?.storedWorkflowTemplateSpec as WorkflowSpec | undefined;
    if (stored) applyParameters(stored, options.parameters);
    const { message: _m, finishedAt: _f, ...status } = wf.status!;
    wf.status = {
      ...status,
      phase: WorkflowPhase.Running,
      startedAt: timestamp(),
      nodes: plan.nodes,
    };
    if (this.deps.claims && !(await this.deps.claims.claim(record.uid))) {
      throw new ConflictError(`workflow ${namespace}/${name} is being retried by another process`);
    }
    this.runs.delete(record.uid);
    await this.deps.store.workflows.deleteNodes(record.uid, plan.deleted);
    await this.deps.store.workflows.upsertNodes(this.nodeRecords(wf));
    const { nodes: _nodes, ...rest } = wf.status;
    await this.deps.store.workflows.update(record.uid, {
      phase: WorkflowPhase.Running,
      finishedAt: null,
      status: structuredClone(rest),
      manifest: manifestOf(wf),
    });
    const run = this.open(wf);
    const written = run.apply(() => this.begin(run));
    // The Workflow as the retry left it, as Argo's API answers it: a quick step may end before the write does.
    const retried = run.snapshot();
    await written;
    return retried;
  }

  async resubmit(
    namespace: string,
    name: string,
    options: ResubmitOptions & SubmitOptions = {},
  ): Promise<Workflow> {
    const old = await this.mustGet(namespace, name);
    const { memoized, parameters, ...submit } = options;
    const newName = memoized
      ? (old.metadata.generateName ?? `${name}-`) + randomNameSuffix()
      : undefined;
    const wf = formulateResubmit(old, { ...(memoized ? { memoized } : {}) }, newName);
    const seed = wf.status?.nodes;
    delete wf.status;
    return this.create(wf, { ...submit, ...(parameters ? { parameters } : {}) }, seed);
  }

  async delete(namespace: string, name: string): Promise<void> {
    const record = await this.deps.store.workflows.getByName(namespace, name);
    if (!record) throw new NotFoundError(`workflows.argoproj.io "${name}" not found`);
    const run = this.runs.get(record.uid);
    if (run) {
      run.detached = true;
      for (const timer of run.timers.values()) clearTimeout(timer);
      for (const handle of run.processes.values()) handle.kill();
      this.runs.delete(record.uid);
    }
    this.release(record.uid);
    await this.logSink.flush();
    await this.deps.store.workflows.delete(record.uid);
  }

  /** Argo's shutdown strategies: running steps end, nothing new starts; Stop still runs exit handlers. */
  private async shutdown(
    namespace: string,
    name: string,
    strategy: 'Stop' | 'Terminate',
    message = `Stopped with strategy '${strategy}'`,
  ): Promise<Workflow> {
    const run = await this.activeRun(namespace, name);
    if (!run) return this.mustGet(namespace, name);
    const spare = (id: string, node: NodeStatus | undefined) =>
      strategy === 'Stop' &&
      (run.hookedProcesses.has(id) || (node !== undefined && node.name.includes('.onExit')));
    run.shutdown = strategy;
    run.wf.spec.shutdown = strategy;
    for (const [id, handle] of run.processes) if (!spare(id, run.nodes[id])) handle.kill();
    await run.apply(() => {
      for (const [id, timer] of run.timers) {
        if (spare(id, run.nodes[id])) continue;
        clearTimeout(timer);
        run.timers.delete(id);
      }
      for (const node of Object.values(run.nodes)) {
        if (isFulfilled(node) || spare(node.id, node)) continue;
        if (
          node.type === NodeType.Suspend ||
          node.type === NodeType.Pod ||
          node.synchronizationStatus !== undefined ||
          (node.type === NodeType.Retry && lastAttemptDone(run, node))
        )
          run.markPhase(node, NodePhase.Failed, message);
      }
      // Pods held by a Workflow-level suspend start now, and end at once as stopped.
      run.unsuspend();
      if (isWaitingForLock(run)) {
        leaveLocks(run);
        run.failWorkflow(WorkflowPhase.Failed, message);
      }
      run.touchManifest();
    });
    return run.snapshot();
  }

  async *logs(namespace: string, name: string, query: LogQuery = {}): AsyncIterable<NodeLogLine> {
    const first = await this.get(namespace, name);
    if (!first) throw new NotFoundError(`workflows.argoproj.io "${name}" not found`);
    // Steps' lines are written in batches that nothing waits for: store what is buffered first.
    await this.logSink.flush();
    const uid = first.metadata.uid ?? '';
    let after = query.afterSeq ?? 0;
    let nodes = first.status?.nodes ?? {};
    let endedElsewhere = false;
    for (;;) {
      // Subscribe before reading, so nothing written in between is missed.
      const woken = query.follow ? this.nextEvent(uid) : undefined;
      const lines = await this.deps.store.logs.read(uid, {
        ...(query.nodeId ? { nodeId: query.nodeId } : {}),
        afterSeq: after,
        limit: 1000,
      });
      for (const l of lines) {
        after = l.seq;
        if (!nodes[l.nodeId]) nodes = (await this.getByUid(uid))?.status?.nodes ?? nodes;
        yield {
          seq: l.seq,
          nodeId: l.nodeId,
          podName: nodes[l.nodeId]?.displayName ?? l.nodeId,
          stream: l.stream,
          time: l.time,
          text: l.text,
        };
      }
      if (lines.length >= 1000) {
        woken?.cancel();
        continue;
      }
      if (!woken) return;
      if (!this.runs.has(uid)) {
        woken.cancel();
        await this.logSink.flush();
        const rest = await this.deps.store.logs.read(uid, {
          afterSeq: after,
          ...(query.nodeId ? { nodeId: query.nodeId } : {}),
        });
        if (rest.length > 0) continue;
        // Another process may be running it: follow its lines in the store until it ends,
        // and read once more after, for the lines it stored last.
        if (!this.deps.claims || this.stopped || endedElsewhere) return;
        const record = await this.deps.store.workflows.get(uid);
        if (!record || !(ACTIVE_PHASES as string[]).includes(record.phase)) endedElsewhere = true;
        await sleep(REMOTE_LOG_POLL_MS);
        continue;
      }
      await woken.promise;
    }
  }

  onChange(listener: WorkflowListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async start(): Promise<void> {
    if (this.stopped) return;
    this.deps.relay?.serve((_uid, op) => this.applyHere(op).then(() => undefined));
    let cursor: string | undefined;
    const waiting: Workflow[] = [];
    do {
      const page = await this.deps.store.workflows.list({
        phases: [...ACTIVE_PHASES],
        limit: 100,
        ...(cursor ? { cursor } : {}),
      });
      for (const record of page.items) {
        if (this.runs.has(record.uid)) continue;
        if (this.deps.claims && !(await this.deps.claims.claim(record.uid))) continue;
        const wf = await this.assemble(record);
        if (this.runDeps.sync) restoreLocks(this.runDeps.sync, wf);
        waiting.push(wf);
      }
      cursor = page.nextCursor;
    } while (cursor);
    // Every lock holder is known before any Workflow asks for a lock.
    for (const wf of waiting) {
      if (this.stopped) return;
      const run = this.open(wf);
      await run.apply(() => this.begin(run));
    }
  }

  waitUntilIdle(): Promise<void> {
    if (this.busy === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.deps.relay?.stop();
    for (const run of this.runs.values()) {
      run.detached = true;
      for (const timer of run.timers.values()) clearTimeout(timer);
      for (const handle of run.processes.values()) handle.kill();
    }
    await this.waitUntilIdle();
    await this.logSink.flush();
    this.runs.clear();
    this.events.emit('stopped');
  }

  private async endWaiting(
    namespace: string,
    name: string,
    options: ResumeOptions,
    phase: NodePhase,
    note: string,
  ): Promise<Workflow> {
    const run = await this.activeRun(namespace, name);
    const waiting = run
      ? Object.values(run.nodes).filter(
          (n) =>
            isWaiting(n) &&
            (!options.nodeName ||
              n.name === options.nodeName ||
              n.displayName === options.nodeName),
        )
      : [];
    if (!run || waiting.length === 0) {
      throw new PlinthError(
        'NOT_WAITING',
        `workflow ${namespace}/${name} has no node waiting to be resumed`,
      );
    }
    if (phase === NodePhase.Succeeded) checkSupplied(waiting, options.outputs ?? []);
    await run.apply(() => {
      for (const node of waiting) endSuspend(run, node, phase, note, options.outputs ?? []);
    });
    return run.snapshot();
  }

  private async activeRun(namespace: string, name: string): Promise<WorkflowRun | undefined> {
    const record = await this.deps.store.workflows.getByName(namespace, name);
    if (!record) throw new NotFoundError(`workflows.argoproj.io "${name}" not found`);
    const run = this.runs.get(record.uid) ?? (await this.adopt(record));
    return run && !run.finished ? run : undefined;
  }

  /**
   * With claims, an active Workflow that no live process runs (its owner
   * stopped or died) is taken over here, so that an operation on it works on
   * whichever process it reaches.
   */
  private async adopt(record: WorkflowRecord): Promise<WorkflowRun | undefined> {
    const claims = this.deps.claims;
    if (!claims || this.stopped || !(ACTIVE_PHASES as string[]).includes(record.phase)) return;
    if (!(await claims.claim(record.uid))) throw new HeldElsewhere(record);
    const local = this.runs.get(record.uid);
    if (local) return local;
    const fresh = (await this.deps.store.workflows.get(record.uid)) ?? record;
    const wf = await this.assemble(fresh);
    if (this.runDeps.sync) restoreLocks(this.runDeps.sync, wf);
    const run = this.open(wf);
    await run.apply(() => this.begin(run));
    return run;
  }

  private async mustGet(namespace: string, name: string): Promise<Workflow> {
    const wf = await this.get(namespace, name);
    if (!wf) throw new NotFoundError(`workflows.argoproj.io "${name}" not found`);
    return wf;
  }

  /** The spec that runs: the Workflow's, or its WorkflowTemplate's with the Workflow's over it. */
  private executionSpec(wf: Workflow): WorkflowSpec {
    const ref = wf.spec.workflowTemplateRef;
    if (!ref) return wf.spec;
    const namespace = ref.clusterScope ? '' : (wf.metadata.namespace ?? 'default');
    const wt: WorkflowTemplate | undefined = this.templates.get(namespace, ref.name);
    if (!wt) {
      const kind = ref.clusterScope ? 'clusterworkflowtemplates' : 'workflowtemplates';
      throw new ManifestError(`${kind}.argoproj.io "${ref.name}" not found`);
    }
    const params = new Map<string, Parameter>();
    for (const p of wt.spec.arguments?.parameters ?? []) params.set(p.name, p);
    for (const p of wf.spec.arguments?.parameters ?? [])
      params.set(p.name, { ...params.get(p.name), ...p });
    const { workflowTemplateRef: _ref, ...own } = wf.spec;
    return {
      ...structuredClone(wt.spec),
      ...own,
      entrypoint: wf.spec.entrypoint ?? wt.spec.entrypoint,
      templates: structuredClone(wt.spec.templates ?? []),
      arguments: { ...wt.spec.arguments, ...wf.spec.arguments, parameters: [...params.values()] },
    } as WorkflowSpec;
  }

  private open(wf: Workflow): WorkflowRun {
    const execSpec = (wf.status?.storedWorkflowTemplateSpec as WorkflowSpec | undefined) ?? wf.spec;
    const index = new TemplateIndex(execSpec.templates ?? [], wf.status?.storedTemplates ?? {});
    const run = new WorkflowRun(wf, execSpec, index, this.runDeps);
    const shutdown = wf.spec.shutdown;
    if (shutdown === 'Stop' || shutdown === 'Terminate') run.shutdown = shutdown;
    if (wf.spec.suspend === true) run.suspended = true;
    this.runs.set(run.uid, run);
    return run;
  }

  /** Runs (or picks up) the entrypoint; the Workflow ends when its node does. */
  private begin(run: WorkflowRun): void {
    const again = () => {
      if (!run.finished && !run.detached) void run.apply(() => this.begin(run));
    };
    if (!acquireWorkflowLocks(run, again)) return;
    const status = run.wf.status!;
    let startMs = Date.parse(status.startedAt ?? '');
    if (status.phase === WorkflowPhase.Pending || status.phase === WorkflowPhase.Unknown) {
      status.phase = WorkflowPhase.Running;
      status.startedAt = timestamp();
      startMs = Date.now();
      run.touchStatus();
    }
    this.armDeadline(run, startMs);
    try {
      run.resolveConfigMapArguments();
    } catch (err) {
      run.failWorkflow(WorkflowPhase.Error, (err as Error).message);
      return;
    }
    const root = execute(run, {
      nodeName: run.name,
      displayName: run.name,
      parents: [],
      holder: { template: run.execSpec.entrypoint ?? '' },
      scope: `local/${run.name}`,
      args: run.execSpec.arguments?.parameters ?? [],
      onDone: (node) => this.end(run, node),
    });
    watchWorkflowHooks(run, root);
    if (isFulfilled(root)) this.end(run, root);
  }

  /** `spec.activeDeadlineSeconds`: when it passes, running steps are ended and nothing new starts. */
  private armDeadline(run: WorkflowRun, startMs: number): void {
    const seconds = Number(run.execSpec.activeDeadlineSeconds);
    if (run.execSpec.activeDeadlineSeconds === undefined || !Number.isFinite(seconds)) return;
    const started = Number.isNaN(startMs) ? Date.now() : startMs;
    run.deadline = started + seconds * 1000;
    const fire = () => {
      run.timers.delete(DEADLINE_TIMER);
      void run.apply(() => expireDeadline(run));
    };
    const timer = setTimeout(fire, Math.max(0, run.deadline - Date.now()));
    timer.unref();
    run.timers.set(DEADLINE_TIMER, timer);
  }

  /** The entrypoint has finished: run the Workflow's exit handler, then end the Workflow. */
  private end(run: WorkflowRun, root: NodeStatus): void {
    const status = run.wf.status!;
    if (status.finishedAt) return;
    if (settleWorkflowHooks(run, root, () => this.end(run, root))) return;
    const hook = exitHookOf(run.execSpec);
    if (!hook) {
      this.complete(run, root);
      return;
    }
    setExitVariables(run, root);
    runExitHook(
      run,
      hook,
      {
        parent: { ...root, name: run.name, displayName: run.name },
        scope: `local/${run.name}`,
        tags: run.globalScope,
        attach: false,
      },
      (exitNode) => this.complete(run, root, exitNode),
    );
  }

  private complete(run: WorkflowRun, root: NodeStatus, exitNode?: NodeStatus): void {
    const status = run.wf.status!;
    if (status.finishedAt) return;
    leaveLocks(run);
    const timer = run.timers.get(DEADLINE_TIMER);
    if (timer) clearTimeout(timer);
    run.timers.delete(DEADLINE_TIMER);
    if (
      exitNode &&
      (root.phase === NodePhase.Succeeded ||
        root.phase === NodePhase.Skipped ||
        root.phase === NodePhase.Omitted) &&
      (exitNode.phase === NodePhase.Failed || exitNode.phase === NodePhase.Error)
    ) {
      status.phase =
        exitNode.phase === NodePhase.Failed ? WorkflowPhase.Failed : WorkflowPhase.Error;
      if (exitNode.message) status.message = exitNode.message;
      status.finishedAt = timestamp();
      run.touchStatus();
      return;
    }
    const phase =
      root.phase === NodePhase.Succeeded ||
      root.phase === NodePhase.Skipped ||
      root.phase === NodePhase.Omitted
        ? WorkflowPhase.Succeeded
        : root.phase === NodePhase.Error
          ? WorkflowPhase.Error
          : WorkflowPhase.Failed;
    status.phase = phase;
    const message = run.shutdown ? `Stopped with strategy '${run.shutdown}'` : root.message;
    if (phase !== WorkflowPhase.Succeeded && message) status.message = message;
    status.finishedAt = timestamp();
    run.touchStatus();
  }

  private changed(run: WorkflowRun): void {
    if (run.finished && run.processes.size === 0 && this.runs.delete(run.uid)) {
      // Only once its end is stored: a free claim on a Workflow still Running invites a take-over.
      const release = () => this.release(run.uid);
      void run.scheduleFlush().then(release, release);
    }
    this.events.emit(`logs:${run.uid}`);
    if (this.listeners.size === 0) return;
    const wf = run.view();
    for (const listener of this.listeners) {
      try {
        listener(wf);
      } catch (err) {
        this.deps.logger.error({ err }, 'workflow listener failed');
      }
    }
  }

  private release(uid: string): void {
    this.deps.claims?.release(uid).catch((err: unknown) => {
      this.deps.logger.warn({ err, uid }, 'could not release the claim of a workflow');
    });
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.busy++;
    const done = () => {
      this.busy--;
      if (this.busy === 0) {
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const w of waiters) w();
      }
    };
    work.then(done, done);
    return work;
  }

  private nextEvent(uid: string): { promise: Promise<void>; cancel: () => void } {
    let cancel = () => {};
    const promise = new Promise<void>((resolve) => {
      const wake = () => {
        cancel();
        resolve();
      };
      this.events.on(`logs:${uid}`, wake);
      this.events.on('stopped', wake);
      cancel = () => {
        this.events.off(`logs:${uid}`, wake);
        this.events.off('stopped', wake);
      };
    });
    return { promise, cancel };
  }

  private record(wf: Workflow): WorkflowRecord {
    const status = wf.status!;
    const { nodes: _nodes, ...rest } = status;
    return {
      uid: wf.metadata.uid ?? '',
      name: wf.metadata.name ?? '',
      namespace: wf.metadata.namespace ?? 'default',
      labels: wf.metadata.labels ?? {},
      phase: status.phase,
      requestId: wf.metadata.labels?.[REQUEST_ID_LABEL] ?? null,
      createdAt: wf.metadata.creationTimestamp ?? timestamp(),
      finishedAt: status.finishedAt ?? null,
      manifest: manifestOf(wf),
      status: structuredClone(rest),
    };
  }

  private nodeRecords(wf: Workflow) {
    return Object.values(wf.status?.nodes ?? {}).map((node) => ({
      workflowUid: wf.metadata.uid ?? '',
      nodeId: node.id,
      node: structuredClone(node) as unknown as Record<string, unknown>,
    }));
  }

  private async assemble(record: WorkflowRecord): Promise<Workflow> {
    const nodes = await this.deps.store.workflows.nodes(record.uid);
    const wf = structuredClone(record.manifest) as unknown as Workflow;
    wf.status = {
      ...(structuredClone(record.status) as Workflow['status'] & object),
      phase: record.phase as WorkflowPhase,
      nodes: Object.fromEntries(nodes.map((n) => [n.nodeId, n.node as unknown as NodeStatus])),
    };
    return wf;
  }
}

const DEADLINE_TIMER = 'workflow-deadline';
/** How often a follower reads the lines of a Workflow another process runs. */
const REMOTE_LOG_POLL_MS = 250;

/** The Workflow is active on another live process. */
class HeldElsewhere extends PlinthError {
  readonly uid: string;
  constructor(record: WorkflowRecord) {
    super(
      'UNAVAILABLE',
      `workflow ${record.namespace}/${record.name} is run by another Plinth process; try again on that one or once it stops`,
    );
    this.uid = record.uid;
  }
}

/** The Workflow's deadline has passed: end its steps as Argo does, except exit handlers. */
function expireDeadline(run: WorkflowRun): void {
  if (run.finished) return;
  run.deadlineExceeded = true;
  for (const [id, handle] of run.processes) if (!run.hookedProcesses.has(id)) handle.kill();
  for (const [id, timer] of run.timers) {
    const node = run.nodes[id];
    if (!node || isFulfilled(node)) continue;
    clearTimeout(timer);
    run.timers.delete(id);
    if (node.type === NodeType.Retry) {
      run.markPhase(
        node,
        NodePhase.Failed,
        `retry exceeded workflow deadline ${new Date(run.deadline ?? Date.now()).toISOString()}`,
      );
    }
  }
  for (const node of Object.values(run.nodes)) {
    if (isFulfilled(node) || node.name.includes('.onExit')) continue;
    if (isWaiting(node) || (node.type === NodeType.Pod && node.phase === NodePhase.Pending)) {
      run.markPhase(node, NodePhase.Failed, DEADLINE_MESSAGE);
    }
  }
}

function lastAttemptDone(run: WorkflowRun, node: NodeStatus): boolean {
  const last = node.children?.at(-1);
  const child = last === undefined ? undefined : run.nodes[last];
  return child !== undefined && isFulfilled(child);
}

/** `-p NAME=VALUE`: replaces an argument's value, or adds the argument. */
function applyParameters(spec: WorkflowSpec, overrides: Record<string, string> | undefined): void {
  if (!overrides) return;
  const args = (spec.arguments ??= {});
  const params = (args.parameters ??= []);
  for (const [name, value] of Object.entries(overrides)) {
    const existing = params.find((p) => p.name === name);
    if (existing) {
      existing.value = value;
      delete existing.valueFrom;
    } else params.push({ name, value });
  }
}

function checkSupplied(nodes: NodeStatus[], supplied: Parameter[]): void {
  for (const node of nodes) {
    for (const p of node.outputs?.parameters ?? []) {
      if (!p.valueFrom?.supplied) continue;
      const given = supplied.find((s) => s.name === p.name && s.value !== undefined);
      if (given && p.enum?.length && !p.enum.includes(given.value ?? '')) {
        throw new InputError(
          `value '${given.value ?? ''}' is not one of the options of output parameter '${p.name}': ${p.enum.join(', ')}`,
          {
            errors: [
              {
                field: `outputs.${p.name}`,
                message: `must be one of ${JSON.stringify(p.enum)}`,
                fix: `pass one of: ${p.enum.join(', ')}`,
              },
            ],
          },
        );
      }
      if (given) continue;
      if (p.valueFrom.default !== undefined) continue;
      throw new InputError(
        `raw output parameter '${p.name}' has not been set and does not have a default value`,
        {
          errors: [
            {
              field: `outputs.${p.name}`,
              message: 'a value is required',
              fix: `pass outputs [{name: '${p.name}', value: ...}]`,
            },
          ],
        },
      );
    }
  }
}
