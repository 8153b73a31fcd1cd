import { InputError } from '../errors/index.js';

/*
 * Go's time.Duration: a signed count of nanoseconds that fits in an int64,
 * written as `1h30m`, `-1.5s`, `250ms`, `0`. Parsing and printing follow
 * Go's time.ParseDuration and Duration.String, so values round-trip the way
 * Argo reads and writes them.
 */

/** Nanoseconds per unit, by every unit name Go accepts. */
const unitNs: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n, // U+00B5 micro sign
  μs: 1_000n, // U+03BC Greek small letter mu
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

const maxInt64 = (1n << 63n) - 1n;
const minInt64Magnitude = 1n << 63n;

/** Thrown when a text is not a Go duration; the message is Go's. */
export class DurationError extends InputError {}

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';

function invalid(original: string): DurationError {
  return new DurationError(`time: invalid duration ${JSON.stringify(original)}`);
}

/**
 * Go's `time.ParseDuration`: an optional sign, then one or more decimal
 * numbers each with a unit (ns, us, µs, μs, ms, s, m, h); `0` alone needs no
 * unit. Returns nanoseconds; throws a DurationError with Go's message.
 */
export function parseDuration(text: string): bigint {
  let s = text;
  let negative = false;
  if (s.startsWith('-') || s.startsWith('+')) {
    negative = s.startsWith('-');
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') throw invalid(text);
  let total = 0n;
  let at = 0;
  while (at < s.length) {
    if (!(s[at] === '.' || isDigit(s[at]))) throw invalid(text);
    // The whole part.
    const wholeStart = at;
    let value = 0n;
    while (isDigit(s[at])) {
      value = value * 10n + BigInt(Number(s[at]));
      if (value > minInt64Magnitude) throw invalid(text);
      at++;
    }
    const hasWhole = at > wholeStart;
    // The fraction: digits past what an int64 holds are dropped, as Go drops them.
    let fraction = 0n;
    let scale = 1;
    let hasFraction = false;
    if (s[at] === '.') {
      at++;
      const fractionStart = at;
      let overflowed = false;
      while (isDigit(s[at])) {
        if (!overflowed) {
          const next = fraction * 10n + BigInt(Number(s[at]));
          if (next > maxInt64) overflowed = true;
          else {
            fraction = next;
            scale *= 10;
          }
        }
        at++;
      }
      hasFraction = at > fractionStart;
    }
    if (!hasWhole && !hasFraction) throw invalid(text);
    // The unit: everything up to the next number.
    const unitStart = at;
    while (at < s.length && s[at] !== '.' && !isDigit(s[at])) at++;
    const unitName = s.slice(unitStart, at);
    if (unitName === '') {
      throw new DurationError(`time: missing unit in duration ${JSON.stringify(text)}`);
    }
    const unit = unitNs[unitName];
    if (unit === undefined) {
      throw new DurationError(
        `time: unknown unit ${JSON.stringify(unitName)} in duration ${JSON.stringify(text)}`,
      );
    }
    if (value > minInt64Magnitude / unit) throw invalid(text);
    value *= unit;
    if (fraction > 0n) {
      value += BigInt(Math.trunc(Number(fraction) * (Number(unit) / scale)));
      if (value > minInt64Magnitude) throw invalid(text);
    }
    total += value;
    if (total > minInt64Magnitude) throw invalid(text);
  }
  if (negative) return -total;
  if (total > maxInt64) throw invalid(text);
  return total;
}

/** `parseDuration`, or undefined when the text is not a Go duration. */
export function tryParseDuration(text: string): bigint | undefined {
  try {
    return parseDuration(text);
  } catch (e) {
    if (e instanceof DurationError) return undefined;
    throw e;
  }
}

/** A Go duration in milliseconds (fractional below a millisecond); undefined when it is not one. */
export function parseDurationMs(text: string): number | undefined {
  const ns = tryParseDuration(text);
  return ns === undefined ? undefined : nsToMs(ns);
}

/** Nanoseconds as milliseconds. */
export function nsToMs(ns: bigint): number {
  const ms = ns / 1_000_000n;
  return Number(ms) + Number(ns - ms * 1_000_000n) / 1e6;
}

/** Milliseconds as whole nanoseconds. */
export function msToNs(ms: number): bigint {
  const whole = Math.trunc(ms);
  return BigInt(whole) * 1_000_000n + BigInt(Math.round((ms - whole) * 1e6));
}

/**
 * A duration as Kubernetes' Int64OrString carries it (Argo's retry backoff):
 * a number, or a string of digits, counts nanoseconds; any other string is a
 * Go duration. In milliseconds; undefined when it is neither.
 */
export function durationMs(value: string | number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return value / 1e6;
  if (/^\d+$/.test(value)) return Number(value) / 1e6;
  return parseDurationMs(value);
}

/** Appends the digits of `v` below `precision` decimal places, without trailing zeros; returns the rest. */
function splitFraction(v: bigint, precision: number): [bigint, string] {
  let digits = '';
  let printing = false;
  let rest = v;
  for (let i = 0; i < precision; i++) {
    const digit = rest % 10n;
    printing ||= digit !== 0n;
    if (printing) digits = `${digit}${digits}`;
    rest /= 10n;
  }
  return [rest, printing ? `.${digits}` : ''];
}

/**
 * Go's `Duration.String`: `1h2m3.5s`, `1m30s`, `1.5s`, `250ms`, `1.5µs`,
 * `7ns`, `0s`. Takes nanoseconds (a number is rounded to whole nanoseconds).
 */
export function formatDuration(nanoseconds: bigint | number): string {
  const ns = typeof nanoseconds === 'bigint' ? nanoseconds : BigInt(Math.round(nanoseconds));
  const sign = ns < 0n ? '-' : '';
  let u = ns < 0n ? -ns : ns;
  if (u === 0n) return '0s';
  if (u < 1_000_000_000n) {
    const [precision, unit] =
      u < 1_000n ? [0, 'ns'] : u < 1_000_000n ? [3, 'µs'] : ([6, 'ms'] as const);
    const [whole, fraction] = splitFraction(u, precision);
    return `${sign}${whole}${fraction}${unit}`;
  }
  const [seconds, fraction] = splitFraction(u, 9);
  u = seconds;
  let out = `${u % 60n}${fraction}s`;
  u /= 60n;
  if (u > 0n) {
    out = `${u % 60n}m${out}`;
    u /= 60n;
    if (u > 0n) out = `${u}h${out}`;
  }
  return `${sign}${out}`;
}
