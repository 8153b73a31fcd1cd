import { ManifestError } from '../../errors/index.js';
import { durationMs } from '../../time/index.js';
import type { Backoff } from '../types.js';

/** A trigger's retryStrategy as Argo reads it: each attempt's wait, in milliseconds, and how many attempts. */
export interface RetryPlan {
  steps: number;
  durationMs: number;
  factor: number;
  jitter: number;
}

/** Argo's defaults for a retryStrategy that leaves a field out; without a retryStrategy a trigger runs once. */
const defaults = { steps: 5, durationMs: 1000, factor: 1, jitter: 1 };

function amount(value: string | number | undefined, fallback: number, field: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n))
    throw new ManifestError(`retryStrategy.${field}: invalid ${field}, "${value}"`);
  return n;
}

/** Reads a retryStrategy (Argo's Convert2WaitBackoff); none means one attempt. */
export function retryPlan(backoff: Backoff | undefined): RetryPlan {
  if (backoff === undefined) return { ...defaults, steps: 1 };
  const duration =
    backoff.duration === undefined ? defaults.durationMs : durationMs(backoff.duration);
  if (duration === undefined)
    throw new ManifestError(
      `retryStrategy.duration: invalid duration "${String(backoff.duration)}"`,
    );
  return {
    steps: backoff.steps && backoff.steps > 0 ? backoff.steps : defaults.steps,
    durationMs: duration,
    factor: amount(backoff.factor, defaults.factor, 'factor'),
    jitter: amount(backoff.jitter, defaults.jitter, 'jitter'),
  };
}

/**
 * The waits between attempts, as Kubernetes' wait.ExponentialBackoff takes
 * them: `steps - 1` waits, each the current duration plus up to `jitter`
 * times it, the duration growing by `factor` after each.
 */
export function retryDelays(plan: RetryPlan, random: () => number = Math.random): number[] {
  const delays: number[] = [];
  let duration = plan.durationMs;
  for (let i = 1; i < plan.steps; i++) {
    const jittered = plan.jitter > 0 ? duration + random() * plan.jitter * duration : duration;
    delays.push(jittered);
    if (plan.factor !== 0) duration *= plan.factor;
  }
  return delays;
}
