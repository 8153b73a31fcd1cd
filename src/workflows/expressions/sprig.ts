import { createHash } from 'node:crypto';
import path from 'node:path';
import { str } from './builtins.js';
import { formatLayout, parseLayout } from './gotime.js';
import { checkSize, checkString, expressionError } from './limits.js';
import { compileRegex } from './regex.js';
import {
  Fn,
  GoDuration,
  GoTime,
  equal,
  formatDuration,
  formatValue,
  fromJsonText,
  isMap,
  isNil,
  newMap,
  parseDuration,
  setKey,
  toJsonText,
  typeName,
  type ExprMap,
} from './values.js';

/**
 * The sprig functions Argo offers under `sprig.` (all of sprig's generic map but
 * `env` and `expandenv`). Arguments come in template order: the value a
 * template would pipe in is the last one, e.g. `sprig.replace(old, new, s)`.
 */

/** cast.ToInt64: numbers truncate, numeric strings parse, anything else is 0. */
function toInt64(v: unknown): number {
  if (typeof v === 'number') return Number.isFinite(v) ? Math.trunc(v) : 0;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    const t = v.replace(/\.0*$/, '');
    if (/^[+-]?\d+$/.test(t)) return Number(t);
    if (/^0[xX][0-9a-fA-F]+$/.test(t)) return Number.parseInt(t.slice(2), 16);
    return 0;
  }
  return 0;
}

/** cast.ToFloat64: numbers, numeric strings, anything else 0. */
function toFloat64(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v)) return Number(v);
  return 0;
}

/** sprig's strval: strings as they are, anything else as Go's %v. */
function strval(v: unknown): string {
  return typeof v === 'string' ? v : formatValue(v);
}

/** sprig's notion of empty: zero values, empty collections, nil. */
function empty(v: unknown): boolean {
  if (isNil(v)) return true;
  if (typeof v === 'string') return v === '';
  if (typeof v === 'number') return v === 0;
  if (typeof v === 'boolean') return !v;
  if (Array.isArray(v)) return v.length === 0;
  if (isMap(v)) return Object.keys(v).length === 0;
  if (v instanceof GoTime) return false;
  return false;
}

function list(name: string, v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  throw expressionError(`Cannot find ${name} on type ${typeName(v)}`);
}

function dict(name: string, v: unknown): ExprMap {
  if (isMap(v)) return v;
  throw expressionError(
    `${name}: wrong type for value; expected map[string]interface {}; got ${typeName(v)}`,
  );
}

function toTime(v: unknown): GoTime {
  if (v instanceof GoTime) return v;
  if (typeof v === 'number') return new GoTime(Math.trunc(v) * 1000);
  return new GoTime(Date.now());
}

function indent(spaces: number, s: string): string {
  const pad = ' '.repeat(Math.max(0, spaces));
  checkString(pad + s);
  return pad + s.replaceAll('\n', `\n${pad}`);
}

function words(s: string): string[] {
  return s
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
}

function title(s: string): string {
  return s.replace(
    /(^|[^\p{L}\p{N}_'])(\p{L})/gu,
    (_m, a: string, b: string) => a + b.toUpperCase(),
  );
}

function hash(alg: string, s: string): string {
  return createHash(alg).update(s, 'utf8').digest('hex');
}

function adler32(s: string): number {
  let a = 1;
  let b = 0;
  for (const byte of Buffer.from(s, 'utf8')) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

function base32(buf: Buffer): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of buf) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  while (out.length % 8) out += '=';
  return out;
}

function fromBase32(s: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const bytes: number[] = [];
  let bits = 0;
  let value = 0;
  for (const c of s.replace(/=+$/, '')) {
    const i = alphabet.indexOf(c);
    if (i < 0) throw expressionError('illegal base32 data');
    value = (value << 5) | i;
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function semverParts(v: string): [number, number, number, string] {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/.exec(
    v.trim(),
  );
  if (!m) throw expressionError(`Invalid Semantic Version`);
  return [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0), m[4] ?? ''];
}

function semverCmp(a: string, b: string): number {
  const x = semverParts(a);
  const y = semverParts(b);
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
  if (x[3] === y[3]) return 0;
  if (!x[3]) return 1;
  if (!y[3]) return -1;
  return x[3] < y[3] ? -1 : 1;
}

function semverSatisfies(constraint: string, version: string): boolean {
  return constraint.split('||').some((alt) =>
    alt
      .trim()
      .split(/[\s,]+/)
      .filter(Boolean)
      .every((c) => {
        const m = /^(>=|<=|!=|=|>|<|~|\^)?\s*v?(.+)$/.exec(c);
        if (!m) throw expressionError(`improper constraint: ${c}`);
        const op = m[1] ?? '=';
        const target = m[2] as string;
        const cmp = semverCmp(version, target.replace(/\.[xX*]/g, '.0'));
        const [tMaj, tMin] = semverParts(target.replace(/\.[xX*]/g, '.0'));
        const [vMaj, vMin] = semverParts(version);
        switch (op) {
          case '>':
            return cmp > 0;
          case '>=':
            return cmp >= 0;
          case '<':
            return cmp < 0;
          case '<=':
            return cmp <= 0;
          case '!=':
            return cmp !== 0;
          case '~':
            return cmp >= 0 && vMaj === tMaj && vMin === tMin;
          case '^':
            return cmp >= 0 && vMaj === tMaj;
          default:
            return /[xX*]/.test(target)
              ? vMaj === tMaj && (vMin === tMin || /^\d+\.[xX*]/.test(target))
              : cmp === 0;
        }
      }),
  );
}

type Impl = (...args: unknown[]) => unknown;

/** The `sprig` map of the expression environment. */
export function createSprig(now: () => number): ExprMap {
  const fns: Record<string, Impl> = {
    // strings
    trim: (s) => str('trim', s).trim(),
    trimAll: (cut, s) => {
      const set = new Set(str('trimAll', cut));
      const cs = [...str('trimAll', s)];
      let a = 0;
      let z = cs.length;
      while (a < z && set.has(cs[a] as string)) a++;
      while (z > a && set.has(cs[z - 1] as string)) z--;
      return cs.slice(a, z).join('');
    },
    trimPrefix: (p, s) => {
      const [q, t] = [str('trimPrefix', p), str('trimPrefix', s)];
      return t.startsWith(q) ? t.slice(q.length) : t;
    },
    trimSuffix: (p, s) => {
      const [q, t] = [str('trimSuffix', p), str('trimSuffix', s)];
      return q && t.endsWith(q) ? t.slice(0, -q.length) : t;
    },
    upper: (s) => str('upper', s).toUpperCase(),
    lower: (s) => str('lower', s).toLowerCase(),
    title: (s) => title(str('title', s)),
    untitle: (s) =>
      str('untitle', s).replace(
        /(^|\s)(\p{L})/gu,
        (_m, a: string, b: string) => a + b.toLowerCase(),
      ),
    swapcase: (s) =>
      [...str('swapcase', s)]
        .map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()))
        .join(''),
    snakecase: (s) =>
      words(str('snakecase', s))
        .map((w) => w.toLowerCase())
        .join('_'),
    kebabcase: (s) =>
      words(str('kebabcase', s))
        .map((w) => w.toLowerCase())
        .join('-'),
    camelcase: (s) =>
      str('camelcase', s)
        .split('_')
        .map((w) => (w ? (w[0] as string).toUpperCase() + w.slice(1) : ''))
        .join(''),
    repeat: (n, s) => {
      const k = toInt64(n);
      const t = str('repeat', s);
      checkString('x'.repeat(Math.min(Math.max(k, 0) * t.length, 1024 * 1024 + 1)));
      return t.repeat(Math.max(k, 0));
    },
    substr: (a, b, s) => {
      const t = str('substr', s);
      let start = toInt64(a);
      let end = toInt64(b);
      if (start < 0) return t.slice(0, end < 0 ? undefined : end);
      if (end < 0 || end > t.length) end = t.length;
      if (start > end) start = end;
      return t.slice(start, end);
    },
    trunc: (n, s) => {
      const k = toInt64(n);
      const t = str('trunc', s);
      if (k < 0 && t.length + k > 0) return t.slice(t.length + k);
      if (k >= 0 && t.length > k) return t.slice(0, k);
      return t;
    },
    abbrev: (w, s) => {
      const k = toInt64(w);
      const t = str('abbrev', s);
      if (k < 4 || t.length <= k) return t;
      return `${t.slice(0, k - 3)}...`;
    },
    nospace: (s) => str('nospace', s).replace(/\s/g, ''),
    initials: (s) =>
      str('initials', s)
        .split(/\s+/)
        .filter(Boolean)
        .map((w) => w[0])
        .join(''),
    contains: (sub, s) => str('contains', s).includes(str('contains', sub)),
    hasPrefix: (p, s) => str('hasPrefix', s).startsWith(str('hasPrefix', p)),
    hasSuffix: (p, s) => str('hasSuffix', s).endsWith(str('hasSuffix', p)),
    quote: (...xs) =>
      xs
        .filter((x) => !isNil(x))
        .map((x) => JSON.stringify(strval(x)))
        .join(' '),
    squote: (...xs) =>
      xs
        .filter((x) => !isNil(x))
        .map((x) => `'${strval(x)}'`)
        .join(' '),
    cat: (...xs) =>
      checkString(
        xs
          .filter((x) => !isNil(x))
          .map(strval)
          .join(' '),
      ),
    indent: (n, s) => indent(toInt64(n), str('indent', s)),
    nindent: (n, s) => `\n${indent(toInt64(n), str('nindent', s))}`,
    replace: (o, n, s) =>
      checkString(str('replace', s).split(str('replace', o)).join(str('replace', n))),
    plural: (one, many, n) => (toInt64(n) === 1 ? str('plural', one) : str('plural', many)),
    wrap: (n, s) => {
      const k = Math.max(1, toInt64(n));
      const out: string[] = [];
      let line = '';
      for (const w of str('wrap', s).split(/\s+/).filter(Boolean)) {
        if (line && line.length + 1 + w.length > k) {
          out.push(line);
          line = w;
        } else line = line ? `${line} ${w}` : w;
      }
      if (line) out.push(line);
      return out.join('\n');
    },
    splitList: (sep, s) => {
      const t = str('splitList', s);
      const p = str('splitList', sep);
      return p === '' ? [...t] : t.split(p);
    },
    split: (sep, s) => {
      const t = str('split', s);
      const p = str('split', sep);
      return newMap((p === '' ? [...t] : t.split(p)).map((x, i) => [`_${i}`, x]));
    },
    splitn: (sep, n, s) => {
      const t = str('splitn', s);
      const p = str('splitn', sep);
      const k = toInt64(n);
      let parts = t.split(p);
      if (k > 0 && parts.length > k) parts = [...parts.slice(0, k - 1), parts.slice(k - 1).join(p)];
      return newMap(parts.map((x, i) => [`_${i}`, x]));
    },
    join: (sep, v) =>
      checkString((Array.isArray(v) ? v : isNil(v) ? [] : [v]).map(strval).join(str('join', sep))),
    sortAlpha: (v) => (Array.isArray(v) ? v.map(strval).sort() : [strval(v)]),
    toString: (v: unknown) => strval(v),
    toStrings: (v) => (Array.isArray(v) ? v.map(strval) : [strval(v)]),
    atoi: (s) => {
      const t = str('atoi', s);
      return /^[+-]?\d+$/.test(t) ? Number(t) : 0;
    },
    int: (v) => toInt64(v),
    int64: (v) => toInt64(v),
    float64: (v) => toFloat64(v),
    toDecimal: (v) => {
      const t = strval(v);
      return /^[0-7]+$/.test(t) ? Number.parseInt(t, 8) : 0;
    },
    // math
    add: (...xs) => xs.reduce<number>((a, x) => a + toInt64(x), 0),
    add1: (x) => toInt64(x) + 1,
    sub: (a, b) => toInt64(a) - toInt64(b),
    mul: (a, ...xs) => xs.reduce<number>((p, x) => p * toInt64(x), toInt64(a)),
    div: (a, b) => {
      const d = toInt64(b);
      if (d === 0) throw expressionError('runtime error: integer divide by zero');
      return Math.trunc(toInt64(a) / d);
    },
    mod: (a, b) => {
      const d = toInt64(b);
      if (d === 0) throw expressionError('runtime error: integer divide by zero');
      return toInt64(a) % d;
    },
    max: (a, ...xs) => Math.max(toInt64(a), ...xs.map(toInt64)),
    min: (a, ...xs) => Math.min(toInt64(a), ...xs.map(toInt64)),
    addf: (...xs) => xs.reduce<number>((a, x) => a + toFloat64(x), 0),
    add1f: (x) => toFloat64(x) + 1,
    subf: (a, ...xs) => xs.reduce<number>((p, x) => p - toFloat64(x), toFloat64(a)),
    mulf: (a, ...xs) => xs.reduce<number>((p, x) => p * toFloat64(x), toFloat64(a)),
    divf: (a, ...xs) => xs.reduce<number>((p, x) => p / toFloat64(x), toFloat64(a)),
    maxf: (a, ...xs) => Math.max(toFloat64(a), ...xs.map(toFloat64)),
    minf: (a, ...xs) => Math.min(toFloat64(a), ...xs.map(toFloat64)),
    floor: (x) => Math.floor(toFloat64(x)),
    ceil: (x) => Math.ceil(toFloat64(x)),
    round: (x, p, r) => {
      const prec = toInt64(p);
      const half = r === undefined ? 0.5 : toFloat64(r);
      const f = 10 ** prec;
      const v = toFloat64(x) * f;
      const whole = Math.trunc(v);
      const frac = Math.abs(v - whole);
      return (frac >= half ? whole + Math.sign(v) : whole) / f;
    },
    until: (n) => {
      const k = toInt64(n);
      checkSize(Math.abs(k));
      return k >= 0
        ? Array.from({ length: k }, (_, i) => i)
        : Array.from({ length: -k }, (_, i) => -i);
    },
    untilStep: (a, b, s) => {
      const [start, stop, step] = [toInt64(a), toInt64(b), toInt64(s)];
      const out: number[] = [];
      if (step === 0) return out;
      for (let i = start; step > 0 ? i < stop : i > stop; i += step) {
        out.push(i);
        checkSize(out.length);
      }
      return out;
    },
    seq: (...xs) => {
      const ns = xs.map(toInt64);
      const [start, step, end] =
        ns.length === 1
          ? [1, 1, ns[0] ?? 0]
          : ns.length === 2
            ? [ns[0] ?? 0, 1, ns[1] ?? 0]
            : [ns[0] ?? 0, ns[1] ?? 1, ns[2] ?? 0];
      const out: number[] = [];
      const dir = step === 0 ? 0 : step;
      if (dir === 0) return '';
      for (let i = start; dir > 0 ? i <= end : i >= end; i += dir) {
        out.push(i);
        checkSize(out.length);
      }
      return out.join(' ');
    },
    // defaults and flow
    default: (d, ...given) => (given.length === 0 || empty(given[0]) ? d : given[0]),
    empty: (v) => empty(v),
    coalesce: (...xs) => xs.find((x) => !empty(x)) ?? null,
    all: (...xs) => xs.every((x) => !empty(x)),
    any: (...xs) => xs.some((x) => !empty(x)),
    ternary: (t, f, c) => (c === true ? t : f),
    fail: (msg) => {
      throw expressionError(strval(msg));
    },
    // encoding
    toJson: (v) => toJsonText(v),
    toRawJson: (v) => toJsonText(v, undefined, false),
    toPrettyJson: (v) => toJsonText(v, '  '),
    mustToJson: (v) => toJsonText(v),
    fromJson: (s) => {
      try {
        return fromJsonText(str('fromJson', s));
      } catch {
        return newMap();
      }
    },
    mustFromJson: (s) => fromJsonText(str('mustFromJson', s)),
    b64enc: (s) => Buffer.from(strval(s), 'utf8').toString('base64'),
    b64dec: (s) => {
      const t = str('b64dec', s);
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(t) || t.length % 4)
        return 'illegal base64 data at input byte 0';
      return Buffer.from(t, 'base64').toString('utf8');
    },
    b32enc: (s) => base32(Buffer.from(strval(s), 'utf8')),
    b32dec: (s) => fromBase32(str('b32dec', s)),
    // lists
    list: (...xs) => xs,
    tuple: (...xs) => xs,
    first: (l) => (isNil(l) ? null : (list('first', l)[0] ?? null)),
    last: (l) => {
      if (isNil(l)) return null;
      const a = list('last', l);
      return a[a.length - 1] ?? null;
    },
    rest: (l) => list('rest', l).slice(1),
    initial: (l) => list('initial', l).slice(0, -1),
    append: (l, v) => [...list('append', l), v],
    push: (l, v) => [...list('push', l), v],
    prepend: (l, v) => [v, ...list('prepend', l)],
    concat: (...ls) => {
      const out = ls.flatMap((l) => (Array.isArray(l) ? l : [l]));
      checkSize(out.length);
      return out;
    },
    reverse: (l) => [...list('reverse', l)].reverse(),
    uniq: (l) => {
      const out: unknown[] = [];
      for (const x of list('uniq', l)) if (!out.some((y) => equal(x, y))) out.push(x);
      return out;
    },
    compact: (l) => list('compact', l).filter((x) => !empty(x)),
    has: (needle, l) => (isNil(l) ? false : list('has', l).some((x) => equal(x, needle))),
    without: (l, ...omit) => list('without', l).filter((x) => !omit.some((o) => equal(o, x))),
    slice: (l, ...idx) => {
      const a = list('slice', l);
      const start = idx[0] === undefined ? 0 : toInt64(idx[0]);
      const end = idx[1] === undefined ? a.length : toInt64(idx[1]);
      if (start < 0 || end > a.length || start > end) {
        throw expressionError(`runtime error: slice bounds out of range [${start}:${end}]`);
      }
      return a.slice(start, end);
    },
    chunk: (n, l) => {
      const k = toInt64(n);
      const a = list('chunk', l);
      if (k <= 0) throw expressionError('chunk size must be positive');
      const out: unknown[][] = [];
      for (let i = 0; i < a.length; i += k) out.push(a.slice(i, i + k));
      return out;
    },
    // dicts
    dict: (...kv) => {
      const m = newMap();
      for (let i = 0; i < kv.length; i += 2)
        setKey(m, strval(kv[i]), i + 1 < kv.length ? kv[i + 1] : '');
      return m;
    },
    get: (d, k) => {
      const m = dict('get', d);
      const key = str('get', k);
      return Object.hasOwn(m, key) ? m[key] : '';
    },
    set: (d, k, v) => {
      const m = dict('set', d);
      setKey(m, str('set', k), v);
      return m;
    },
    unset: (d, k) => {
      const m = dict('unset', d);
      delete m[str('unset', k)];
      return m;
    },
    hasKey: (d, k) => Object.hasOwn(dict('hasKey', d), str('hasKey', k)),
    keys: (...ds) => ds.flatMap((d) => Object.keys(dict('keys', d))),
    values: (d) => Object.values(dict('values', d)),
    pick: (d, ...ks) => {
      const m = dict('pick', d);
      return newMap(
        ks
          .map(strval)
          .filter((k) => Object.hasOwn(m, k))
          .map((k) => [k, m[k]]),
      );
    },
    omit: (d, ...ks) => {
      const m = dict('omit', d);
      const drop = new Set(ks.map(strval));
      return newMap(Object.entries(m).filter(([k]) => !drop.has(k)));
    },
    merge: (dst, ...srcs) => {
      const m = dict('merge', dst);
      for (const s of srcs)
        for (const [k, v] of Object.entries(dict('merge', s)))
          if (!Object.hasOwn(m, k)) setKey(m, k, v);
      return m;
    },
    pluck: (k, ...ds) => {
      const key = str('pluck', k);
      return ds
        .map((d) => dict('pluck', d))
        .filter((m) => Object.hasOwn(m, key))
        .map((m) => m[key]);
    },
    dig: (...args) => {
      if (args.length < 3) throw expressionError('dig needs at least three arguments');
      let cur: unknown = dict('dig', args[args.length - 1]);
      const dflt = args[args.length - 2];
      for (const k of args.slice(0, -2)) {
        const key = str('dig', k);
        if (!isMap(cur) || !Object.hasOwn(cur, key)) return dflt;
        cur = cur[key];
      }
      return cur;
    },
    // dates
    now: () => new GoTime(now()),
    date: (fmt, d) => formatLayout(toTime(d), str('date', fmt)),
    dateInZone: (fmt, d, zone) => {
      const z = str('dateInZone', zone);
      if (z !== 'UTC' && z !== '') throw expressionError(`unknown time zone ${z}`);
      return formatLayout(new GoTime(toTime(d).ms, 0), str('dateInZone', fmt));
    },
    htmlDate: (d) => formatLayout(toTime(d), '2006-01-02'),
    toDate: (fmt, s) => parseLayout(str('toDate', fmt), str('toDate', s)),
    mustToDate: (fmt, s) => parseLayout(str('mustToDate', fmt), str('mustToDate', s)),
    unixEpoch: (d) => String(Math.floor(toTime(d).ms / 1000)),
    dateModify: (mod, d) => {
      const t = toTime(d);
      try {
        return new GoTime(t.ms + parseDuration(str('dateModify', mod)).ns / 1e6, t.offsetMinutes);
      } catch {
        return t;
      }
    },
    duration: (sec) => formatDuration(toInt64(sec) * 1e9),
    durationRound: (v) => {
      const ns =
        v instanceof GoDuration
          ? v.ns
          : typeof v === 'string'
            ? parseDuration(v).ns
            : toInt64(v) * 1e9;
      const s = Math.abs(ns) / 1e9;
      const units: [number, string][] = [
        [31536000, 'y'],
        [2592000, 'mo'],
        [86400, 'd'],
        [3600, 'h'],
        [60, 'm'],
        [1, 's'],
      ];
      for (const [size, unit] of units) if (s >= size) return `${Math.floor(s / size)}${unit}`;
      return '0s';
    },
    ago: (d) => formatDuration(Math.round((now() - toTime(d).ms) / 1000) * 1e9),
    // hashes
    sha1sum: (s) => hash('sha1', str('sha1sum', s)),
    sha256sum: (s) => hash('sha256', str('sha256sum', s)),
    sha512sum: (s) => hash('sha512', str('sha512sum', s)),
    adler32sum: (s) => String(adler32(str('adler32sum', s))),
    // regular expressions
    regexMatch: (re, s) => compileRegex(str('regexMatch', re)).test(str('regexMatch', s)),
    mustRegexMatch: (re, s) =>
      compileRegex(str('mustRegexMatch', re)).test(str('mustRegexMatch', s)),
    regexFind: (re, s) => compileRegex(str('regexFind', re)).find(str('regexFind', s)),
    regexFindAll: (re, s, n) =>
      compileRegex(str('regexFindAll', re)).findAll(str('regexFindAll', s), toInt64(n)),
    regexReplaceAll: (re, s, r) =>
      compileRegex(str('regexReplaceAll', re)).replaceAll(
        str('regexReplaceAll', s),
        str('regexReplaceAll', r),
        false,
      ),
    regexReplaceAllLiteral: (re, s, r) =>
      compileRegex(str('regexReplaceAllLiteral', re)).replaceAll(
        str('regexReplaceAllLiteral', s),
        str('regexReplaceAllLiteral', r),
        true,
      ),
    regexSplit: (re, s, n) =>
      compileRegex(str('regexSplit', re)).split(str('regexSplit', s), toInt64(n)),
    regexQuoteMeta: (s) => str('regexQuoteMeta', s).replace(/[\\.+*?()|[\]{}^$]/g, '\\$&'),
    // semantic versions
    semverCompare: (c, v) => semverSatisfies(str('semverCompare', c), str('semverCompare', v)),
    // types and reflection
    typeOf: (v) => goTypeOf(v),
    kindOf: (v) => goKindOf(v),
    kindIs: (k, v) => goKindOf(v) === str('kindIs', k),
    typeIs: (t, v) => goTypeOf(v) === str('typeIs', t),
    deepEqual: (a, b) => equal(a, b),
    // paths
    base: (p) => path.posix.basename(str('base', p)) || '.',
    dir: (p) => path.posix.dirname(str('dir', p)),
    clean: (p) => path.posix.normalize(str('clean', p)).replace(/(.)\/$/, '$1'),
    ext: (p) => path.posix.extname(str('ext', p)),
    isAbs: (p) => path.posix.isAbsolute(str('isAbs', p)),
  };
  return newMap(
    Object.entries(fns).map(([name, impl]) => [
      name,
      new Fn(`sprig.${name}`, (args) => impl(...args)),
    ]),
  );
}

function goKindOf(v: unknown): string {
  if (isNil(v)) return 'invalid';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float64';
  if (Array.isArray(v)) return 'slice';
  if (isMap(v)) return 'map';
  if (v instanceof GoTime) return 'struct';
  if (v instanceof GoDuration) return 'int64';
  return 'func';
}

function goTypeOf(v: unknown): string {
  if (isNil(v)) return '<nil>';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float64';
  if (Array.isArray(v)) return '[]interface {}';
  if (isMap(v)) return 'map[string]interface {}';
  if (v instanceof GoTime) return 'time.Time';
  if (v instanceof GoDuration) return 'time.Duration';
  return goKindOf(v);
}
