import { isDeepStrictEqual } from 'node:util';
import { fn } from './builtins.js';
import { FuncError, type GoFunc } from './exec.js';
import { strval } from './sprig-strings.js';
import {
  fromJson,
  kindOf,
  sortedKeys,
  toJsonValue,
  typeName,
  type GoMap,
  type GoValue,
} from './value.js';

/** sprig's empty: nil, zero numbers, false, and empty strings, lists and maps. */
export function empty(v: GoValue): boolean {
  switch (kindOf(v)) {
    case 'invalid':
    case 'nil':
      return true;
    case 'string':
      return v === '';
    case 'slice':
      return (v as GoValue[]).length === 0;
    case 'map':
      return Object.keys(v as GoMap).length === 0;
    case 'bool':
      return v === false;
    case 'float':
      return v === 0;
    case 'int':
      return v === 0n;
    case 'time':
      return false;
  }
}

function list(v: GoValue, name: string): GoValue[] {
  if (Array.isArray(v)) return v;
  throw new FuncError(`Cannot find ${name} on type ${typeName(v)}`);
}

/** The list functions return nil for nil input, as sprig's non-must variants do. */
function listOp(name: string, op: (l: GoValue[]) => GoValue): (v: GoValue) => GoValue {
  return (v) => (v === null || v === undefined ? null : op(list(v, name)));
}

function map(v: GoValue): GoMap {
  if (kindOf(v) === 'map') return v as GoMap;
  if (v === null || v === undefined) return {};
  throw new FuncError(`wrong type for value; expected map[string]interface {}; got ${typeName(v)}`);
}

/** Go's encoding/json: keys sorted, `<`, `>` and `&` escaped unless raw. */
export function goJson(v: GoValue, indent = '', escapeHtml = true): string {
  let text = JSON.stringify(toJsonValue(v), null, indent || undefined) ?? 'null';
  if (escapeHtml) {
    text = text.replace(
      /[<>&\u2028\u2029]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
  }
  return text;
}

function deepCopy(v: GoValue): GoValue {
  return structuredClone(v);
}

function merge(dst: GoMap, src: GoMap, overwrite: boolean): void {
  for (const [k, v] of Object.entries(src)) {
    const cur = dst[k];
    if (kindOf(cur) === 'map' && kindOf(v) === 'map') merge(cur as GoMap, v as GoMap, overwrite);
    else if (!Object.hasOwn(dst, k) || empty(cur) || overwrite) dst[k] = deepCopy(v);
  }
}

/** sprig's defaults, JSON, list, dict and reflection functions. */
export const sprigCollections: [string, GoFunc][] = [
  [
    'default',
    fn(
      ['any'],
      (d, ...given) => (given.length === 0 || empty(given[0]) ? d : (given[0] as GoValue)),
      'any',
    ),
  ],
  ['empty', fn(['any'], (v) => empty(v))],
  ['coalesce', fn([], (...vs) => vs.find((v) => !empty(v)) ?? null, 'any')],
  ['all', fn([], (...vs) => vs.every((v) => !empty(v)), 'any')],
  ['any', fn([], (...vs) => vs.some((v) => !empty(v)), 'any')],
  ['ternary', fn(['any', 'any', 'bool'], (t, f, c) => (c ? t : f))],
  ['toJson', fn(['any'], (v) => goJson(v))],
  ['mustToJson', fn(['any'], (v) => goJson(v))],
  ['toPrettyJson', fn(['any'], (v) => goJson(v, '  '))],
  ['mustToPrettyJson', fn(['any'], (v) => goJson(v, '  '))],
  ['toRawJson', fn(['any'], (v) => goJson(v, '', false))],
  ['mustToRawJson', fn(['any'], (v) => goJson(v, '', false))],
  [
    'fromJson',
    fn(['string'], (v) => {
      try {
        return fromJson(JSON.parse(v as string));
      } catch {
        return null;
      }
    }),
  ],
  [
    'mustFromJson',
    fn(['string'], (v) => {
      try {
        return fromJson(JSON.parse(v as string));
      } catch (err) {
        throw new FuncError((err as Error).message);
      }
    }),
  ],
  ['list', fn([], (...vs) => vs.map((v) => v ?? null), 'any')],
  ['tuple', fn([], (...vs) => vs.map((v) => v ?? null), 'any')],
  [
    'first',
    fn(
      ['any'],
      listOp('first', (l) => (l.length ? (l[0] as GoValue) : null)),
    ),
  ],
  [
    'last',
    fn(
      ['any'],
      listOp('last', (l) => (l.length ? (l[l.length - 1] as GoValue) : null)),
    ),
  ],
  [
    'rest',
    fn(
      ['any'],
      listOp('rest', (l) => (l.length ? l.slice(1) : null)),
    ),
  ],
  [
    'initial',
    fn(
      ['any'],
      listOp('initial', (l) => (l.length ? l.slice(0, -1) : null)),
    ),
  ],
  [
    'reverse',
    fn(
      ['any'],
      listOp('reverse', (l) => [...l].reverse()),
    ),
  ],
  [
    'uniq',
    fn(
      ['any'],
      listOp('uniq', (l) => l.filter((v, i) => l.findIndex((w) => isDeepStrictEqual(v, w)) === i)),
    ),
  ],
  [
    'compact',
    fn(
      ['any'],
      listOp('compact', (l) => l.filter((v) => !empty(v))),
    ),
  ],
  ['append', fn(['any', 'any'], (l, v) => [...list(l ?? [], 'append'), v ?? null])],
  ['push', fn(['any', 'any'], (l, v) => [...list(l ?? [], 'push'), v ?? null])],
  ['prepend', fn(['any', 'any'], (l, v) => [v ?? null, ...list(l ?? [], 'prepend')])],
  ['concat', fn([], (...ls) => ls.flatMap((l) => (l === null ? [] : list(l, 'concat'))), 'any')],
  [
    'without',
    fn(
      ['any'],
      (l, ...omit) => list(l, 'without').filter((v) => !omit.some((o) => isDeepStrictEqual(o, v))),
      'any',
    ),
  ],
  [
    'has',
    fn(['any', 'any'], (needle, hay) =>
      hay === null ? false : list(hay, 'has').some((v) => isDeepStrictEqual(v, needle)),
    ),
  ],
  [
    'chunk',
    fn(['int', 'any'], (size, l) => {
      const items = list(l, 'chunk');
      const n = Number(size);
      if (n < 1) throw new FuncError('chunk size must be positive');
      const out: GoValue[] = [];
      for (let i = 0; i < items.length; i += n) out.push(items.slice(i, i + n));
      return out;
    }),
  ],
  [
    'dict',
    fn(
      [],
      (...kv) => {
        const out: GoMap = {};
        for (let i = 0; i < kv.length; i += 2)
          out[strval(kv[i])] = i + 1 < kv.length ? (kv[i + 1] ?? null) : '';
        return out;
      },
      'any',
    ),
  ],
  [
    'get',
    fn(['map', 'string'], (m, k) => {
      const d = map(m);
      return Object.hasOwn(d, k as string) ? (d[k as string] ?? null) : '';
    }),
  ],
  [
    'set',
    fn(['map', 'string', 'any'], (m, k, v) => {
      const d = map(m);
      d[k as string] = v ?? null;
      return d;
    }),
  ],
  [
    'unset',
    fn(['map', 'string'], (m, k) => {
      const d = map(m);
      delete d[k as string];
      return d;
    }),
  ],
  ['hasKey', fn(['map', 'string'], (m, k) => Object.hasOwn(map(m), k as string))],
  [
    'pluck',
    fn(
      ['string'],
      (k, ...ms) =>
        ms
          .map(map)
          .filter((d) => Object.hasOwn(d, k as string))
          .map((d) => d[k as string] ?? null),
      'map',
    ),
  ],
  // Go's map order is random; sorted is one of its orders, and a stable one.
  ['keys', fn([], (...ms) => ms.flatMap((m) => sortedKeys(map(m))), 'map')],
  ['values', fn(['map'], (m) => Object.values(map(m)))],
  [
    'pick',
    fn(
      ['map'],
      (m, ...ks) => {
        const d = map(m);
        const out: GoMap = {};
        for (const k of ks.map(strval)) if (Object.hasOwn(d, k)) out[k] = d[k] ?? null;
        return out;
      },
      'string',
    ),
  ],
  [
    'omit',
    fn(
      ['map'],
      (m, ...ks) => {
        const d = map(m);
        const drop = new Set(ks.map(strval));
        const out: GoMap = {};
        for (const k of Object.keys(d)) if (!drop.has(k)) out[k] = d[k] ?? null;
        return out;
      },
      'string',
    ),
  ],
  [
    'merge',
    fn(
      ['map'],
      (dst, ...srcs) => {
        const d = map(dst);
        for (const src of srcs) merge(d, map(src), false);
        return d;
      },
      'map',
    ),
  ],
  [
    'mergeOverwrite',
    fn(
      ['map'],
      (dst, ...srcs) => {
        const d = map(dst);
        for (const src of srcs) merge(d, map(src), true);
        return d;
      },
      'map',
    ),
  ],
  [
    'dig',
    fn(
      [],
      (...args) => {
        if (args.length < 3) throw new FuncError('dig needs at least three arguments');
        const d = map(args[args.length - 1]);
        const fallback = args[args.length - 2] ?? null;
        let cur: GoValue = d;
        for (const k of args.slice(0, -2).map(strval)) {
          if (kindOf(cur) !== 'map' || !Object.hasOwn(cur as GoMap, k)) return fallback;
          cur = (cur as GoMap)[k];
        }
        return cur ?? null;
      },
      'any',
    ),
  ],
  ['deepCopy', fn(['any'], (v) => deepCopy(v ?? null))],
  ['deepEqual', fn(['any', 'any'], (a, b) => isDeepStrictEqual(a ?? null, b ?? null))],
  ['typeOf', fn(['any'], (v) => typeName(v ?? null))],
  ['typeIs', fn(['string', 'any'], (t, v) => t === typeName(v ?? null))],
  [
    'typeIsLike',
    fn(['string', 'any'], (t, v) => t === typeName(v ?? null) || t === `*${typeName(v ?? null)}`),
  ],
  ['kindOf', fn(['any'], (v) => reflectKind(v ?? null))],
  ['kindIs', fn(['string', 'any'], (t, v) => t === reflectKind(v ?? null))],
  [
    'fail',
    fn(['string'], (msg) => {
      throw new FuncError(msg as string);
    }),
  ],
];

function reflectKind(v: GoValue): string {
  switch (kindOf(v)) {
    case 'nil':
    case 'invalid':
      return 'invalid';
    case 'float':
      return 'float64';
    case 'int':
      return 'int';
    case 'time':
      return 'struct';
    default:
      return kindOf(v);
  }
}
