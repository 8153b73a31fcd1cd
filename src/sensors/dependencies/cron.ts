import { InputError } from '../../errors/index.js';
import { checkTimeZone, wallTime, zonedInstant } from './zoned-time.js';

/** A five-field cron schedule (minute hour day-of-month month day-of-week) in a time zone. */
export interface CronSchedule {
  readonly spec: string;
  /** The first activation strictly after `afterMs`, or undefined when there is none within five years. */
  next(afterMs: number): number | undefined;
}

interface Field {
  min: number;
  max: number;
  names?: readonly string[];
}

const fields: readonly Field[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  {
    min: 1,
    max: 12,
    names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'],
  },
  { min: 0, max: 6, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];

interface Parsed {
  values: Set<number>;
  /** `*` or `?` without a step: for the day fields, "any" rather than a restriction. */
  star: boolean;
}

function invalid(spec: string, why: string): InputError {
  return new InputError(`invalid cron expression ${JSON.stringify(spec)}: ${why}`);
}

function number(text: string, field: Field, spec: string): number {
  const index = field.names?.indexOf(text.toLowerCase()) ?? -1;
  if (index >= 0) return index + field.min;
  if (!/^\d+$/.test(text)) throw invalid(spec, `failed to parse int from ${text}`);
  return Number(text);
}

function parseField(text: string, field: Field, spec: string): Parsed {
  const values = new Set<number>();
  let star = false;
  for (const part of text.split(',')) {
    const [range = '', stepText, extra] = part.split('/');
    if (extra !== undefined) throw invalid(spec, `too many slashes: ${part}`);
    let start: number;
    let end: number;
    let any = false;
    if (range === '*' || range === '?') {
      [start, end, any] = [field.min, field.max, true];
    } else {
      const [low = '', high, more] = range.split('-');
      if (more !== undefined) throw invalid(spec, `too many hyphens: ${range}`);
      start = number(low, field, spec);
      end =
        high === undefined
          ? stepText === undefined
            ? start
            : field.max
          : number(high, field, spec);
    }
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step <= 0 || (stepText !== undefined && !/^\d+$/.test(stepText)))
      throw invalid(spec, `step of range should be a positive number: ${part}`);
    if (start < field.min || end > field.max || start > end)
      throw invalid(spec, `${part} is beyond the range ${field.min}-${field.max}`);
    if (any && step === 1) star = true;
    for (let v = start; v <= end; v += step) values.add(v);
  }
  return { values, star };
}

/**
 * Reads a standard cron spec as Argo's conditionsReset does (robfig/cron with
 * minute, hour, day of month, month and day of week; names such as `mon` and
 * `jan`; a `CRON_TZ=` or `TZ=` prefix overrides `timezone`).
 */
export function parseCron(spec: string, timezone = ''): CronSchedule {
  let text = spec.trim();
  let zone = timezone;
  const tz = /^(?:CRON_TZ|TZ)=(\S+)\s+/.exec(text);
  if (tz) {
    zone = tz[1] ?? '';
    text = text.slice(tz[0].length);
  }
  const zoneName = checkTimeZone(zone);
  const parts = text.split(/\s+/);
  if (parts.length !== 5) throw invalid(spec, `expected exactly 5 fields, found ${parts.length}`);
  const [minute, hour, dom, month, dow] = parts.map((p, i) =>
    parseField(p, fields[i] as Field, spec),
  ) as [Parsed, Parsed, Parsed, Parsed, Parsed];
  const dayMatches = (day: number, weekday: number): boolean => {
    const d = dom.values.has(day);
    const w = dow.values.has(weekday);
    return dom.star || dow.star ? d && w : d || w;
  };
  return {
    spec,
    next(afterMs) {
      // Work on wall-clock fields (held in a UTC Date), then map back to the instant.
      const start = wallTime(afterMs, zoneName);
      const t = new Date(Date.UTC(2000, 0, 1));
      t.setUTCFullYear(start.year, start.month - 1, start.day);
      t.setUTCHours(start.hour, start.minute + 1, 0, 0);
      const limit = start.year + 5;
      while (t.getUTCFullYear() <= limit) {
        if (!month.values.has(t.getUTCMonth() + 1)) {
          t.setUTCMonth(t.getUTCMonth() + 1, 1);
          t.setUTCHours(0, 0, 0, 0);
          continue;
        }
        if (!dayMatches(t.getUTCDate(), t.getUTCDay())) {
          t.setUTCDate(t.getUTCDate() + 1);
          t.setUTCHours(0, 0, 0, 0);
          continue;
        }
        if (!hour.values.has(t.getUTCHours())) {
          t.setUTCHours(t.getUTCHours() + 1, 0, 0, 0);
          continue;
        }
        if (!minute.values.has(t.getUTCMinutes())) {
          t.setUTCMinutes(t.getUTCMinutes() + 1, 0, 0);
          continue;
        }
        const instant = zonedInstant(
          {
            year: t.getUTCFullYear(),
            month: t.getUTCMonth() + 1,
            day: t.getUTCDate(),
            hour: t.getUTCHours(),
            minute: t.getUTCMinutes(),
            second: 0,
          },
          zoneName,
        );
        if (instant > afterMs) return instant;
        t.setUTCMinutes(t.getUTCMinutes() + 1, 0, 0);
      }
      return undefined;
    },
  };
}
