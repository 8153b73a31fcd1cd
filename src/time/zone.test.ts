import { describe, expect, it } from 'vitest';
import {
  checkTimeZone,
  goTimeString,
  instantOf,
  isTimeZone,
  offsetAt,
  parseGoTimeString,
  wallAsUtc,
  wallClock,
  zonedInstant,
} from './zone.js';

const utc = (iso: string) => Date.parse(iso);

describe('time zones as Go names them', () => {
  it('knows IANA zones, UTC, Local and the empty name, and no offsets', () => {
    expect(isTimeZone('America/Argentina/Buenos_Aires')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Local')).toBe(true);
    expect(isTimeZone('')).toBe(true);
    expect(isTimeZone('+02:00')).toBe(false);
    expect(isTimeZone('Europe/Atlantis')).toBe(false);
  });

  it('checks a zone as time.LoadLocation does', () => {
    expect(checkTimeZone('')).toBe('UTC');
    expect(checkTimeZone('UTC')).toBe('UTC');
    expect(checkTimeZone('Asia/Tokyo')).toBe('Asia/Tokyo');
    expect(isTimeZone(checkTimeZone('Local'))).toBe(true);
    expect(() => checkTimeZone('Mars/Olympus')).toThrow(
      "invalid timezone 'Mars/Olympus': unknown time zone Mars/Olympus",
    );
  });
});

describe('wall clock', () => {
  it('reads an instant in a zone', () => {
    expect(wallClock(utc('2026-01-15T08:00:05Z'), 'America/New_York')).toEqual({
      year: 2026,
      month: 1,
      day: 15,
      hour: 3,
      minute: 0,
      second: 5,
      weekday: 4,
    });
    expect(wallClock(utc('2024-06-01T23:30:00Z'), 'Asia/Tokyo')).toMatchObject({
      day: 2,
      hour: 8,
      weekday: 0,
    });
    expect(wallClock(utc('2024-06-01T23:30:00Z'), 'Local').year).toBe(2024);
  });

  it('gives the offset at an instant', () => {
    expect(offsetAt(utc('2026-01-15T08:00:00Z'), 'America/New_York')).toBe(-5 * 3_600_000);
    expect(offsetAt(utc('2026-07-15T08:00:00Z'), 'America/New_York')).toBe(-4 * 3_600_000);
    expect(offsetAt(utc('2026-07-15T08:00:00.250Z'), 'UTC')).toBe(0);
  });

  it('maps a wall time back to its instant, strictly or as time.Date does', () => {
    const wall = { year: 2026, month: 3, day: 29, hour: 2, minute: 30, second: 0 };
    // 02:30 does not exist in Paris on 2026-03-29.
    expect(instantOf(wallAsUtc(wall), 'Europe/Paris')).toBeUndefined();
    // time.Date reads it with the offset before the change: 03:30 CEST.
    expect(new Date(zonedInstant(wall, 'Europe/Paris')).toISOString()).toBe(
      '2026-03-29T01:30:00.000Z',
    );
    const noon = { ...wall, hour: 12 }; // 12:30
    expect(instantOf(wallAsUtc(noon), 'Europe/Paris')).toBe(utc('2026-03-29T10:30:00Z'));
    expect(zonedInstant(noon, 'Europe/Paris')).toBe(utc('2026-03-29T10:30:00Z'));
    // Fields overflow into the next day.
    expect(zonedInstant({ ...noon, hour: 25 }, 'UTC')).toBe(utc('2026-03-30T01:30:00Z'));
  });
});

describe("Go's time format", () => {
  it('writes and reads eventTime as Go does', () => {
    const at = utc('2020-10-19T22:50:00.123Z');
    expect(goTimeString(at, 'UTC')).toBe('2020-10-19 22:50:00.123 +0000 UTC');
    expect(goTimeString(utc('2026-01-15T08:00:00Z'), 'America/New_York')).toBe(
      '2026-01-15 03:00:00 -0500 EST',
    );
    expect(parseGoTimeString('2020-10-19 22:50:00.0003192 +0000 UTC m=+683.567066901')).toBe(
      utc('2020-10-19T22:50:00Z'),
    );
    expect(parseGoTimeString('2026-01-15 03:00:00 -0500 EST')).toBe(utc('2026-01-15T08:00:00Z'));
    expect(parseGoTimeString('yesterday')).toBeUndefined();
  });
});
