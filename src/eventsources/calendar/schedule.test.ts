import { describe, expect, it } from 'vitest';
import { goTimeString, parseGoTimeString } from '../../time/index.js';
import { calendarSchedule } from './schedule.js';

const utc = (iso: string) => Date.parse(iso);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

describe('intervals and exclusion dates', () => {
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
