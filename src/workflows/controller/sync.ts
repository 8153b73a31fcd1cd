import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../logging/index.js';
import {
  NodePhase,
  WorkflowPhase,
  type Synchronization,
  type SynchronizationStatus,
  type Workflow,
} from '../model/types.js';
import type { NodeContext } from './execute.js';
import { isFulfilled, type WorkflowRun } from './run.js';

/** The kinds of lock Argo has, as they appear in lock names. */
export const LockKind = { Mutex: 'Mutex', ConfigMap: 'ConfigMap' } as const;
export type LockKind = (typeof LockKind)[keyof typeof LockKind];

/** One lock a holder asks for: `<ns>/Mutex/<name>` or `<ns>/ConfigMap/<name>/<key>`. */
export interface LockSpec {
  name: string;
  kind: LockKind;
  /** For a semaphore: the ConfigMap key holding its limit. */
  configMapKeyRef?: { name: string; key: string };
}

/** The answer to a request for locks. */
export type AcquireResult =
  { acquired: true } | { acquired: false; message: string; waitingOn: string; holders: string[] };

interface Lock {
  readonly spec: LockSpec;
  readonly holders: Set<string>;
  /** Holders waiting, first come first served; each entry is woken when a slot frees. */
  readonly queue: { key: string; wake: () => void }[];
}

/** What a lock manager needs. */
export interface SyncManagerOptions {
  /** Where ConfigMap keys are files `<configDir>/<name>/<key>` (semaphore limits). */
  configDir: string;
  logger?: Logger;
}

/**
 * Argo's mutexes and semaphores held inside the engine, shared by every
 * Workflow of the engine. Holders are `<ns>/<workflow>` (Workflow level) or
 * `<ns>/<workflow>/<nodeId>` (template level), as Argo names them.
 */
export class SyncManager {
  private readonly locks = new Map<string, Lock>();
  private readonly warned = new Set<string>();

  constructor(private readonly options: SyncManagerOptions) {}

  /** The locks a `synchronization` asks for; throws when it is malformed. */
  static locksOf(sync: Synchronization, namespace: string): LockSpec[] {
    const out: LockSpec[] = [];
    const mutexes = [...(sync.mutex ? [sync.mutex] : []), ...(sync.mutexes ?? [])];
    for (const m of mutexes) {
      if (!m?.name) throw new Error('synchronization: a mutex needs a name');
      out.push({ name: `${m.namespace ?? namespace}/Mutex/${m.name}`, kind: LockKind.Mutex });
    }
    const semaphores = [...(sync.semaphore ? [sync.semaphore] : []), ...(sync.semaphores ?? [])];
    for (const s of semaphores) {
      const ref = s?.configMapKeyRef;
      if (!ref?.name || !ref.key) {
        throw new Error(
          'synchronization: a semaphore needs configMapKeyRef {name, key} (its limit is read from that ConfigMap key)',
        );
      }
      out.push({
        name: `${s.namespace ?? namespace}/ConfigMap/${ref.name}/${ref.key}`,
        kind: LockKind.ConfigMap,
        configMapKeyRef: { name: ref.name, key: ref.key },
      });
    }
    return out;
  }

  /**
   * Takes every lock for `holder`, or none: when one is taken, `holder`
   * queues on each and `wake` is called when it may try again.
   */
  tryAcquire(holder: string, specs: LockSpec[], wake: () => void): AcquireResult {
    const locks = specs.map((s) => this.lock(s));
    for (const lock of locks) {
      if (lock.holders.has(holder)) continue;
      const { limit, note } = this.limit(lock.spec);
      const first = lock.queue[0];
      const free = lock.holders.size < limit;
      if (free && (first === undefined || first.key === holder)) continue;
      for (const l of locks) this.enqueue(l, holder, wake);
      const message =
        (free
          ? `Waiting for ${lock.spec.name} lock. Available queue status: ${limit - lock.holders.size}/${limit}`
          : `Waiting for ${lock.spec.name} lock. Limit reached: ${lock.holders.size}/${limit}`) +
        (note ? ` (${note})` : '');
      return {
        acquired: false,
        message,
        waitingOn: lock.spec.name,
        holders: [...lock.holders],
      };
    }
    for (const lock of locks) {
      lock.holders.add(holder);
      this.dequeue(lock, holder);
    }
    return { acquired: true };
  }

  /** Records a holder found in a stored status (after a restart), without queueing. */
  restore(holder: string, lockName: string): void {
    const spec = specOfName(lockName);
    if (spec) this.lock(spec).holders.add(holder);
  }

  /** Gives up `holder`'s locks and places in queues (all, or those named), and wakes waiters. */
  release(holder: string, names?: string[]): void {
    const woken: (() => void)[] = [];
    for (const lock of this.locks.values()) {
      if (names && !names.includes(lock.spec.name)) continue;
      const held = lock.holders.delete(holder);
      this.dequeue(lock, holder);
      if (held) woken.push(...lock.queue.map((q) => q.wake));
    }
    for (const wake of new Set(woken)) wake();
  }

  /** Releases every holder whose key starts with `<prefix>/` or equals it (a whole Workflow). */
  releaseAllOf(prefix: string): void {
    const keys = new Set<string>();
    for (const lock of this.locks.values()) {
      for (const k of [...lock.holders, ...lock.queue.map((q) => q.key)]) {
        if (k === prefix || k.startsWith(`${prefix}/`)) keys.add(k);
      }
    }
    for (const k of keys) this.release(k);
  }

  private lock(spec: LockSpec): Lock {
    let lock = this.locks.get(spec.name);
    if (!lock) {
      lock = { spec, holders: new Set(), queue: [] };
      this.locks.set(spec.name, lock);
    }
    return lock;
  }

  private enqueue(lock: Lock, key: string, wake: () => void): void {
    const found = lock.queue.find((q) => q.key === key);
    if (found) found.wake = wake;
    else lock.queue.push({ key, wake });
  }

  private dequeue(lock: Lock, key: string): void {
    const i = lock.queue.findIndex((q) => q.key === key);
    if (i >= 0) lock.queue.splice(i, 1);
  }

  /** A mutex holds one; a semaphore's limit is re-read from its ConfigMap key each time, as Argo does. */
  protected limit(spec: LockSpec): { limit: number; note?: string } {
    const ref = spec.configMapKeyRef;
    if (spec.kind === LockKind.Mutex || !ref) return { limit: 1 };
    const file = join(this.options.configDir, safe(ref.name), safe(ref.key));
    let text: string;
    try {
      text = readFileSync(file, 'utf8').trim();
    } catch {
      const note = `no limit in ${file} (the ConfigMap key); using a limit of 1`;
      this.warn(spec.name, `semaphore ${spec.name}: ${note}`);
      return { limit: 1, note };
    }
    const n = Number(text);
    if (!Number.isInteger(n) || n < 0) {
      const note = `${file} holds '${text}', not a whole number; using a limit of 1`;
      this.warn(spec.name, `semaphore ${spec.name}: ${note}`);
      return { limit: 1, note };
    }
    return { limit: n };
  }

  private warn(key: string, message: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.options.logger?.warn({ lock: key }, message);
  }
}

function safe(segment: string): string {
  if (!segment || /[\\/]/.test(segment) || segment.startsWith('.')) {
    throw new Error(`synchronization: '${segment}' is not a valid ConfigMap name or key`);
  }
  return segment;
}

function specOfName(name: string): LockSpec | undefined {
  const parts = name.split('/');
  if (parts[1] === LockKind.Mutex && parts.length === 3) return { name, kind: LockKind.Mutex };
  if (parts[1] === LockKind.ConfigMap && parts.length === 4) {
    return {
      name,
      kind: LockKind.ConfigMap,
      configMapKeyRef: { name: parts[2] ?? '', key: parts[3] ?? '' },
    };
  }
  return undefined;
}

/** The holder key of a Workflow (no node) or of one of its nodes. */
export function holderKey(wf: Workflow, nodeId?: string): string {
  const base = `${wf.metadata.namespace ?? 'default'}/${wf.metadata.name ?? ''}`;
  return nodeId ? `${base}/${nodeId}` : base;
}

/** Records in `status.synchronization` that `holder` holds `lock`, as Argo reports it. */
export function markHolding(wf: Workflow, spec: LockSpec, holder: string): void {
  const sync = status(wf);
  unmarkWaiting(sync, spec);
  if (spec.kind === LockKind.Mutex) {
    const m = (sync.mutex ??= {});
    const holding = (m.holding ??= []);
    if (!holding.some((h) => h.mutex === spec.name && h.holder === holder))
      holding.push({ mutex: spec.name, holder });
    return;
  }
  const s = (sync.semaphore ??= {});
  const holding = (s.holding ??= []);
  const entry = holding.find((h) => h.semaphore === spec.name);
  if (!entry) holding.push({ semaphore: spec.name, holders: [holder] });
  else if (!entry.holders.includes(holder)) entry.holders.push(holder);
}

/** Records that a holder waits for `lock`, which `holders` hold now. */
export function markWaiting(wf: Workflow, spec: LockSpec, holders: string[]): void {
  const sync = status(wf);
  unmarkWaiting(sync, spec);
  if (spec.kind === LockKind.Mutex) {
    ((sync.mutex ??= {}).waiting ??= []).push({ mutex: spec.name, holder: holders[0] ?? '' });
  } else {
    ((sync.semaphore ??= {}).waiting ??= []).push({ semaphore: spec.name, holders });
  }
}

/** Removes a holder from `status.synchronization`; drops what becomes empty. */
export function markReleased(wf: Workflow, holder: string): void {
  const sync = wf.status?.synchronization;
  if (!sync) return;
  if (sync.mutex?.holding) {
    sync.mutex.holding = sync.mutex.holding.filter((h) => h.holder !== holder);
  }
  if (sync.semaphore?.holding) {
    for (const h of sync.semaphore.holding) h.holders = h.holders.filter((k) => k !== holder);
    sync.semaphore.holding = sync.semaphore.holding.filter((h) => h.holders.length > 0);
  }
  tidy(wf);
}

/** Forgets what a Workflow waited for (it has the lock, or will never need it). */
export function clearWaiting(wf: Workflow, lockName?: string): void {
  const sync = wf.status?.synchronization;
  if (!sync) return;
  if (sync.mutex?.waiting)
    sync.mutex.waiting = sync.mutex.waiting.filter((w) => lockName && w.mutex !== lockName);
  if (sync.semaphore?.waiting)
    sync.semaphore.waiting = sync.semaphore.waiting.filter(
      (w) => lockName && w.semaphore !== lockName,
    );
  tidy(wf);
}

/** Every (holder, lock) a stored Workflow holds, to restore after a restart. */
export function heldLocks(wf: Workflow): { holder: string; lock: string }[] {
  const sync = wf.status?.synchronization;
  const out: { holder: string; lock: string }[] = [];
  for (const h of sync?.mutex?.holding ?? []) out.push({ holder: h.holder, lock: h.mutex });
  for (const h of sync?.semaphore?.holding ?? [])
    for (const k of h.holders) out.push({ holder: k, lock: h.semaphore });
  return out;
}

function status(wf: Workflow): SynchronizationStatus {
  const s = wf.status!;
  return (s.synchronization ??= {});
}

function unmarkWaiting(sync: SynchronizationStatus, spec: LockSpec): void {
  if (sync.mutex?.waiting)
    sync.mutex.waiting = sync.mutex.waiting.filter((w) => w.mutex !== spec.name);
  if (sync.semaphore?.waiting)
    sync.semaphore.waiting = sync.semaphore.waiting.filter((w) => w.semaphore !== spec.name);
}

function tidy(wf: Workflow): void {
  const sync = wf.status?.synchronization;
  if (!sync) return;
  for (const kind of ['mutex', 'semaphore'] as const) {
    const part = sync[kind];
    if (!part) continue;
    if (part.holding?.length === 0) delete part.holding;
    if (part.waiting?.length === 0) delete part.waiting;
    if (!part.holding && !part.waiting) delete sync[kind];
  }
  if (!sync.mutex && !sync.semaphore) delete wf.status!.synchronization;
}

/**
 * Runs `go` once the template's locks are held; meanwhile the node is
 * Pending with Argo's waiting message. Answers the function that releases
 * them, to call when the node has finished.
 */
export function withTemplateLocks(
  run: WorkflowRun,
  ctx: NodeContext,
  go: () => void,
): (() => void) | undefined {
  const sync = ctx.template.synchronization;
  const manager = run.deps.sync;
  if (!sync || !manager) {
    go();
    return undefined;
  }
  const { node } = ctx;
  let specs: LockSpec[];
  try {
    specs = SyncManager.locksOf(sync, run.wf.metadata.namespace ?? 'default');
  } catch (err) {
    run.markPhase(node, NodePhase.Error, (err as Error).message);
    return undefined;
  }
  const key = holderKey(run.wf, node.id);
  const release = () => {
    manager.release(key);
    markReleased(run.wf, key);
    run.touchStatus();
  };
  const attempt = (): void => {
    if (isFulfilled(node) || run.detached) return;
    if (run.finished || (run.shutdown && !ctx.hooked)) {
      manager.release(key);
      return;
    }
    const result = manager.tryAcquire(key, specs, () => void run.apply(attempt));
    if (!result.acquired) {
      const spec = specs.find((s) => s.name === result.waitingOn);
      node.message = result.message;
      node.synchronizationStatus = { waiting: result.waitingOn };
      if (spec) markWaiting(run.wf, spec, result.holders);
      run.touch(node);
      run.touchStatus();
      return;
    }
    for (const spec of specs) markHolding(run.wf, spec, key);
    if (node.synchronizationStatus) {
      delete node.synchronizationStatus;
      delete node.message;
      run.touch(node);
    }
    run.touchStatus();
    go();
  };
  attempt();
  return release;
}

/**
 * Takes the Workflow's own `synchronization` locks. Answers false while it
 * waits: the Workflow stays Pending with Argo's message, and `retry` is
 * called when it may try again.
 */
export function acquireWorkflowLocks(run: WorkflowRun, retry: () => void): boolean {
  const sync = run.execSpec.synchronization;
  const manager = run.deps.sync;
  if (!sync || !manager) return true;
  const status = run.wf.status!;
  let specs: LockSpec[];
  try {
    specs = SyncManager.locksOf(sync, run.wf.metadata.namespace ?? 'default');
  } catch (err) {
    run.failWorkflow(WorkflowPhase.Error, (err as Error).message);
    return false;
  }
  const key = holderKey(run.wf);
  const result = manager.tryAcquire(key, specs, retry);
  if (!result.acquired) {
    const spec = specs.find((s) => s.name === result.waitingOn);
    if (spec) markWaiting(run.wf, spec, result.holders);
    status.phase = WorkflowPhase.Pending;
    status.message = result.message;
    run.touchStatus();
    return false;
  }
  for (const spec of specs) markHolding(run.wf, spec, key);
  if (status.message?.startsWith('Waiting for ')) delete status.message;
  run.touchStatus();
  return true;
}

/** Gives up every lock and queue place of a Workflow and its nodes (it has ended). */
export function leaveLocks(run: WorkflowRun): void {
  const manager = run.deps.sync;
  if (!manager || !run.wf.status?.synchronization) return;
  manager.releaseAllOf(holderKey(run.wf));
  delete run.wf.status.synchronization;
  run.touchStatus();
}

/** Whether a Workflow is still waiting for its own locks (it has not started). */
export function isWaitingForLock(run: WorkflowRun): boolean {
  const status = run.wf.status;
  return (
    status?.phase === WorkflowPhase.Pending &&
    Boolean(run.execSpec.synchronization) &&
    Object.keys(run.nodes).length === 0
  );
}

/** Restores the holders a stored Workflow records (after a restart), before anything runs. */
export function restoreLocks(manager: SyncManager, wf: Workflow): void {
  for (const { holder, lock } of heldLocks(wf)) manager.restore(holder, lock);
}
