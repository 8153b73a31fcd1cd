import { instantOf, isTimeZone, wallClock } from './zone.js';

/** A parsed five-field cron schedule, read as Argo's calendar source reads it. */
export interface CronSchedule {
  minutes: ReadonlySet<number>;
  hours: ReadonlySet<number>;
  daysOfMonth: ReadonlySet<number>;
  months: ReadonlySet<number>;
  daysOfWeek: ReadonlySet<number>;
  /** `*` or `?` in day-of-month or day-of-week: both day fields must then match. */
  dayStar: boolean;
  /** Zone from a `CRON_TZ=` or `TZ=` prefix; it overrides the source's timezone. */
  timeZone?: string;
}

interface Field {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const fields: readonly Field[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  {
    name: 'month',
    min: 1,
    max: 12,
    names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'],
  },
  {
    name: 'day of week',
    min: 0,
    max: 6,
    names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'],
  },
];

/** Thrown by `parseCron` with a message naming the part that is wrong. */
export class CronSyntaxError extends Error {}

function number(text: string, field: Field): number {
  const named = field.names?.indexOf(text.toLowerCase()) ?? -1;
  if (named >= 0) return named + field.min;
  if (!/^\d+$/.test(text)) throw new CronSyntaxError(`${JSON.stringify(text)} is not a number`);
  return Number(text);
}

/** One field; the boolean says it was a bare `*` or `?` (robfig's "star bit"). */
function parseField(text: string, field: Field): [Set<number>, boolean] {
  const out = new Set<number>();
  let star = false;
  for (const part of text.split(',')) {
    const [range = '', stepText, extra] = part.split('/');
    if (extra !== undefined) throw new CronSyntaxError(`too many slashes in ${part}`);
    let start: number;
    let end: number;
    let partStar = false;
    if (range === '*' || range === '?') {
      [start, end, partStar] = [field.min, field.max, true];
    } else {
      const [low = '', high, more] = range.split('-');
      if (more !== undefined) throw new CronSyntaxError(`too many hyphens in ${range}`);
      start = number(low, field);
      end = high === undefined ? start : number(high, field);
      if (high === undefined && stepText !== undefined) end = field.max;
    }
    let step = 1;
    if (stepText !== undefined) {
      step = number(stepText, { ...field, names: [] });
      if (step === 0) throw new CronSyntaxError(`step of range should be a positive number`);
      if (step > 1) partStar = false;
    }
    if (start < field.min || end > field.max) {
      throw new CronSyntaxError(`${field.name} ${part} is outside ${field.min}-${field.max}`);
    }
    if (start > end) throw new CronSyntaxError(`beginning of range after end: ${part}`);
    for (let v = start; v <= end; v += step) out.add(v);
    star ||= partStar;
  }
  return [out, star];
}

/**
 * Parses a standard cron line (minute, hour, day of month, month, day of
 * week), with an optional `CRON_TZ=Zone ` prefix. Descriptors such as
 * `@hourly` and a seconds field are refused, as Argo's parser refuses them.
 */
export function parseCron(spec: string): CronSchedule {
  let text = spec.trim();
  let timeZone: string | undefined;
  const tz = /^(?:CRON_TZ|TZ)=(\S+)\s+/.exec(text);
  if (tz !== null) {
    timeZone = tz[1] as string;
    if (!isTimeZone(timeZone)) throw new CronSyntaxError(`unknown time zone ${timeZone}`);
    text = text.slice(tz[0].length);
  }
  if (text.startsWith('@')) {
    throw new CronSyntaxError(`descriptors such as ${text} are not accepted; write five fields`);
  }
  const parts = text.split(/\s+/).filter((p) => p !== '');
  if (parts.length !== 5) {
    throw new CronSyntaxError(`expected exactly 5 fields, found ${parts.length}: ${text}`);
  }
  const parsed = parts.map((p, i) => parseField(p, fields[i] as Field));
  const get = (i: number) => parsed[i] as [Set<number>, boolean];
  const schedule: CronSchedule = {
    minutes: get(0)[0],
    hours: get(1)[0],
    daysOfMonth: get(2)[0],
    months: get(3)[0],
    daysOfWeek: get(4)[0],
    dayStar: get(2)[1] || get(4)[1],
  };
  if (timeZone !== undefined) schedule.timeZone = timeZone;
  return schedule;
}

function dayMatches(s: CronSchedule, day: number, weekday: number): boolean {
  const dom = s.daysOfMonth.has(day);
  const dow = s.daysOfWeek.has(weekday);
  return s.dayStar ? dom && dow : dom || dow;
}

const minuteMs = 60_000;
const hourMs = 60 * minuteMs;
const dayMs = 24 * hourMs;
/** How far ahead to look before deciding a schedule never fires (robfig gives up after 5 years). */
const horizonYears = 5;

/**
 * The first time strictly after `afterMs` the schedule fires, read in
 * `timeZone` (the schedule's own zone wins); `undefined` when it never does.
 */
export function nextCron(s: CronSchedule, afterMs: number, timeZone: string): number | undefined {
  const zone = s.timeZone ?? timeZone;
  const start = wallClock(afterMs, zone);
  // Walk wall-clock time (held as if it were UTC), coarsest field first.
  let wall = Date.UTC(start.year, start.month - 1, start.day, start.hour, start.minute) + minuteMs;
  const limit = Date.UTC(start.year + horizonYears, 0, 1);
  while (wall < limit) {
    const d = new Date(wall);
    const month = d.getUTCMonth() + 1;
    if (!s.months.has(month)) {
      wall = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
      continue;
    }
    if (!dayMatches(s, d.getUTCDate(), d.getUTCDay())) {
      wall = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) + dayMs;
      continue;
    }
    if (!s.hours.has(d.getUTCHours())) {
      wall = wall - (wall % hourMs) + hourMs;
      continue;
    }
    if (!s.minutes.has(d.getUTCMinutes())) {
      wall += minuteMs;
      continue;
    }
    const at = instantOf(wall, zone);
    if (at !== undefined && at > afterMs) return at;
    wall += minuteMs;
  }
  return undefined;
}
