import { isPlinthError } from '../../../errors/index.js';
import type { TimeFilter } from '../../types.js';
import { checkTimeZone, wallClock, zonedInstant } from '../../../time/index.js';
import { filterError, type FilterOutcome } from './outcome.js';

const clock = /^(\d{1,2}):(\d{2}):(\d{2})(?:[.,]\d+)?$/;

/** A time of day `HH:MM:SS` on the event's date in `zone`, as Argo parses it (Go's layout `15:04:05`). */
function timeOnDate(text: string, eventMs: number, zone: string): number {
  const w = wallClock(eventMs, zone);
  const date = `${String(w.year).padStart(4, '0')}-${String(w.month).padStart(2, '0')}-${String(w.day).padStart(2, '0')}`;
  const m = clock.exec(text);
  if (!m)
    throw new Error(
      `parsing time "${date} ${text}" as "2006-01-02 15:04:05": cannot parse "${text}" as "15:04:05"`,
    );
  const [hour, minute, second] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const field = hour > 23 ? 'hour' : minute > 59 ? 'minute' : second > 59 ? 'second' : undefined;
  if (field) throw new Error(`parsing time "${date} ${text}": ${field} out of range`);
  return zonedInstant({ year: w.year, month: w.month, day: w.day, hour, minute, second }, zone);
}

/**
 * Argo's time filter: the event's time of day must be in [start, stop) on its
 * own date (UTC, or `timezone`); when stop is before start the window crosses
 * midnight, [start, 24:00) or [00:00, stop).
 */
export function filterTime(filter: TimeFilter | undefined, eventMs: number): FilterOutcome {
  if (filter === undefined) return { pass: true };
  let zone: string;
  let start: number;
  let stop: number;
  try {
    zone = checkTimeZone(filter.timezone ?? '');
    start = timeOnDate(filter.start ?? '', eventMs, zone);
    stop = timeOnDate(filter.stop ?? '', eventMs, zone);
  } catch (err) {
    return filterError(
      'time',
      isPlinthError(err) || err instanceof Error ? err.message : String(err),
    );
  }
  const pass =
    start < stop ? eventMs >= start && eventMs < stop : eventMs >= start || eventMs < stop;
  if (pass) return { pass };
  const w = wallClock(eventMs, zone);
  const at = [w.hour, w.minute, w.second].map((n) => String(n).padStart(2, '0')).join(':');
  return {
    pass,
    reason: `time filter: the event's time ${at} (${filter.timezone || 'UTC'}) is not in [${filter.start}, ${filter.stop})`,
  };
}
