import { checkTimeZone, nextActivation, parseCron as parseSchedule } from '../../time/index.js';

/** A five-field cron schedule (minute hour day-of-month month day-of-week) in a time zone. */
export interface CronSchedule {
  readonly spec: string;
  /** The first activation strictly after `afterMs`, or undefined when there is none within five years. */
  next(afterMs: number): number | undefined;
}

/**
 * Reads a cron spec as Argo's conditionsReset does (robfig/cron with five
 * fields and no descriptors; a `CRON_TZ=` or `TZ=` prefix overrides
 * `timezone`). Throws an InputError naming what is wrong.
 */
export function parseCron(spec: string, timezone = ''): CronSchedule {
  const schedule = parseSchedule(spec);
  const zone = schedule.timeZone ?? checkTimeZone(timezone);
  return { spec, next: (afterMs) => nextActivation(schedule, afterMs, zone) };
}
