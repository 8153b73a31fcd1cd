import {
  DurationError,
  formatDuration as formatGoDuration,
  parseDuration as parseGoDuration,
} from '../../time/index.js';
import { checkSize, expressionError } from './limits.js';

/**
 * The values expressions work on: `null` (nil), booleans, numbers (an integral
 * number is an int, any other a float), strings, arrays, maps (plain objects),
 * and the few Go types below. Nothing else from the host is ever called.
 */

/** A function an expression may call: a builtin, an Argo helper or a sprig function. */
export class Fn {
  constructor(
    readonly name: string,
    readonly call: (args: unknown[]) => unknown,
  ) {}
}

/** A point in time, as Go's time.Time (milliseconds precision). */
export class GoTime {
  constructor(
    readonly ms: number,
    /** Minutes east of UTC the time is shown in. */
    readonly offsetMinutes = 0,
  ) {}
  toJSON(): string {
    return formatRfc3339(this);
  }
}

/** A length of time, as Go's time.Duration (nanoseconds). */
export class GoDuration {
  constructor(readonly ns: number) {}
  toJSON(): number {
    return this.ns;
  }
}

export type ExprMap = Record<string, unknown>;

/**
 * A fresh map without a prototype. Assigning any key to it, `__proto__`
 * included, makes an own property: there is no inherited setter to reach.
 */
export function newMap(entries: Iterable<[string, unknown]> = []): ExprMap {
  const out = Object.create(null) as ExprMap;
  let n = 0;
  for (const [k, v] of entries) {
    out[k] = v;
    if (++n > 1000) checkSize(n);
  }
  return out;
}

/** Sets one key of a map made by newMap. */
export function setKey(m: ExprMap, k: string, v: unknown): void {
  if (Object.getPrototypeOf(m) === null) m[k] = v;
  else
    Object.defineProperty(m, k, { value: v, enumerable: true, writable: true, configurable: true });
}

export function isMap(v: unknown): v is ExprMap {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/** A map's own value for a key, or undefined: inherited members are never seen. */
export function ownValue(m: ExprMap, key: string): unknown {
  return Object.hasOwn(m, key) ? m[key] : undefined;
}

export function isNil(v: unknown): v is null | undefined {
  return v === null || v === undefined;
}

export function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}

/** The type name `type()` gives and error messages use. */
export function typeName(v: unknown): string {
  if (isNil(v)) return 'nil';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'string') return 'string';
  if (Array.isArray(v)) return 'array';
  if (v instanceof GoTime) return 'time.Time';
  if (v instanceof GoDuration) return 'time.Duration';
  if (v instanceof Fn) return 'func';
  if (isMap(v)) return 'map';
  return 'unknown';
}

/** Go's `%v` of a float64. */
export function goFloat(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : '-Inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const [mant = '0', expText = '0'] = x.toExponential().split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 21 || (exp >= 6 && !Number.isInteger(x))) {
    const sign = exp < 0 ? '-' : '+';
    const abs = Math.abs(exp);
    return `${mant}e${sign}${abs < 10 ? '0' : ''}${abs}`;
  }
  return String(x);
}

/** Go's `%v` of any value, as `string()` and sprig's toString print it. */
export function formatValue(v: unknown, depth = 0): string {
  if (depth > 50) return '...';
  if (isNil(v)) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'number')
    return Number.isInteger(v) && Math.abs(v) < 1e21 ? String(v) : goFloat(v);
  if (Array.isArray(v)) return `[${v.map((x) => formatValue(x, depth + 1)).join(' ')}]`;
  if (v instanceof GoTime) return formatGoTimeString(v);
  if (v instanceof GoDuration) return formatDuration(v.ns);
  if (v instanceof Fn) return `func ${v.name}`;
  if (isMap(v)) {
    const keys = Object.keys(v).sort();
    return `map[${keys.map((k) => `${k}:${formatValue(v[k], depth + 1)}`).join(' ')}]`;
  }
  return '<unknown>';
}

/** Deep equality as expr's `==`: numbers by value, arrays and maps by content. */
export function equal(a: unknown, b: unknown, depth = 0): boolean {
  if (depth > 100) throw expressionError('values nested too deeply to compare', 'limit');
  if (isNil(a) || isNil(b)) return isNil(a) && isNil(b);
  if (typeof a !== 'object' || typeof b !== 'object') return a === b;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => equal(x, b[i], depth + 1));
  }
  if (a instanceof GoTime && b instanceof GoTime) return a.ms === b.ms;
  if (a instanceof GoDuration && b instanceof GoDuration) return a.ns === b.ns;
  if (isMap(a) && isMap(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.hasOwn(b, k) && equal(a[k], b[k], depth + 1));
  }
  return a === b;
}

/**
 * JSON text as Go's encoding/json writes it: map keys sorted and, unless
 * `escapeHtml` is false, `<`, `>` and `&` escaped as `\u003c`, `\u003e`, `\u0026`.
 */
export function toJsonText(v: unknown, indent?: string, escapeHtml = true): string {
  const seen = (x: unknown, depth: number): unknown => {
    if (depth > 100) throw expressionError('value nested too deeply for JSON', 'limit');
    if (isNil(x)) return null;
    if (typeof x === 'number' && !Number.isFinite(x)) {
      throw expressionError(`json: unsupported value: ${goFloat(x)}`);
    }
    if (Array.isArray(x)) return x.map((y) => seen(y, depth + 1));
    if (x instanceof GoTime) return x.toJSON();
    if (x instanceof GoDuration) return x.ns;
    if (x instanceof Fn) throw expressionError(`json: unsupported type: func`);
    if (isMap(x)) {
      const keys = Object.keys(x).sort();
      return newMap(keys.map((k) => [k, seen(x[k], depth + 1)]));
    }
    return x;
  };
  const text = JSON.stringify(seen(v, 0), null, indent) ?? 'null';
  const escaped = text.replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
  if (!escapeHtml) return escaped;
  return escaped.replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);
}

/** Parses JSON into expression values, with maps that have no prototype. */
export function fromJsonText(text: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw expressionError(`invalid JSON: ${(err as Error).message}`);
  }
  const fix = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(fix);
    if (x !== null && typeof x === 'object') {
      return newMap(Object.entries(x as object).map(([k, v]) => [k, fix(v)]));
    }
    return x;
  };
  return fix(parsed);
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

function shifted(t: GoTime): Date {
  return new Date(t.ms + t.offsetMinutes * 60_000);
}

function offsetText(minutes: number, colon: boolean): string {
  const sign = minutes < 0 ? '-' : '+';
  const a = Math.abs(minutes);
  return `${sign}${pad(Math.floor(a / 60))}${colon ? ':' : ''}${pad(a % 60)}`;
}

/** RFC 3339 with fractional seconds trimmed, as Go marshals a time. */
export function formatRfc3339(t: GoTime): string {
  const d = shifted(t);
  const ms = d.getUTCMilliseconds();
  const frac = ms ? `.${pad(ms, 3).replace(/0+$/, '')}` : '';
  const zone = t.offsetMinutes === 0 ? 'Z' : offsetText(t.offsetMinutes, true);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${frac}${zone}`;
}

/** Go's default String() of a time: `2006-01-02 15:04:05.999999999 -0700 MST`. */
function formatGoTimeString(t: GoTime): string {
  const d = shifted(t);
  const ms = d.getUTCMilliseconds();
  const frac = ms ? `.${pad(ms, 3).replace(/0+$/, '')}` : '';
  const zone = t.offsetMinutes === 0 ? '+0000 UTC' : offsetText(t.offsetMinutes, false);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${frac} ${zone}`;
}

/** Go's Duration.String(): `1h2m3.5s`, `150ms`, `0s`. */
export function formatDuration(ns: number): string {
  return formatGoDuration(ns);
}

/** Go's time.ParseDuration: `1h30m`, `-1.5s`, `300ms`; an expression error with Go's message otherwise. */
export function parseDuration(text: string): GoDuration {
  try {
    return new GoDuration(Number(parseGoDuration(text)));
  } catch (err) {
    if (err instanceof DurationError) throw expressionError(err.message);
    throw err;
  }
}
