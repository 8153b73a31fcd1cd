import { PlinthError } from '../../errors/index.js';
import type { Logger } from '../../logging/index.js';
import type { Trigger as SensorTrigger } from '../types.js';
import { retryDelays, retryPlan } from './backoff.js';
import { createRateLimiter, type RateLimiter } from './rate-limit.js';
import type { SecretResolver } from './secrets.js';
import type { Trigger, TriggerExecution } from './trigger.js';

/** What running triggers needs beyond each firing. */
export interface TriggerRunnerDeps {
  secrets?: SecretResolver;
  logger?: Pick<Logger, 'info' | 'warn'>;
  now?: () => number;
  /** Waits between attempts and for the rate limit; tests shorten it. */
  sleep?: (ms: number) => Promise<void>;
  /** For retry jitter. */
  random?: () => number;
}

/** One firing to run: the sensor's trigger, its implementation and resolved resource. */
export interface TriggerRunRequest {
  /** Identifies the trigger across firings (for its rate limit and memory): `<namespace>/<sensor>/<trigger>`. */
  key: string;
  trigger: SensorTrigger;
  implementation: Trigger;
  resource: unknown;
  execution: Pick<TriggerExecution, 'workflows' | 'idempotencyKey' | 'labels'>;
}

/**
 * Runs triggers as Argo's sensor does: waits for the trigger's `rateLimit`,
 * executes it and judges the result by its `policy`, and retries a failure
 * within the handler by its `retryStrategy` (one attempt without one).
 */
export interface TriggerRunner {
  /** Resolves with what the trigger created or changed; rejects with the last attempt's error. */
  run(request: TriggerRunRequest): Promise<unknown>;
}

const sleepFor = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

export function createTriggerRunner(deps: TriggerRunnerDeps = {}): TriggerRunner {
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? sleepFor;
  const limiters = new Map<string, RateLimiter | undefined>();
  const memory = new Map<string, unknown>();

  function limiter(key: string, trigger: SensorTrigger): RateLimiter | undefined {
    if (!limiters.has(key)) limiters.set(key, createRateLimiter(trigger.rateLimit, now));
    return limiters.get(key);
  }

  return {
    async run({ key, trigger, implementation, resource, execution }) {
      const wait = limiter(key, trigger)?.reserve() ?? 0;
      if (wait > 0) await sleep(wait);
      const plan = retryPlan(trigger.retryStrategy);
      const delays = retryDelays(plan, deps.random);
      const full: TriggerExecution = {
        ...execution,
        ...(deps.secrets ? { secrets: deps.secrets } : {}),
        ...(deps.logger ? { logger: deps.logger } : {}),
        memory,
        now,
      };
      let last: unknown;
      for (let attempt = 0; attempt < plan.steps; attempt++) {
        try {
          const result = await implementation.execute(resource, full);
          implementation.applyPolicy?.(result, trigger.policy);
          return result;
        } catch (err) {
          last = err;
          const delay = delays[attempt];
          if (delay === undefined) break;
          deps.logger?.warn(
            {
              trigger: trigger.template.name,
              attempt: attempt + 1,
              delayMs: Math.round(delay),
              err,
            },
            'trigger failed, retrying',
          );
          await sleep(delay);
        }
      }
      if (plan.steps > 1 && last instanceof PlinthError) {
        throw new PlinthError(last.code, `failed after ${plan.steps} attempts: ${last.message}`, {
          cause: last,
          retryable: last.retryable,
          errors: last.errors,
          details: last.details,
        });
      }
      throw last;
    },
  };
}
