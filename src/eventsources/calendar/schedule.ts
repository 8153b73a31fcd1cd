import type { CalendarEventSource } from '../types.js';
import {
  CronError,
  nextActivation,
  parseCron,
  parseDurationMs,
  wallClock,
  type CronSchedule,
} from '../../time/index.js';

/** When a calendar source fires next after a given time (ms since the epoch). */
export type NextFire = (afterMs: number) => number | undefined;

/**
 * Reads `EXDATE:20060102T150405Z,...` lines as RFC 5545 writes them (and Argo
 * reads them); lines with another prefix are ignored, as Argo ignores them.
 */
export function parseExclusionDates(lines: readonly string[]): number[] {
  const out: number[] = [];
  for (const line of lines) {
    if (!line.startsWith('EXDATE:')) continue;
    for (const value of line.slice('EXDATE:'.length).split(',')) {
      const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
      if (m === null)
        throw new Error(`exclusion date ${JSON.stringify(value)} is not 20060102T150405Z`);
      const n = (i: number) => Number(m[i]);
      out.push(Date.UTC(n(1), n(2) - 1, n(3), n(4), n(5), n(6)));
    }
  }
  return out;
}

/** A calendar source's five-field schedule (no descriptors, as Argo's calendar source reads it). */
function readSchedule(spec: string): CronSchedule {
  try {
    return parseCron(spec);
  } catch (err) {
    const p = err instanceof CronError ? err.problem : undefined;
    if (p?.kind === 'range') {
      throw new CronError(spec, {
        ...p,
        message: `${p.field} ${p.text} is outside ${p.min}-${p.max}`,
      });
    }
    throw err;
  }
}

/**
 * Builds the schedule of a calendar source: its cron `schedule`, else its
 * `interval` (fired that long after the previous event, counted from the
 * whole second as Argo does), skipping days listed in `exclusionDates`.
 * Throws an Error naming what is wrong.
 */
export function calendarSchedule(source: CalendarEventSource, timeZone: string): NextFire {
  let base: NextFire;
  if (source.schedule) {
    const cron = readSchedule(source.schedule);
    base = (after) => nextActivation(cron, after, timeZone);
  } else if (source.interval) {
    const interval = parseDurationMs(source.interval);
    if (interval === undefined || interval <= 0) {
      throw new Error(`interval ${JSON.stringify(source.interval)} is not a positive Go duration`);
    }
    base = (after) => {
      const next = after - (((after % 1000) + 1000) % 1000) + interval;
      // Below a second Argo would fire in a tight loop; wait the full interval instead.
      return next > after ? next : after + interval;
    };
  } else {
    throw new Error('a calendar event source needs a schedule or an interval');
  }
  const excluded = parseExclusionDates(source.exclusionDates ?? []).map((ms) => {
    const d = new Date(ms);
    return `${d.getUTCFullYear()}-${d.getUTCMonth() + 1}-${d.getUTCDate()}`;
  });
  if (excluded.length === 0) return base;
  return (after) => {
    let at = base(after);
    for (let guard = 0; at !== undefined && guard < 10_000; guard++) {
      const w = wallClock(at, timeZone);
      if (!excluded.includes(`${w.year}-${w.month}-${w.day}`)) return at;
      at = base(at);
    }
    return undefined;
  };
}
