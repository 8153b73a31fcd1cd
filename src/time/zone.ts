import { InputError } from '../errors/index.js';

/*
 * IANA time zones as Go's time.LoadLocation names them (`UTC`, `Local`, the
 * empty name for UTC, `Europe/Paris`), read through Intl, and the wall
 * clock of an instant in such a zone.
 */

/** Wall-clock fields of an instant in a time zone (month 1-12, weekday 0 = Sunday). */
export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
}

/** The zone Intl reads for a Go zone name: empty and `UTC` are UTC, `Local` is the machine's zone. */
function intlZone(name: string): string {
  if (name === '' || name === 'UTC') return 'UTC';
  if (name === 'Local') return Intl.DateTimeFormat().resolvedOptions().timeZone;
  return name;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(name: string): Intl.DateTimeFormat {
  let f = formatters.get(name);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: intlZone(name),
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
    formatters.set(name, f);
  }
  return f;
}

/**
 * True when Go's time.LoadLocation takes the name: empty, `UTC`, `Local`, or
 * an IANA zone the runtime knows. Offsets such as `+02:00` are not zones.
 */
export function isTimeZone(name: string): boolean {
  if (name === '' || name === 'UTC' || name === 'Local') return true;
  if (!/^[A-Za-z]/.test(name)) return false;
  try {
    formatter(name);
    return true;
  } catch {
    return false;
  }
}

/**
 * Checks a zone name as Go's time.LoadLocation does and returns the name Intl
 * reads for it (empty becomes `UTC`, `Local` the machine's zone); throws an
 * InputError naming an unknown zone.
 */
export function checkTimeZone(name: string): string {
  if (!isTimeZone(name))
    throw new InputError(`invalid timezone '${name}': unknown time zone ${name}`);
  return intlZone(name);
}

/** The wall-clock time of `ms` (epoch milliseconds) in a zone. */
export function wallClock(ms: number, timeZone: string): WallClock {
  const parts: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(ms))) parts[p.type] = p.value;
  const era = Number(parts.year ?? 1970);
  const year = parts.era === 'BC' || parts.era === 'B' ? 1 - era : era;
  const month = Number(parts.month ?? 1);
  const day = Number(parts.day ?? 1);
  return {
    year,
    month,
    day,
    hour: Number(parts.hour ?? 0),
    minute: Number(parts.minute ?? 0),
    second: Number(parts.second ?? 0),
    weekday: utcOf({ year, month, day, hour: 0, minute: 0, second: 0 }).getUTCDay(),
  };
}

/** Wall-clock fields held in a UTC Date; fields may overflow, as Go's time.Date normalises them. */
function utcOf(w: Omit<WallClock, 'weekday'>): Date {
  const d = new Date(0);
  d.setUTCFullYear(w.year, w.month - 1, w.day);
  d.setUTCHours(w.hour, w.minute, w.second, 0);
  return d;
}

/** Wall-clock fields as if they were a UTC instant (the form `instantOf` takes). */
export function wallAsUtc(w: Omit<WallClock, 'weekday'>): number {
  return utcOf(w).getTime();
}

/** The zone's offset from UTC at an instant, in milliseconds. */
export function offsetAt(ms: number, timeZone: string): number {
  const whole = ms - (((ms % 1000) + 1000) % 1000);
  return wallAsUtc(wallClock(ms, timeZone)) - whole;
}

/**
 * The instant a wall-clock time (given as if it were UTC) has in the zone;
 * `undefined` when that wall time does not exist there (a DST gap).
 */
export function instantOf(wallMs: number, timeZone: string): number | undefined {
  const guess = wallMs - offsetAt(wallMs, timeZone);
  const ms = wallMs - offsetAt(guess, timeZone);
  return ms + offsetAt(ms, timeZone) === wallMs ? ms : undefined;
}

/**
 * The instant whose wall-clock time in the zone is `w`, as Go's time.Date
 * gives it: fields may overflow, and a wall time a DST change skips is read
 * with the offset before the change (02:30 becomes 03:30).
 */
export function zonedInstant(w: Omit<WallClock, 'weekday'>, timeZone: string): number {
  const guess = wallAsUtc(w);
  const offset1 = offsetAt(guess, timeZone);
  const first = guess - offset1;
  const offset2 = offsetAt(first, timeZone);
  return offset1 === offset2 ? first : guess - offset2;
}

const pad = (n: number, width = 2) => String(Math.trunc(Math.abs(n))).padStart(width, '0');

function shortName(ms: number, timeZone: string): string | undefined {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: intlZone(timeZone),
    timeZoneName: 'short',
  }).formatToParts(new Date(ms));
  return parts.find((p) => p.type === 'timeZoneName')?.value;
}

/**
 * An instant as Go's `time.Time.String()` writes it
 * (`2006-01-02 15:04:05.999999999 -0700 MST`), to the millisecond.
 */
export function goTimeString(ms: number, timeZone: string): string {
  const w = wallClock(ms, timeZone);
  const millis = ((ms % 1000) + 1000) % 1000;
  const fraction = millis === 0 ? '' : `.${pad(millis, 3).replace(/0+$/, '')}`;
  const offset = offsetAt(ms, timeZone) / 60_000;
  const numeric = `${offset < 0 ? '-' : '+'}${pad(offset / 60)}${pad(offset % 60)}`;
  let abbreviation = intlZone(timeZone) === 'UTC' ? 'UTC' : shortName(ms, timeZone);
  if (abbreviation === undefined || /^(GMT|UTC)[+-]/.test(abbreviation)) abbreviation = numeric;
  return `${w.year}-${pad(w.month)}-${pad(w.day)} ${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}${fraction} ${numeric} ${abbreviation}`;
}

/** Reads back what `goTimeString` (or Go) wrote, ignoring a monotonic clock suffix. */
export function parseGoTimeString(text: string): number | undefined {
  const m =
    /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d+))? ([+-])(\d{2})(\d{2})(?: \S+)?(?: m=\S+)?$/.exec(
      text.trim(),
    );
  if (m === null) return undefined;
  const n = (i: number) => Number(m[i]);
  const millis = Math.trunc(Number(`0.${m[7] ?? '0'}`) * 1000);
  const offset = (n(9) * 60 + n(10)) * 60_000 * (m[8] === '-' ? -1 : 1);
  return Date.UTC(n(1), n(2) - 1, n(3), n(4), n(5), n(6), millis) - offset;
}
