import { InputError } from '../../errors/index.js';

/** Wall-clock fields of an instant in a time zone (month 1-12, weekday 0 = Sunday). */
export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * Checks an IANA time zone name as Go's `time.LoadLocation` does: empty and
 * `UTC` are UTC, `Local` the machine's zone. Returns the name Intl reads.
 */
export function checkTimeZone(zone: string): string {
  if (zone === '' || zone === 'UTC') return 'UTC';
  if (zone === 'Local') return Intl.DateTimeFormat().resolvedOptions().timeZone;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    throw new InputError(`invalid timezone '${zone}': unknown time zone ${zone}`);
  }
  return zone;
}

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
      era: 'short',
    });
    formatters.set(zone, f);
  }
  return f;
}

const weekdays = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** The wall-clock time of `ms` (epoch milliseconds) in `zone`. */
export function wallTime(ms: number, zone: string): WallTime {
  const parts: Record<string, string> = {};
  for (const p of formatter(zone).formatToParts(new Date(ms))) parts[p.type] = p.value;
  const year = Number(parts.year);
  return {
    year: parts.era === 'BC' ? 1 - year : year,
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday: weekdays.indexOf(parts.weekday ?? ''),
  };
}

function utcOf(w: Omit<WallTime, 'weekday'>): number {
  const d = new Date(0);
  d.setUTCFullYear(w.year, w.month - 1, w.day);
  d.setUTCHours(w.hour, w.minute, w.second, 0);
  return d.getTime();
}

/**
 * The instant whose wall-clock time in `zone` is `w` (fields may overflow, as
 * Go's `time.Date` normalises them). In a gap the later offset is used.
 */
export function zonedInstant(w: Omit<WallTime, 'weekday'>, zone: string): number {
  const guess = utcOf(w);
  const offset1 = utcOf(wallTime(guess, zone)) - guess;
  const first = guess - offset1;
  const offset2 = utcOf(wallTime(first, zone)) - first;
  return offset1 === offset2 ? first : guess - offset2;
}
