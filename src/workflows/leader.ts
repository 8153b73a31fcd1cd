import type { Logger } from '../logging/index.js';
import type { ClaimRepository } from '../store/index.js';

/** Whether this process is the one that runs the cluster's once-only schedules. */
export interface Leadership {
  readonly leading: boolean;
  /**
   * Calls `fn(true)` when this process becomes the leader (at once when it
   * is) and `fn(false)` when it stops being it; answers the function that
   * stops watching. A step-down waits for what `fn(false)` returns.
   */
  watch(fn: (leading: boolean) => void | Promise<void>): () => void;
}

/** A leader lease in the claims table (kind `leader`), kept by a heartbeat. */
export interface LeaderLease extends Leadership {
  /** Tries for the lease at once, then every third of the lease. */
  start(): Promise<void>;
  /** Steps down (if leading) and gives the lease up, so another process takes it on its next beat. */
  stop(): Promise<void>;
}

export interface LeaderLeaseOptions {
  claims: ClaimRepository;
  /** This process's owner id (the one its Workflow claims use). */
  owner: string;
  /** How long the lease lives without renewal. */
  leaseMs: number;
  logger: Logger;
  /** What is led; one lease per name. `scheduler` by default. */
  name?: string;
}

const KIND = 'leader';

/**
 * Exactly one of N processes sharing the store leads: it took the lease by
 * compare-and-set and renews it every third of `leaseMs`. When it stops, the
 * lease is given up; when it dies or stalls, the lease expires and the next
 * process to beat takes it. A leader that cannot renew steps down before its
 * lease runs out, so two leaders overlap only if its clock or event loop
 * stalls past the lease.
 */
export function createLeaderLease(options: LeaderLeaseOptions): LeaderLease {
  const { claims, owner, leaseMs, logger } = options;
  const id = options.name ?? 'scheduler';
  const watchers = new Set<(leading: boolean) => void | Promise<void>>();
  let leading = false;
  let renewedAt = 0;
  let timer: NodeJS.Timeout | undefined;
  let beating: Promise<void> | undefined;

  async function tell(now: boolean): Promise<void> {
    if (leading === now) return;
    leading = now;
    logger.info({ owner, lease: id }, now ? 'leading the cluster schedules' : 'stepped down');
    await Promise.all(
      [...watchers].map(async (fn) => {
        try {
          await fn(now);
        } catch (err) {
          logger.error({ err }, 'a leadership watcher failed');
        }
      }),
    );
  }

  async function beat(): Promise<void> {
    const now = Date.now();
    try {
      const won = await claims.claim({
        kind: KIND,
        id,
        owner,
        now: new Date(now).toISOString(),
        expiresAt: new Date(now + leaseMs).toISOString(),
      });
      if (won) renewedAt = now;
      await tell(won);
    } catch (err) {
      logger.warn({ err }, 'could not renew the leader lease');
      // Half the lease gone without renewal: stop acting well before another process may take it.
      if (leading && Date.now() - renewedAt >= leaseMs / 2) await tell(false);
    }
  }

  const tick = () => (beating ??= beat().finally(() => (beating = undefined)));

  return {
    get leading() {
      return leading;
    },
    watch(fn) {
      watchers.add(fn);
      if (leading) void Promise.resolve(fn(true)).catch(() => undefined);
      return () => watchers.delete(fn);
    },
    async start() {
      if (timer) return;
      timer = setInterval(() => void tick(), Math.max(Math.floor(leaseMs / 3), 50));
      timer.unref();
      await tick();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await beating;
      const was = leading;
      await tell(false);
      if (was) await claims.release(KIND, id, owner);
    },
  };
}
