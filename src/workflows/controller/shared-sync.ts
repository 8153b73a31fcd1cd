import type { Logger } from '../../logging/index.js';
import type { SyncLockRepository } from '../../store/index.js';
import { SyncManager, type AcquireResult, type LockSpec } from './sync.js';

/** What a store-backed lock manager needs. */
export interface SharedSyncManagerOptions {
  locks: SyncLockRepository;
  /** Where ConfigMap keys are files `<configDir>/<name>/<key>` (semaphore limits). */
  configDir: string;
  logger: Logger;
  /** How often holders waiting here ask the store again (ms); 200 by default. */
  pollMs?: number;
}

interface Waiter {
  specs: LockSpec[];
  wake: () => void;
  /** What the last try in the store found, answered until the next one. */
  last?: AcquireResult;
  trying?: Promise<void>;
}

/**
 * Argo's mutexes and semaphores shared by every process of one store. The
 * controller asks synchronously; the first ask of a holder answers "waiting"
 * and tries the store, and `wake` is called once the holder has every lock
 * (or once the store's answer differs from the one given), so the next ask
 * answers from what is known here. Holders are the Workflows' (`<ns>/<name>`,
 * `<ns>/<name>/<nodeId>`), so a lock stays with its Workflow when another
 * process takes the Workflow over, and goes when the Workflow ends or is
 * deleted.
 */
export class SharedSyncManager extends SyncManager {
  private readonly held = new Map<string, Set<string>>();
  private readonly waiters = new Map<string, Waiter>();
  private readonly pending = new Set<Promise<unknown>>();
  private timer: NodeJS.Timeout | undefined;
  private lastPurge = 0;
  private stopped = false;

  constructor(private readonly shared: SharedSyncManagerOptions) {
    super({ configDir: shared.configDir, logger: shared.logger });
  }

  override tryAcquire(holder: string, specs: LockSpec[], wake: () => void): AcquireResult {
    const mine = this.held.get(holder);
    if (specs.every((s) => mine?.has(s.name))) {
      this.waiters.delete(holder);
      return { acquired: true };
    }
    let waiter = this.waiters.get(holder);
    if (!waiter) {
      waiter = { specs, wake };
      this.waiters.set(holder, waiter);
      this.attempt(holder);
    } else {
      waiter.specs = specs;
      waiter.wake = wake;
    }
    this.arm();
    const first = specs[0]!;
    return (
      waiter.last ?? {
        acquired: false,
        message: `Waiting for ${first.name} lock. Asking the other Plinth processes`,
        waitingOn: first.name,
        holders: [],
      }
    );
  }

  override restore(holder: string, lockName: string): void {
    this.heldBy(holder).add(lockName);
  }

  override release(holder: string, names?: string[]): void {
    const mine = this.held.get(holder);
    if (mine) {
      for (const n of names ?? [...mine]) mine.delete(n);
      if (mine.size === 0) this.held.delete(holder);
    }
    if (!names) this.waiters.delete(holder);
    this.track(this.shared.locks.release(holder, names).then(() => this.retryAll()));
  }

  override releaseAllOf(prefix: string): void {
    const under = (k: string) => k === prefix || k.startsWith(`${prefix}/`);
    for (const k of [...this.held.keys()]) if (under(k)) this.held.delete(k);
    for (const k of [...this.waiters.keys()]) if (under(k)) this.waiters.delete(k);
    this.track(this.shared.locks.releaseAllOf(prefix).then(() => this.retryAll()));
  }

  /** Stops asking the store; what is held stays held (another process may take the Workflows over). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await Promise.allSettled([...this.pending]);
  }

  private heldBy(holder: string): Set<string> {
    let set = this.held.get(holder);
    if (!set) {
      set = new Set();
      this.held.set(holder, set);
    }
    return set;
  }

  private track(work: Promise<unknown>): void {
    const tracked = work.catch((err: unknown) =>
      this.shared.logger.warn({ err }, 'could not update the shared locks'),
    );
    this.pending.add(tracked);
    void tracked.finally(() => this.pending.delete(tracked));
  }

  /** Keeps asking the store while anyone here waits. */
  private arm(): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => {
      if (this.waiters.size === 0) {
        clearInterval(this.timer);
        this.timer = undefined;
        return;
      }
      this.retryAll();
    }, this.shared.pollMs ?? 200);
    this.timer.unref();
  }

  private retryAll(): void {
    if (this.stopped) return;
    if (this.waiters.size > 0 && Date.now() - this.lastPurge > 5_000) {
      this.lastPurge = Date.now();
      this.track(this.shared.locks.purge());
    }
    for (const holder of this.waiters.keys()) this.attempt(holder);
  }

  /** One try in the store for every lock of the holder, all or none. */
  private attempt(holder: string): void {
    const waiter = this.waiters.get(holder);
    if (!waiter || waiter.trying || this.stopped) return;
    const work = this.tryStore(holder, waiter).finally(() => (waiter.trying = undefined));
    waiter.trying = work;
    this.track(work);
  }

  private async tryStore(holder: string, waiter: Waiter): Promise<void> {
    const { locks } = this.shared;
    const workflow = holder.split('/').slice(0, 2).join('/');
    const now = new Date().toISOString();
    const mine = this.heldBy(holder);
    const taken: string[] = [];
    let result: AcquireResult = { acquired: true };
    for (const spec of waiter.specs) {
      if (mine.has(spec.name)) continue;
      const { limit, note } = this.limit(spec);
      if (await locks.take({ lock: spec.name, limit, holder, workflow, now })) {
        taken.push(spec.name);
        continue;
      }
      // All or none: what this try took goes back, and the holder queues on every lock.
      if (taken.length > 0) await locks.release(holder, taken);
      for (const s of waiter.specs) await locks.wait({ lock: s.name, holder, workflow, now });
      const holders = await locks.holders(spec.name);
      result = {
        acquired: false,
        message:
          (holders.length >= limit
            ? `Waiting for ${spec.name} lock. Limit reached: ${holders.length}/${limit}`
            : `Waiting for ${spec.name} lock. Available queue status: ${limit - holders.length}/${limit}`) +
          (note ? ` (${note})` : ''),
        waitingOn: spec.name,
        holders,
      };
      break;
    }
    if (this.waiters.get(holder) !== waiter) {
      // Released while asking: give back what this try took.
      if (taken.length > 0) await locks.release(holder, taken);
      return;
    }
    if (result.acquired) {
      for (const name of waiter.specs.map((s) => s.name)) mine.add(name);
      waiter.wake();
      return;
    }
    if (mine.size === 0) this.held.delete(holder);
    const changed = JSON.stringify(result) !== JSON.stringify(waiter.last);
    waiter.last = result;
    if (changed) waiter.wake();
  }
}
