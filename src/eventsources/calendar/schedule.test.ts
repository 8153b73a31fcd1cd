import { describe, expect, it } from 'vitest';
import { nextCron, parseCron } from './cron.js';
import { parseGoDuration } from './duration.js';
import { calendarSchedule } from './schedule.js';
import { goTimeString, parseGoTimeString } from './zone.js';

const utc = (iso: string) => Date.parse(iso);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

describe('cron schedules', () => {
  it('fires at the next matching minute, strictly after the given time', () => {
    const every15 = parseCron('*/15 * * * *');
    expect(iso(nextCron(every15, utc('2026-01-01T10:07:30Z'), 'UTC'))).toBe(
      '2026-01-01T10:15:00.000Z',
    );
    expect(iso(nextCron(every15, utc('2026-01-01T10:15:00Z'), 'UTC'))).toBe(
      '2026-01-01T10:30:00.000Z',
    );
    const nightly = parseCron('30 2 * * *');
    expect(iso(nextCron(nightly, utc('2026-01-31T03:00:00Z'), 'UTC'))).toBe(
      '2026-02-01T02:30:00.000Z',
    );
  });

  it('reads names, ranges, lists and steps as robfig/cron does', () => {
    const s = parseCron('0 9-17/4 * JAN,mar mon-fri');
    expect([...s.hours]).toEqual([9, 13, 17]);
    expect([...s.months]).toEqual([1, 3]);
    expect([...s.daysOfWeek]).toEqual([1, 2, 3, 4, 5]);
    expect([...parseCron('5/20 * * * *').minutes]).toEqual([5, 25, 45]);
  });

  it('matches day of month OR day of week when both are restricted, AND when one is *', () => {
    // 2026-03-01 is a Sunday.
    const either = parseCron('0 0 13 * 5');
    expect(iso(nextCron(either, utc('2026-03-01T00:00:00Z'), 'UTC'))).toBe(
      '2026-03-06T00:00:00.000Z',
    );
    const fridays = parseCron('0 0 * * 5');
    expect(iso(nextCron(fridays, utc('2026-03-06T00:00:00Z'), 'UTC'))).toBe(
      '2026-03-13T00:00:00.000Z',
    );
    const feb30 = parseCron('0 0 30 2 *');
    expect(nextCron(feb30, utc('2026-01-01T00:00:00Z'), 'UTC')).toBeUndefined();
  });

  it('reads the schedule in the time zone, across a DST change', () => {
    const s = parseCron('30 2 * * *');
    // Paris: UTC+1 in winter, UTC+2 from 2026-03-29; 02:30 does not exist that day.
    expect(iso(nextCron(s, utc('2026-03-27T12:00:00Z'), 'Europe/Paris'))).toBe(
      '2026-03-28T01:30:00.000Z',
    );
    expect(iso(nextCron(s, utc('2026-03-28T12:00:00Z'), 'Europe/Paris'))).toBe(
      '2026-03-30T00:30:00.000Z',
    );
    const prefixed = parseCron('CRON_TZ=America/New_York 0 9 * * *');
    expect(iso(nextCron(prefixed, utc('2026-07-01T00:00:00Z'), 'UTC'))).toBe(
      '2026-07-01T13:00:00.000Z',
    );
  });

  it('refuses what Argo refuses', () => {
    expect(() => parseCron('@every 1h')).toThrow(/descriptors/);
    expect(() => parseCron('0 * * * * *')).toThrow(/5 fields/);
    expect(() => parseCron('0 24 * * *')).toThrow(/outside 0-23/);
    expect(() => parseCron('0 0 * * 7')).toThrow(/outside 0-6/);
    expect(() => parseCron('5-1 * * * *')).toThrow(/beginning of range/);
    expect(() => parseCron('*/0 * * * *')).toThrow(/positive/);
  });
});

describe('intervals and exclusion dates', () => {
  it('parses Go durations', () => {
    expect(parseGoDuration('1h30m')).toBe(5_400_000);
    expect(parseGoDuration('1.5h')).toBe(5_400_000);
    expect(parseGoDuration('250ms')).toBe(250);
    expect(parseGoDuration('0')).toBe(0);
    expect(parseGoDuration('10')).toBeUndefined();
    expect(parseGoDuration('1d')).toBeUndefined();
  });

  it('fires an interval after the previous event, from its whole second', () => {
    const next = calendarSchedule({ interval: '10s' }, 'UTC');
    expect(iso(next(utc('2026-01-01T00:00:00.700Z')))).toBe('2026-01-01T00:00:10.000Z');
  });

  it('skips excluded days in the schedule zone', () => {
    const next = calendarSchedule(
      { schedule: '0 12 * * *', exclusionDates: ['EXDATE:20261225T000000Z,20261226T000000Z'] },
      'UTC',
    );
    expect(iso(next(utc('2026-12-24T13:00:00Z')))).toBe('2026-12-27T12:00:00.000Z');
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
  });
});
