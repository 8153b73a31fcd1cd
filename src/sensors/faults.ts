/**
 * Fault injection for crash tests: a sensor can be made to die with SIGKILL at
 * a named point of its delivery path, so tests prove that no event answered
 * 200 is lost and that no event fires a trigger twice. Off unless the
 * environment variable `PLINTH_TEST_CRASH_AT` names a point.
 */

import { InputError } from '../errors/index.js';

/** The environment variable that arms a crash point. */
export const CRASH_AT_ENV = 'PLINTH_TEST_CRASH_AT';

/** The points on a sensor's delivery path where a crash can be injected. */
export const CrashPoint = {
  /** An event was delivered to the sensor; nothing of it is evaluated yet. */
  BeforeHandle: 'sensor:before-handle',
  /** The sensor decided to fire; no trigger has run yet. */
  BeforeTrigger: 'sensor:before-trigger',
  /** The triggers ran (a Workflow was submitted); the event is not acknowledged yet. */
  AfterSubmit: 'sensor:after-submit',
} as const;
export type CrashPoint = (typeof CrashPoint)[keyof typeof CrashPoint];

/**
 * Reached at each crash point. Resolves at once unless this point is armed;
 * when armed it never resolves (nothing after the point runs) and the process
 * kills itself with SIGKILL a moment later, so that answers already written
 * (a webhook's 200) leave the process first, as they would before a real crash.
 */
export type FaultInjector = (point: CrashPoint) => Promise<void>;

/** How long an armed point holds before the kill: long enough to flush written answers. */
const killDelayMs = 30;

const passing: FaultInjector = () => Promise.resolve();

/**
 * The injector armed by `env.PLINTH_TEST_CRASH_AT`: `POINT` crashes the first
 * time the point is reached, `POINT#N` the N-th time. Unset: a no-op.
 */
export function createFaultInjector(
  env: Record<string, string | undefined> = process.env,
  kill: () => void = () => process.kill(process.pid, 'SIGKILL'),
): FaultInjector {
  const spec = env[CRASH_AT_ENV]?.trim();
  if (!spec) return passing;
  const [armed, nth] = spec.split('#');
  const target = nth === undefined ? 1 : Number(nth);
  if (!Number.isInteger(target) || target < 1) {
    throw new InputError(`${CRASH_AT_ENV}=${spec}: the count after # must be a positive integer`);
  }
  let hits = 0;
  return (point) => {
    if (point !== armed || ++hits !== target) return Promise.resolve();
    process.stderr.write(`plinth: ${CRASH_AT_ENV}=${spec}: killing the process at ${point}\n`);
    setTimeout(kill, killDelayMs);
    return new Promise<void>(() => undefined);
  };
}
