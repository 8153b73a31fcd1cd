import type { Firing, TriggerDecision } from './evaluate.js';
import { durationMs } from '../time/index.js';
import type { Backoff, Sensor } from './types.js';

/** Deliveries of an event whose trigger keeps failing with a retryable error, when the trigger sets no retryStrategy.steps. */
export const defaultMaxDeliveries = 5;
const defaultDelayMs = 200;
const defaultFactor = 2;
const maxDelayMs = 30_000;

interface Result {
  decision: TriggerDecision;
  retry: boolean;
}

/** The retry strategies of the firings that failed and may be retried. */
function retrying(firings: readonly Firing[], results: readonly Result[]): (Backoff | undefined)[] {
  return firings.filter((_, i) => results[i]?.retry).map((f) => f.trigger.retryStrategy);
}

/** How many deliveries an event gets before a retryable failure is recorded as final. */
export function maxDeliveries(
  _sensor: Sensor,
  firings: readonly Firing[],
  results: readonly Result[],
): number {
  const steps = retrying(firings, results).map((b) =>
    b?.steps && b.steps > 0 ? b.steps : defaultMaxDeliveries,
  );
  return Math.max(1, ...steps);
}

/** The wait before the next delivery: the trigger's backoff (duration × factor^(attempt−1)), capped at 30 s. */
export function retryDelayMs(
  firings: readonly Firing[],
  results: readonly Result[],
  deliveryCount: number,
): number {
  const [backoff] = retrying(firings, results);
  const base = durationMs(backoff?.duration) ?? defaultDelayMs;
  const factor = Number(backoff?.factor ?? defaultFactor) || 1;
  return Math.min(maxDelayMs, Math.round(base * factor ** Math.max(0, deliveryCount - 1)));
}
