import type { Logger } from '../logging/index.js';
import type { ClaimRepository } from '../store/index.js';

/**
 * Which process runs which Workflow when several share one store (the
 * clustered shape). The engine claims a Workflow before it runs it and
 * releases it when it ends; without claims (one process) it runs everything.
 */
export interface RunClaims {
  /** Takes the Workflow for this process; false when another live process holds it. */
  claim(uid: string): Promise<boolean>;
  /** Gives it up (finished, deleted). */
  release(uid: string): Promise<void>;
}

/** Claims with a heartbeat that renews them and a loop that takes over expired ones. */
export interface RunClaimKeeper extends RunClaims {
  /** This process's owner id. */
  readonly owner: string;
  /** Starts renewing; `recover` runs on each beat to pick up Workflows whose owner died. */
  start(recover: () => Promise<void>): void;
  /** Stops renewing and releases every claim, so another process takes them over at once. */
  stop(): Promise<void>;
}

export interface RunClaimKeeperOptions {
  claims: ClaimRepository;
  /** Unique per process start, e.g. `host:pid:random`. */
  owner: string;
  /** How long a claim lives without renewal; renewed every third of it. */
  leaseMs: number;
  logger: Logger;
  /** Told of Workflows this process held but another took over (it stalled past its lease). */
  onLost?: (uid: string) => void;
}

const KIND = 'workflow';

export function createRunClaimKeeper(options: RunClaimKeeperOptions): RunClaimKeeper {
  const { claims, owner, leaseMs, logger } = options;
  const held = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let beating: Promise<void> | undefined;
  const expiry = (now: number) => new Date(now + leaseMs).toISOString();

  async function beat(recover: () => Promise<void>): Promise<void> {
    try {
      const kept = new Set(await claims.renew(KIND, owner, expiry(Date.now())));
      for (const uid of [...held]) {
        if (kept.has(uid)) continue;
        held.delete(uid);
        logger.error({ uid, owner }, 'another process took over a workflow this one was running');
        options.onLost?.(uid);
      }
      await recover();
    } catch (err) {
      logger.warn({ err }, 'could not renew workflow claims');
    }
  }

  return {
    owner,
    async claim(uid) {
      const now = Date.now();
      const won = await claims.claim({
        kind: KIND,
        id: uid,
        owner,
        now: new Date(now).toISOString(),
        expiresAt: expiry(now),
      });
      if (won) held.add(uid);
      return won;
    },
    async release(uid) {
      held.delete(uid);
      await claims.release(KIND, uid, owner);
    },
    start(recover) {
      if (timer) return;
      timer = setInterval(
        () => {
          beating ??= beat(recover).finally(() => (beating = undefined));
        },
        Math.max(Math.floor(leaseMs / 3), 50),
      );
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await beating;
      held.clear();
      await claims.releaseAll(KIND, owner);
    },
  };
}
