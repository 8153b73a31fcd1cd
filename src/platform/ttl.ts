import type { Logger } from '../logging/index.js';
import type { Store } from '../store/index.js';
import { TTL_REQUESTER, tierOf } from './environments.js';
import { NotificationEvent, type Notifier } from './notifications.js';
import { DEFAULT_TIER_POLICY, tierRule, type TierPolicy } from '../catalog/index.js';
import { EnvironmentStatus, type RequestAccepted } from './types.js';

/** Default warning ahead of an expiry: one hour. */
export const DEFAULT_EXPIRY_WARNING_MS = 3600_000;

export interface TtlKeeperDeps {
  store: Store;
  /** Ends an expired environment through the normal delete request (`environments.expire`). */
  expire(name: string): Promise<RequestAccepted>;
  logger: Logger;
  clock: () => Date;
  policy?: TierPolicy;
  notifier?: Notifier;
  /** How long before its expiry an environment's owners are warned. */
  warnBeforeMs?: number;
}

/** What one pass did. */
export interface TtlTick {
  warned: string[];
  expired: string[];
}

/**
 * Ends environments whose TTL has passed. A pass runs on a timer here; in a
 * cluster the same pass is what a calendar EventSource (`interval: 1m`) would
 * trigger, through a Sensor whose http trigger posts to the API.
 */
export interface TtlKeeper {
  tick(): Promise<TtlTick>;
  /** Runs a pass every `intervalMs` (unref'd) until `stop`. */
  schedule(intervalMs: number): void;
  stop(): Promise<void>;
}

const PAGE = 200;

export function createTtlKeeper(deps: TtlKeeperDeps): TtlKeeper {
  const { store, logger, clock } = deps;
  const policy = deps.policy ?? DEFAULT_TIER_POLICY;
  const warnBeforeMs = deps.warnBeforeMs ?? DEFAULT_EXPIRY_WARNING_MS;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();

  async function tick(): Promise<TtlTick> {
    const now = clock();
    const horizon = new Date(now.getTime() + warnBeforeMs).toISOString();
    const due = await store.environments.listExpiring(
      horizon,
      [EnvironmentStatus.Ready, EnvironmentStatus.Failed],
      PAGE,
    );
    const result: TtlTick = { warned: [], expired: [] };
    for (const env of due) {
      if (!env.expiresAt || env.protected || !tierRule(policy, tierOf(env)).expires) continue;
      if (env.expiresAt <= now.toISOString()) {
        if (env.status === EnvironmentStatus.Failed && env.lastRequestId) {
          // A destroy that the TTL started and that failed waits for a person.
          const last = await store.requests.get(env.lastRequestId);
          if (last?.requester === TTL_REQUESTER) continue;
        }
        try {
          await deps.expire(env.name);
          result.expired.push(env.name);
        } catch (err) {
          logger.warn({ err, environment: env.name }, 'an expired environment was not destroyed');
        }
        continue;
      }
      if (env.expiryWarnedAt) continue;
      await store.environments.update(env.name, {
        expiryWarnedAt: now.toISOString(),
        updatedAt: env.updatedAt,
      });
      result.warned.push(env.name);
      deps.notifier?.notify({
        event: NotificationEvent.EnvironmentExpiring,
        summary: `Environment ${env.name} expires at ${env.expiresAt}; extend it (plinth env extend ${env.name} --ttl 8h) to keep it`,
        environment: env.name,
        details: { expiresAt: env.expiresAt, team: env.team },
      });
    }
    return result;
  }

  return {
    tick,
    schedule(intervalMs) {
      if (timer || intervalMs <= 0) return;
      timer = setInterval(() => {
        running = tick().catch((err: unknown) => logger.error({ err }, 'TTL pass failed'));
      }, intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}
