import { describe, expect, it } from 'vitest';
import { isPlinthError } from '../errors/index.js';
import {
  DurationError,
  durationMs,
  formatDuration,
  msToNs,
  nsToMs,
  parseDuration,
  parseDurationMs,
  tryParseDuration,
} from './duration.js';

describe('parseDuration (Go time.ParseDuration)', () => {
  it.each([
    ['0', 0n],
    ['-0', 0n],
    ['+0', 0n],
    ['5s', 5_000_000_000n],
    ['30s', 30_000_000_000n],
    ['1478s', 1_478_000_000_000n],
    ['-5s', -5_000_000_000n],
    ['+5s', 5_000_000_000n],
    ['-0s', 0n],
    ['5.0s', 5_000_000_000n],
    ['5.6s', 5_600_000_000n],
    ['5.s', 5_000_000_000n],
    ['.5s', 500_000_000n],
    ['1.0s', 1_000_000_000n],
    ['1.00s', 1_000_000_000n],
    ['1.004s', 1_004_000_000n],
    ['100.00100s', 100_001_000_000n],
    ['10ns', 10n],
    ['11us', 11_000n],
    ['12µs', 12_000n],
    ['12μs', 12_000n],
    ['13ms', 13_000_000n],
    ['14s', 14_000_000_000n],
    ['15m', 900_000_000_000n],
    ['16h', 57_600_000_000_000n],
    ['3h30m', 12_600_000_000_000n],
    ['10.5s4m', 250_500_000_000n],
    ['-2m3.4s', -123_400_000_000n],
    ['1h2m3s4ms5us6ns', 3_723_004_005_006n],
    ['39h9m14.425s', 140_954_425_000_000n],
    ['52763797000ns', 52_763_797_000n],
    ['0.3333333333333333333h', 1_200_000_000_000n],
    ['9007199254740993ns', 9_007_199_254_740_993n],
    ['9223372036854775807ns', 9_223_372_036_854_775_807n],
    ['9223372036854775.807us', 9_223_372_036_854_775_807n],
    ['-9223372036854775808ns', -9_223_372_036_854_775_808n],
    ['0.100000000000000000000h', 360_000_000_000n],
    ['0.830103483285477580700h', 2_988_372_539_827n],
  ])('%s is %i ns', (text, ns) => {
    expect(parseDuration(text)).toBe(ns);
  });

  it.each([
    ['', 'time: invalid duration ""'],
    ['3', 'time: missing unit in duration "3"'],
    ['-', 'time: invalid duration "-"'],
    ['s', 'time: invalid duration "s"'],
    ['.', 'time: invalid duration "."'],
    ['-.', 'time: invalid duration "-."'],
    ['.s', 'time: invalid duration ".s"'],
    ['+.s', 'time: invalid duration "+.s"'],
    ['1d', 'time: unknown unit "d" in duration "1d"'],
    ['3000000h', 'time: invalid duration "3000000h"'],
    ['9223372036854775808ns', 'time: invalid duration "9223372036854775808ns"'],
    ['9223372036854775.808us', 'time: invalid duration "9223372036854775.808us"'],
    ['1s later', 'time: unknown unit "s later" in duration "1s later"'],
    [' 1s', 'time: invalid duration " 1s"'],
  ])("refuses %j with Go's message", (text, message) => {
    expect(() => parseDuration(text)).toThrow(message);
    expect(tryParseDuration(text)).toBeUndefined();
  });

  it('throws an InputError', () => {
    let caught: unknown;
    try {
      parseDuration('soon');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(DurationError);
    expect(isPlinthError(caught)).toBe(true);
  });
});

describe('parseDurationMs', () => {
  // The cases the calendar source, the JetStream stream config and sprig had.
  it.each([
    ['1h30m', 5_400_000],
    ['1.5h', 5_400_000],
    ['250ms', 250],
    ['0', 0],
    ['72h', 72 * 3_600_000],
    ['4h35m', (4 * 60 + 35) * 60_000],
    ['300s', 300_000],
    ['1m30s', 90_000],
    ['-2s', -2_000],
    ['1500us', 1.5],
    ['1ns', 0.000001],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDurationMs(text)).toBe(ms);
  });

  it.each(['', '10', '72', '1d', 'h', '3 days', '1h x'])('refuses %j', (text) => {
    expect(parseDurationMs(text)).toBeUndefined();
  });

  it('converts between ns and ms without losing whole milliseconds', () => {
    expect(nsToMs(9_007_199_254_740_991_000_000n)).toBe(Number.MAX_SAFE_INTEGER);
    expect(nsToMs(123_456_789n)).toBe(123.456789);
    expect(msToNs(1.5)).toBe(1_500_000n);
    expect(msToNs(-2000)).toBe(-2_000_000_000n);
  });
});

describe('durationMs (Int64OrString: a number is nanoseconds)', () => {
  it.each([
    ['1s', 1000],
    ['500ms', 500],
    ['1m30s', 90_000],
    ['1.5h', 5_400_000],
    [2_000_000_000, 2000],
    ['3000000', 3],
  ] as const)('%s is %d ms', (value, ms) => {
    expect(durationMs(value)).toBe(ms);
  });

  it('refuses what is not a Go duration', () => {
    expect(durationMs('soon')).toBeUndefined();
    expect(durationMs('1s later')).toBeUndefined();
    expect(durationMs(undefined)).toBeUndefined();
  });
});

describe('formatDuration (Go Duration.String)', () => {
  it.each([
    [0n, '0s'],
    [1n, '1ns'],
    [1_100n, '1.1µs'],
    [2_200_000n, '2.2ms'],
    [3_300_000_000n, '3.3s'],
    [250_000_000n, '250ms'],
    [60_000_000_000n, '1m0s'],
    [90_000_000_000n, '1m30s'],
    [3_600_000_000_000n, '1h0m0s'],
    [4_500_000_000_000n, '1h15m0s'],
    [-4_500_000_000_000n, '-1h15m0s'],
    [3_723_004_005_006n, '1h2m3.004005006s'],
    [-1n, '-1ns'],
    [9_223_372_036_854_775_807n, '2562047h47m16.854775807s'],
    [-9_223_372_036_854_775_808n, '-2562047h47m16.854775808s'],
  ])('%i ns is %s', (ns, text) => {
    expect(formatDuration(ns)).toBe(text);
  });

  it('takes a number of nanoseconds', () => {
    expect(formatDuration(1_500_000_000)).toBe('1.5s');
    expect(formatDuration(-150_000_000)).toBe('-150ms');
  });

  it.each(['1h2m3.5s', '-1.5s', '12µs', '7ns', '1m0s', '0s'])('round-trips %s', (text) => {
    expect(formatDuration(parseDuration(text))).toBe(text);
  });
});
