/** Units of a trigger's rateLimit, spelled as Argo does. */
export const RateLimitUnit = { Second: 'Second', Minute: 'Minute', Hour: 'Hour' } as const;
export type RateLimitUnit = (typeof RateLimitUnit)[keyof typeof RateLimitUnit];

const unitMs: Record<string, number> = { Second: 1000, Minute: 60_000, Hour: 3_600_000 };

/** How many intervals of unused capacity a limiter lets a burst use, as uber-go/ratelimit's default slack. */
const slack = 10;

/** Spaces calls evenly: each `reserve()` says how long its call must wait. */
export interface RateLimiter {
  /** Milliseconds the caller waits before its call may run (already reserved). */
  reserve(): number;
}

/**
 * A limiter for `rateLimit` as Argo's sensor builds it (uber-go/ratelimit):
 * `requestsPerUnit` calls per `unit` (Second by default), spaced evenly, with
 * a little slack after idle time. Undefined (unlimited) without a rate.
 */
export function createRateLimiter(
  rateLimit: { unit?: string; requestsPerUnit?: number } | undefined,
  now: () => number = Date.now,
): RateLimiter | undefined {
  if (!rateLimit?.requestsPerUnit || rateLimit.requestsPerUnit <= 0) return undefined;
  const per = (unitMs[rateLimit.unit ?? RateLimitUnit.Second] ?? 1000) / rateLimit.requestsPerUnit;
  let last: number | undefined;
  let sleepFor = 0;
  return {
    reserve() {
      const t = now();
      if (last === undefined) {
        last = t;
        return 0;
      }
      sleepFor += per - (t - last);
      if (sleepFor < -slack * per) sleepFor = -slack * per;
      if (sleepFor > 0) {
        const wait = sleepFor;
        last = t + wait;
        sleepFor = 0;
        return wait;
      }
      last = t;
      return 0;
    },
  };
}
