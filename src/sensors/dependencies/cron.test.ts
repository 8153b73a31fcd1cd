import { describe, it, expect } from 'vitest';
import { parseCron } from './cron.js';

const iso = (ms: number | undefined): string | undefined =>
  ms === undefined ? undefined : new Date(ms).toISOString();

describe('parseCron', () => {
  it('finds the next activation after a time, in UTC by default', () => {
    const t = Date.parse('2024-06-01T10:07:30Z');
    expect(iso(parseCron('*/15 * * * *').next(t))).toBe('2024-06-01T10:15:00.000Z');
    expect(iso(parseCron('0 0 * * *').next(t))).toBe('2024-06-02T00:00:00.000Z');
    expect(iso(parseCron('30 9 * jan,jun mon-fri').next(t))).toBe('2024-06-03T09:30:00.000Z');
    expect(iso(parseCron('0 12 29 2 *').next(t))).toBe('2028-02-29T12:00:00.000Z');
  });

  it('uses the time zone, or a CRON_TZ prefix', () => {
    const t = Date.parse('2024-01-15T12:00:00Z');
    expect(iso(parseCron('0 0 * * *', 'America/New_York').next(t))).toBe(
      '2024-01-16T05:00:00.000Z',
    );
    expect(iso(parseCron('CRON_TZ=Asia/Tokyo 0 9 * * *').next(t))).toBe('2024-01-16T00:00:00.000Z');
  });

  it('ORs day of month and day of week when both are restricted, as cron does', () => {
    const t = Date.parse('2024-06-01T00:00:00Z'); // a Saturday
    expect(iso(parseCron('0 0 10 * mon').next(t))).toBe('2024-06-03T00:00:00.000Z');
    expect(iso(parseCron('0 0 10 * *').next(t))).toBe('2024-06-10T00:00:00.000Z');
  });

  it('refuses what robfig/cron refuses', () => {
    expect(() => parseCron('* * * *')).toThrow(/expected exactly 5 fields/);
    expect(() => parseCron('61 * * * *')).toThrow(/beyond the range 0-59/);
    expect(() => parseCron('@daily')).toThrow(/expected exactly 5 fields/);
    expect(() => parseCron('0 0 * * *', 'Mars/Olympus')).toThrow(/invalid timezone/);
  });
});
