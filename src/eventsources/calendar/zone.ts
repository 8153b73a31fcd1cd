/** Wall-clock fields of an instant in a time zone. */
export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** Day of the week, 0 = Sunday. */
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when the runtime knows the IANA zone. */
export function isTimeZone(name: string): boolean {
  try {
    formatter(name);
    return true;
  } catch {
    return false;
  }
}

export function wallClock(ms: number, timeZone: string): WallClock {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(ms))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const year = parts.year ?? 1970;
  const month = parts.month ?? 1;
  const day = parts.day ?? 1;
  return {
    year,
    month,
    day,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
    weekday: new Date(Date.UTC(year, month - 1, day)).getUTCDay(),
  };
}

/** The zone's offset from UTC at an instant, in milliseconds. */
export function offsetAt(ms: number, timeZone: string): number {
  const w = wallClock(ms, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - (ms - (((ms % 1000) + 1000) % 1000));
}

/**
 * The instant a wall-clock time (given as if it were UTC) has in the zone;
 * `undefined` when that wall time does not exist there (a DST gap).
 */
export function instantOf(wallAsUtc: number, timeZone: string): number | undefined {
  const guess = wallAsUtc - offsetAt(wallAsUtc, timeZone);
  const ms = wallAsUtc - offsetAt(guess, timeZone);
  return ms + offsetAt(ms, timeZone) === wallAsUtc ? ms : undefined;
}

const pad = (n: number, width = 2) => String(Math.trunc(Math.abs(n))).padStart(width, '0');

/**
 * An instant as Go's `time.Time.String()` writes it
 * (`2006-01-02 15:04:05.999999999 -0700 MST`), which is what Argo puts in a
 * calendar event's `eventTime`.
 */
export function goTimeString(ms: number, timeZone: string): string {
  const w = wallClock(ms, timeZone);
  const millis = ((ms % 1000) + 1000) % 1000;
  const fraction = millis === 0 ? '' : `.${pad(millis, 3).replace(/0+$/, '')}`;
  const offset = offsetAt(ms, timeZone) / 60_000;
  const numeric = `${offset < 0 ? '-' : '+'}${pad(offset / 60)}${pad(offset % 60)}`;
  let abbreviation = timeZone === 'UTC' ? 'UTC' : shortName(ms, timeZone);
  if (abbreviation === undefined || /^(GMT|UTC)[+-]/.test(abbreviation)) abbreviation = numeric;
  return `${w.year}-${pad(w.month)}-${pad(w.day)} ${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}${fraction} ${numeric} ${abbreviation}`;
}

function shortName(ms: number, timeZone: string): string | undefined {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'short' }).formatToParts(
    new Date(ms),
  );
  return parts.find((p) => p.type === 'timeZoneName')?.value;
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
