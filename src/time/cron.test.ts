import { describe, expect, it } from 'vitest';
import { isPlinthError } from '../errors/index.js';
import { CronError, cronProblem, nextActivation, parseCron } from './cron.js';

const utc = (iso: string) => Date.parse(iso);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
const next = (spec: string, after: string, zone = 'UTC') =>
  iso(nextActivation(parseCron(spec), utc(after), zone));

describe('parseCron', () => {
  it('reads names, ranges, lists and steps as robfig/cron does', () => {
    const s = parseCron('0 9-17/4 * JAN,mar mon-fri');
    expect([...s.hours]).toEqual([9, 13, 17]);
    expect([...s.months]).toEqual([1, 3]);
    expect([...s.daysOfWeek]).toEqual([1, 2, 3, 4, 5]);
    expect([...parseCron('5/20 * * * *').minutes]).toEqual([5, 25, 45]);
    expect([...parseCron('*/15 * * * *').minutes]).toEqual([0, 15, 30, 45]);
    expect(parseCron('0 12 ? JAN-MAR mon').dayStar).toBe(true);
    expect(parseCron('0 0 13 * 5').dayStar).toBe(false);
    expect(parseCron('0 0 */2 * 5').dayStar).toBe(false);
    expect(parseCron('0 0 */1 * 5').dayStar).toBe(true);
  });

  it('takes a CRON_TZ= or TZ= prefix', () => {
    expect(parseCron('CRON_TZ=America/New_York 0 9 * * *').timeZone).toBe('America/New_York');
    expect(parseCron('TZ=UTC 0 9 * * *').timeZone).toBe('UTC');
    expect(parseCron('0 9 * * *').timeZone).toBeUndefined();
  });

  it('reads descriptors only when asked to', () => {
    const daily = parseCron('@daily', { descriptors: true });
    expect([...daily.minutes]).toEqual([0]);
    expect([...daily.hours]).toEqual([0]);
    expect(daily.spec).toBe('@daily');
    expect([...parseCron('@weekly', { descriptors: true }).daysOfWeek]).toEqual([0]);
    expect(parseCron('@every 1h30m', { descriptors: true }).everyMs).toBe(5_400_000);
    // robfig drops what is below a second and waits at least one.
    expect(parseCron('@every 1.5s', { descriptors: true }).everyMs).toBe(1000);
    expect(parseCron('@every 10ms', { descriptors: true }).everyMs).toBe(1000);
    expect(() => parseCron('@daily')).toThrow(/expected exactly 5 fields.*descriptors/);
    expect(() => parseCron('@every 1h')).toThrow(/descriptors/);
  });

  it('throws an InputError naming the part that is wrong', () => {
    let caught: unknown;
    try {
      parseCron('0 24 * * *');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(CronError);
    expect(isPlinthError(caught)).toBe(true);
    expect((caught as CronError).message).toBe(
      'invalid cron expression "0 24 * * *": hour "24": 24 is beyond the range 0-23',
    );
    expect((caught as CronError).problem).toMatchObject({
      kind: 'range',
      field: 'hour',
      text: '24',
      value: 24,
      min: 0,
      max: 23,
    });
  });

  it('refuses what robfig/cron refuses', () => {
    expect(() => parseCron('0 * * * * *')).toThrow(/expected exactly 5 fields/);
    expect(() => parseCron('* * * *')).toThrow(/expected exactly 5 fields/);
    expect(() => parseCron('61 * * * *')).toThrow(/beyond the range 0-59/);
    expect(() => parseCron('0 0 * * 7')).toThrow(/beyond the range 0-6/);
    expect(() => parseCron('5-1 * * * *')).toThrow(/runs backwards/);
    expect(() => parseCron('*/0 * * * *')).toThrow(/positive/);
    expect(() => parseCron('CRON_TZ=Mars/Olympus 0 0 * * *')).toThrow(/unknown time zone/);
  });
});

describe('cronProblem', () => {
  it.each([
    '* * * * *',
    '*/5 0-6,18-23 1,15 */2 SUN-THU',
    '0 12 ? JAN-MAR mon',
    '15/10 * * * *',
    '@hourly',
    '@yearly',
    '@every 1h30m',
    'TZ=America/Chicago 0 6 * * *',
    'CRON_TZ=Local @daily',
  ])('accepts %s', (spec) => {
    expect(cronProblem(spec, { descriptors: true })).toBeUndefined();
  });

  it.each([
    ['60 * * * *', 'range', /^minute "60": 60 is beyond the range 0-59$/],
    ['* * 0 * *', 'range', /^day of month "0"/],
    ['* * * 13 *', 'range', /^month "13"/],
    ['* * * * 7', 'range', /^day of week "7"/],
    ['* * * * MONDAY', 'field', /"MONDAY" is not a day of week/],
    ['*/0 * * * *', 'field', /a step of 0/],
    ['*/x * * * *', 'field', /step "x" is not a number/],
    ['1/2/3 * * * *', 'field', /more than one "\/"/],
    ['1-2-3 * * * *', 'field', /too many hyphens/],
    ['1,,2 * * * *', 'field', /an empty item/],
    ['10-2 * * * *', 'field', /runs backwards/],
    ['* * * * * *', 'fieldCount', /found 6/],
    ['', 'empty', /empty/],
    ['TZ=Europe/London', 'empty', /empty/],
    ['@often', 'descriptor', /unknown descriptor "@often"/],
    ['@DAILY', 'descriptor', /unknown descriptor/],
    ['@every soon', 'every', /"soon" is not a duration/],
    ['TZ=Nowhere/City * * * * *', 'zone', /unknown time zone "Nowhere\/City"/],
  ])('refuses %j', (spec, kind, message) => {
    const problem = cronProblem(spec, { descriptors: true });
    expect(problem?.kind).toBe(kind);
    expect(problem?.message).toMatch(message);
  });
});

describe('nextActivation', () => {
  it('fires at the next matching minute, strictly after the given time', () => {
    expect(next('*/15 * * * *', '2026-01-01T10:07:30Z')).toBe('2026-01-01T10:15:00.000Z');
    expect(next('*/15 * * * *', '2026-01-01T10:15:00Z')).toBe('2026-01-01T10:30:00.000Z');
    expect(next('30 2 * * *', '2026-01-31T03:00:00Z')).toBe('2026-02-01T02:30:00.000Z');
    expect(next('*/15 * * * *', '2024-06-01T10:00:00Z')).toBe('2024-06-01T10:15:00.000Z');
    expect(next('0 0 * * *', '2024-06-01T10:00:00Z')).toBe('2024-06-02T00:00:00.000Z');
    expect(next('30 9 * jan,jun mon-fri', '2024-06-01T10:00:00Z')).toBe('2024-06-03T09:30:00.000Z');
    expect(next('0 12 29 2 *', '2024-06-01T10:00:00Z')).toBe('2028-02-29T12:00:00.000Z');
  });

  it('matches day of month OR day of week when both are restricted, AND when one is *', () => {
    // 2026-03-01 is a Sunday.
    expect(next('0 0 13 * 5', '2026-03-01T00:00:00Z')).toBe('2026-03-06T00:00:00.000Z');
    expect(next('0 0 * * 5', '2026-03-06T00:00:00Z')).toBe('2026-03-13T00:00:00.000Z');
    // 2024-06-01 is a Saturday.
    expect(next('0 0 10 * mon', '2024-06-01T10:00:00Z')).toBe('2024-06-03T00:00:00.000Z');
    expect(next('0 0 10 * *', '2024-06-01T10:00:00Z')).toBe('2024-06-10T00:00:00.000Z');
  });

  it('gives up on a schedule that never fires', () => {
    expect(next('0 0 30 2 *', '2026-01-01T00:00:00Z')).toBeUndefined();
  });

  it('reads the schedule in the time zone, across a DST change', () => {
    // Paris: UTC+1 in winter, UTC+2 from 2026-03-29; 02:30 does not exist that day.
    expect(next('30 2 * * *', '2026-03-27T12:00:00Z', 'Europe/Paris')).toBe(
      '2026-03-28T01:30:00.000Z',
    );
    expect(next('30 2 * * *', '2026-03-28T12:00:00Z', 'Europe/Paris')).toBe(
      '2026-03-30T00:30:00.000Z',
    );
    expect(next('0 0 * * *', '2024-01-15T12:00:00Z', 'America/New_York')).toBe(
      '2024-01-16T05:00:00.000Z',
    );
  });

  it("lets the schedule's prefix win over the caller's zone", () => {
    expect(next('CRON_TZ=America/New_York 0 9 * * *', '2026-07-01T00:00:00Z')).toBe(
      '2026-07-01T13:00:00.000Z',
    );
    expect(next('CRON_TZ=Asia/Tokyo 0 9 * * *', '2024-01-15T12:00:00Z', 'Europe/Paris')).toBe(
      '2024-01-16T00:00:00.000Z',
    );
  });

  it('waits the @every delay from the whole second', () => {
    const every = parseCron('@every 10s', { descriptors: true });
    expect(iso(nextActivation(every, utc('2026-01-01T00:00:00.700Z')))).toBe(
      '2026-01-01T00:00:10.000Z',
    );
  });
});
