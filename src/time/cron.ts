import { InputError } from '../errors/index.js';
import { tryParseDuration } from './duration.js';
import { checkTimeZone, instantOf, isTimeZone, wallClock } from './zone.js';

/*
 * Cron schedules as robfig/cron (the parser Argo uses) reads them: five
 * fields (minute, hour, day of month, month, day of week) with lists, ranges,
 * steps and month/weekday names; an optional `CRON_TZ=Zone ` or `TZ=Zone `
 * prefix; and, where the caller allows them, the descriptors @yearly,
 * @annually, @monthly, @weekly, @daily, @midnight, @hourly and @every <duration>.
 */

/** A parsed cron schedule. */
export interface CronSchedule {
  /** The text it was parsed from. */
  readonly spec: string;
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  readonly daysOfMonth: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  readonly daysOfWeek: ReadonlySet<number>;
  /** `*` or `?` (without a step above 1) in a day field: both day fields must then match. */
  readonly dayStar: boolean;
  /** The zone of a `CRON_TZ=`/`TZ=` prefix, as Intl reads it; it overrides the caller's zone. */
  readonly timeZone?: string;
  /** `@every`: the fixed delay in milliseconds (whole seconds, at least one); the fields are then unused. */
  readonly everyMs?: number;
}

export interface CronOptions {
  /** Accept @daily, @every 1h and the like (robfig's Descriptor option); refused when false. */
  descriptors?: boolean;
}

/** The cron fields, in order. */
export type CronFieldName = 'minute' | 'hour' | 'day of month' | 'month' | 'day of week';

/** What is wrong with a schedule, precise enough to point at the field. */
export interface CronProblem {
  kind: 'empty' | 'zone' | 'descriptor' | 'every' | 'fieldCount' | 'field' | 'range';
  /** For `field` and `range`: which field, and the text of that field. */
  field?: CronFieldName;
  text?: string;
  /** For `range`: the value outside the field's bounds, and the bounds. */
  value?: number;
  min?: number;
  max?: number;
  /** For `fieldCount`: how many fields there were. */
  found?: number;
  /** Why, without the field prefix. */
  reason: string;
  /** The whole explanation: `hour "25": 25 is beyond the range 0-23`. */
  message: string;
}

/** Thrown by `parseCron`; `problem` says which part is wrong. */
export class CronError extends InputError {
  readonly problem: CronProblem;
  constructor(spec: string, problem: CronProblem) {
    super(`invalid cron expression ${JSON.stringify(spec)}: ${problem.message}`);
    this.problem = problem;
  }
}

interface Field {
  name: CronFieldName;
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
  { name: 'day of week', min: 0, max: 6, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];

/** The descriptors and the five fields each stands for. */
const descriptorFields: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** The descriptor names, for messages. */
export const cronDescriptors: readonly string[] = Object.keys(descriptorFields);

class Problem extends Error {
  constructor(readonly problem: CronProblem) {
    super(problem.message);
  }
}

function fail(kind: CronProblem['kind'], reason: string, extra: Partial<CronProblem> = {}): never {
  throw new Problem({ kind, reason, message: reason, ...extra });
}

function fieldFail(
  field: Field,
  text: string,
  reason: string,
  extra: Partial<CronProblem> = {},
): never {
  throw new Problem({
    kind: 'field',
    field: field.name,
    text,
    reason,
    message: `${field.name} ${JSON.stringify(text)}: ${reason}`,
    ...extra,
  });
}

function value(text: string, field: Field, whole: string): number {
  const named = field.names?.indexOf(text.toLowerCase()) ?? -1;
  if (named >= 0) return named + field.min;
  if (!/^\d+$/.test(text)) {
    const kind = field.names ? ` (${field.min}-${field.max} or a name)` : '';
    fieldFail(field, whole, `${JSON.stringify(text)} is not a ${field.name}${kind}`);
  }
  return Number(text);
}

/** One field: its values, and whether it was a bare `*` or `?` (robfig's star bit). */
function parseField(text: string, field: Field): [Set<number>, boolean] {
  const values = new Set<number>();
  let star = false;
  for (const item of text.split(',')) {
    if (item === '') fieldFail(field, text, 'an empty item in a list');
    const [range = '', stepText, extra] = item.split('/');
    if (extra !== undefined) fieldFail(field, text, `more than one "/" in ${item}`);
    let start: number;
    let end: number;
    let any = false;
    if (range === '*' || range === '?') {
      [start, end, any] = [field.min, field.max, true];
    } else {
      const [low = '', high, more] = range.split('-');
      if (more !== undefined)
        fieldFail(field, text, `"${range}" is not a range (too many hyphens)`);
      start = value(low, field, text);
      end = high === undefined ? start : value(high, field, text);
      // `N/step` runs from N to the end of the field.
      if (high === undefined && stepText !== undefined) end = field.max;
    }
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText)) fieldFail(field, text, `step "${stepText}" is not a number`);
      step = Number(stepText);
      if (step === 0) fieldFail(field, text, 'a step of 0 (the step should be a positive number)');
      if (step > 1) any = false;
    }
    for (const v of [start, end]) {
      if (v < field.min || v > field.max) {
        fieldFail(field, text, `${v} is beyond the range ${field.min}-${field.max}`, {
          kind: 'range',
          value: v,
          min: field.min,
          max: field.max,
        });
      }
    }
    if (start > end) fieldFail(field, text, `the range ${range} runs backwards`);
    for (let v = start; v <= end; v += step) values.add(v);
    star ||= any;
  }
  return [values, star];
}

function parse(spec: string, options: CronOptions): CronSchedule {
  let text = spec.trim();
  let timeZone: string | undefined;
  const tz = /^(?:CRON_TZ|TZ)=(\S*)(?:\s+|$)/.exec(text);
  if (tz !== null) {
    const name = tz[1] ?? '';
    if (!isTimeZone(name)) fail('zone', `unknown time zone ${JSON.stringify(name)}`);
    timeZone = checkTimeZone(name);
    text = text.slice(tz[0].length);
  }
  const zone = timeZone === undefined ? {} : { timeZone };
  if (text === '') fail('empty', 'the schedule is empty');
  if (options.descriptors && text.startsWith('@')) {
    const every = /^@every (.*)$/.exec(text);
    if (every !== null) {
      const ns = tryParseDuration(every[1] ?? '');
      if (ns === undefined) fail('every', `${JSON.stringify(every[1] ?? '')} is not a duration`);
      // robfig drops what is below a second and waits at least one.
      const seconds = Number(ns / 1_000_000_000n);
      const everyMs = Math.max(1, seconds) * 1000;
      return { ...parse('* * * * *', {}), spec, everyMs, ...zone };
    }
    const fiveFields = descriptorFields[text];
    if (fiveFields === undefined) {
      fail(
        'descriptor',
        `unknown descriptor ${JSON.stringify(text)} (use one of ${cronDescriptors.join(', ')} or @every DURATION)`,
      );
    }
    return { ...parse(fiveFields, {}), spec, ...zone };
  }
  const parts = text.split(/\s+/);
  if (parts.length !== fields.length) {
    const hint = text.startsWith('@') ? '; descriptors such as @daily are not accepted here' : '';
    fail(
      'fieldCount',
      `expected exactly 5 fields (minute hour day-of-month month day-of-week), found ${parts.length}${hint}`,
      { found: parts.length },
    );
  }
  const [minutes, hours, dom, months, dow] = parts.map((p, i) =>
    parseField(p, fields[i] as Field),
  ) as [
    [Set<number>, boolean],
    [Set<number>, boolean],
    [Set<number>, boolean],
    [Set<number>, boolean],
    [Set<number>, boolean],
  ];
  return {
    spec,
    minutes: minutes[0],
    hours: hours[0],
    daysOfMonth: dom[0],
    months: months[0],
    daysOfWeek: dow[0],
    dayStar: dom[1] || dow[1],
    ...zone,
  };
}

/** What is wrong with a schedule, or undefined when robfig/cron would take it. */
export function cronProblem(spec: string, options: CronOptions = {}): CronProblem | undefined {
  try {
    parse(spec, options);
    return undefined;
  } catch (e) {
    if (e instanceof Problem) return e.problem;
    throw e;
  }
}

/** Parses a schedule; throws a CronError (an InputError) naming the part that is wrong. */
export function parseCron(spec: string, options: CronOptions = {}): CronSchedule {
  try {
    return parse(spec, options);
  } catch (e) {
    if (e instanceof Problem) throw new CronError(spec, e.problem);
    throw e;
  }
}

function dayMatches(s: CronSchedule, day: number, weekday: number): boolean {
  const dom = s.daysOfMonth.has(day);
  const dow = s.daysOfWeek.has(weekday);
  return s.dayStar ? dom && dow : dom || dow;
}

const minuteMs = 60_000;
const hourMs = 60 * minuteMs;
const dayMs = 24 * hourMs;
/** robfig gives up on a schedule that does not fire within five years. */
const horizonYears = 5;

/**
 * The first activation strictly after `afterMs`, read in `timeZone` (Go's
 * name; the schedule's own prefix wins); undefined when there is none within
 * five years. Wall times a DST change skips are skipped, as robfig skips them.
 */
export function nextActivation(
  s: CronSchedule,
  afterMs: number,
  timeZone = 'UTC',
): number | undefined {
  if (s.everyMs !== undefined) {
    // robfig: the delay, counted from the whole second.
    return afterMs - (((afterMs % 1000) + 1000) % 1000) + s.everyMs;
  }
  const zone = s.timeZone ?? timeZone;
  const start = wallClock(afterMs, zone);
  // Walk wall-clock time (held as if it were UTC), coarsest field first.
  let wall = Date.UTC(start.year, start.month - 1, start.day, start.hour, start.minute) + minuteMs;
  const limit = Date.UTC(start.year + horizonYears + 1, 0, 1);
  while (wall < limit) {
    const d = new Date(wall);
    if (!s.months.has(d.getUTCMonth() + 1)) {
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
