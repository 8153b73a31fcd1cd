import type { Builtin, Evaluator } from './expr-eval.js';
import type { Node } from './expr-parser.js';
import { parseAny, parseLayout } from './gotime.js';
import { checkSize, checkString, expressionError } from './limits.js';
import {
  GoTime,
  equal,
  formatValue,
  fromJsonText,
  isInt,
  isMap,
  newMap,
  parseDuration,
  setKey,
  toJsonText,
  typeName,
} from './values.js';

type Plain = (args: unknown[]) => unknown;

/** A builtin whose arguments are all evaluated first, checked against an arity range. */
function plain(name: string, min: number, max: number, fn: Plain): Builtin {
  return (nodes: Node[], ev: Evaluator) => {
    if (nodes.length < min) throw expressionError(`not enough arguments to call ${name}`);
    if (nodes.length > max) throw expressionError(`too many arguments to call ${name}`);
    return fn(nodes.map((n) => ev.eval(n)));
  };
}

export function str(name: string, v: unknown): string {
  if (typeof v !== 'string')
    throw expressionError(`invalid argument for ${name} (type ${typeName(v)})`);
  return v;
}

export function arr(name: string, v: unknown): unknown[] {
  if (!Array.isArray(v))
    throw expressionError(`invalid argument for ${name} (type ${typeName(v)})`);
  return v;
}

export function num(name: string, v: unknown): number {
  if (typeof v !== 'number')
    throw expressionError(`invalid argument for ${name} (type ${typeName(v)})`);
  return v;
}

/** expr's int(): numbers truncate, strings must be integers. */
export function toInt(v: unknown): number {
  if (typeof v === 'number') return Math.trunc(v);
  if (typeof v === 'string') {
    if (!/^[+-]?\d+$/.test(v))
      throw expressionError(`strconv.Atoi: parsing ${JSON.stringify(v)}: invalid syntax`);
    return Number(v);
  }
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw expressionError(`invalid operation: int(${typeName(v)})`);
}

/** expr's float(): numbers and numeric strings. */
export function toFloat(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const t = v.trim() === v ? v : '';
    const n = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?(Inf|inf|NaN)$/.test(t)
      ? Number(t.replace(/inf/i, 'Infinity'))
      : NaN;
    if (Number.isNaN(n) && !/NaN/.test(t)) {
      throw expressionError(`strconv.ParseFloat: parsing ${JSON.stringify(v)}: invalid syntax`);
    }
    return n;
  }
  throw expressionError(`invalid operation: float(${typeName(v)})`);
}

/** Rounds half away from zero, as Go's math.Round. */
export function goRound(x: number): number {
  return Math.sign(x) * Math.round(Math.abs(x));
}

function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

function goSplit(s: string, sep: string, n: number): string[] {
  if (n === 0) return [];
  let parts = sep === '' ? [...s] : s.split(sep);
  if (n > 0 && parts.length > n) parts = [...parts.slice(0, n - 1), parts.slice(n - 1).join(sep)];
  return parts;
}

function numbers(name: string, args: unknown[]): number[] {
  const out: number[] = [];
  const add = (v: unknown, depth: number): void => {
    if (Array.isArray(v) && depth < 10) v.forEach((x) => add(x, depth + 1));
    else out.push(num(name, v));
  };
  args.forEach((a) => add(a, 0));
  return out;
}

function predicateLoop(
  name: string,
  nodes: Node[],
  ev: Evaluator,
  body: (items: unknown[], run: (i: number) => unknown) => unknown,
): unknown {
  const items = arr(name, ev.eval(nodes[0] as Node));
  const pred = nodes[1];
  const run = (i: number): unknown => {
    ev.tick();
    if (!pred) return items[i];
    return ev.withItem({ item: items[i], index: i }, () => ev.eval(pred));
  };
  return body(items, run);
}

function truth(name: string, v: unknown): boolean {
  if (typeof v !== 'boolean')
    throw expressionError(`predicate of ${name} must return bool, got ${typeName(v)}`);
  return v;
}

function sortValues(
  items: unknown[],
  desc: boolean,
  key: (v: unknown, i: number) => unknown,
): unknown[] {
  const keyed = items.map((v, i) => ({ v, k: key(v, i) }));
  keyed.sort((a, b) => {
    let c: number;
    if (typeof a.k === 'number' && typeof b.k === 'number') c = a.k - b.k;
    else if (typeof a.k === 'string' && typeof b.k === 'string')
      c = a.k < b.k ? -1 : a.k > b.k ? 1 : 0;
    else throw expressionError(`cannot sort ${typeName(a.k)} and ${typeName(b.k)}`);
    return desc ? -c : c;
  });
  return keyed.map((x) => x.v);
}

function order(v: unknown): boolean {
  if (v === undefined || v === 'asc') return false;
  if (v === 'desc') return true;
  throw expressionError(`unknown order ${formatValue(v)}, use asc or desc`);
}

/** expr's builtin functions, by name. */
export function createBuiltins(now: () => number): Map<string, Builtin> {
  const b = new Map<string, Builtin>();

  b.set('all', (n, ev) =>
    predicateLoop('all', n, ev, (xs, run) => xs.every((_, i) => truth('all', run(i)))),
  );
  b.set('any', (n, ev) =>
    predicateLoop('any', n, ev, (xs, run) => xs.some((_, i) => truth('any', run(i)))),
  );
  b.set('none', (n, ev) =>
    predicateLoop('none', n, ev, (xs, run) => !xs.some((_, i) => truth('none', run(i)))),
  );
  b.set('one', (n, ev) =>
    predicateLoop(
      'one',
      n,
      ev,
      (xs, run) => xs.filter((_, i) => truth('one', run(i))).length === 1,
    ),
  );
  b.set('filter', (n, ev) =>
    predicateLoop('filter', n, ev, (xs, run) => xs.filter((_, i) => truth('filter', run(i)))),
  );
  b.set('map', (n, ev) => predicateLoop('map', n, ev, (xs, run) => xs.map((_, i) => run(i))));
  b.set('find', (n, ev) =>
    predicateLoop('find', n, ev, (xs, run) => {
      const i = xs.findIndex((_, j) => truth('find', run(j)));
      return i < 0 ? null : xs[i];
    }),
  );
  b.set('findIndex', (n, ev) =>
    predicateLoop('findIndex', n, ev, (xs, run) =>
      xs.findIndex((_, i) => truth('findIndex', run(i))),
    ),
  );
  b.set('findLast', (n, ev) =>
    predicateLoop('findLast', n, ev, (xs, run) => {
      for (let i = xs.length - 1; i >= 0; i--) if (truth('findLast', run(i))) return xs[i];
      return null;
    }),
  );
  b.set('findLastIndex', (n, ev) =>
    predicateLoop('findLastIndex', n, ev, (xs, run) => {
      for (let i = xs.length - 1; i >= 0; i--) if (truth('findLastIndex', run(i))) return i;
      return -1;
    }),
  );
  b.set('count', (n, ev) =>
    predicateLoop('count', n, ev, (xs, run) => xs.filter((_, i) => truth('count', run(i))).length),
  );
  b.set('sum', (n, ev) =>
    predicateLoop('sum', n, ev, (xs, run) =>
      xs.reduce<number>((a, _, i) => a + num('sum', run(i)), 0),
    ),
  );
  b.set('groupBy', (n, ev) =>
    predicateLoop('groupBy', n, ev, (xs, run) => {
      const m = newMap();
      xs.forEach((x, i) => {
        const k = formatValue(run(i));
        const list = (Object.hasOwn(m, k) ? m[k] : undefined) as unknown[] | undefined;
        if (list) list.push(x);
        else setKey(m, k, [x]);
      });
      return m;
    }),
  );
  b.set('sortBy', (n, ev) => {
    const desc = order(n[2] ? ev.eval(n[2]) : undefined);
    return predicateLoop('sortBy', n.slice(0, 2), ev, (xs, run) =>
      sortValues(xs, desc, (_, i) => run(i)),
    );
  });
  b.set('reduce', (n, ev) => {
    const items = arr('reduce', ev.eval(n[0] as Node));
    const pred = n[1] as Node;
    let start = 0;
    let acc: unknown;
    if (n[2]) acc = ev.eval(n[2]);
    else {
      if (items.length === 0) throw expressionError('reduce of empty array with no initial value');
      acc = items[0];
      start = 1;
    }
    for (let i = start; i < items.length; i++) {
      ev.tick();
      const a = acc;
      acc = ev.withItem({ item: items[i], index: i, acc: a }, () => ev.eval(pred));
    }
    return acc;
  });

  b.set(
    'len',
    plain('len', 1, 1, ([v]) => {
      if (typeof v === 'string') return byteLength(v);
      if (Array.isArray(v)) return v.length;
      if (isMap(v)) return Object.keys(v).length;
      throw expressionError(`invalid argument for len (type ${typeName(v)})`);
    }),
  );
  b.set(
    'type',
    plain('type', 1, 1, ([v]) => typeName(v)),
  );
  b.set(
    'abs',
    plain('abs', 1, 1, ([v]) => Math.abs(num('abs', v))),
  );
  b.set(
    'ceil',
    plain('ceil', 1, 1, ([v]) => Math.ceil(num('ceil', v))),
  );
  b.set(
    'floor',
    plain('floor', 1, 1, ([v]) => Math.floor(num('floor', v))),
  );
  b.set(
    'round',
    plain('round', 1, 1, ([v]) => goRound(num('round', v))),
  );
  b.set(
    'int',
    plain('int', 1, 1, ([v]) => toInt(v)),
  );
  b.set(
    'float',
    plain('float', 1, 1, ([v]) => toFloat(v)),
  );
  b.set(
    'string',
    plain('string', 1, 1, ([v]) => checkString(formatValue(v))),
  );
  b.set(
    'trim',
    plain('trim', 1, 2, ([s, chars]) => {
      const t = str('trim', s);
      if (chars === undefined) return t.trim();
      const set = new Set(str('trim', chars));
      const cs = [...t];
      let a = 0;
      let z = cs.length;
      while (a < z && set.has(cs[a] as string)) a++;
      while (z > a && set.has(cs[z - 1] as string)) z--;
      return cs.slice(a, z).join('');
    }),
  );
  b.set(
    'trimPrefix',
    plain('trimPrefix', 2, 2, ([s, p]) => {
      const [t, q] = [str('trimPrefix', s), str('trimPrefix', p)];
      return t.startsWith(q) ? t.slice(q.length) : t;
    }),
  );
  b.set(
    'trimSuffix',
    plain('trimSuffix', 2, 2, ([s, p]) => {
      const [t, q] = [str('trimSuffix', s), str('trimSuffix', p)];
      return q && t.endsWith(q) ? t.slice(0, -q.length) : t;
    }),
  );
  b.set(
    'upper',
    plain('upper', 1, 1, ([s]) => str('upper', s).toUpperCase()),
  );
  b.set(
    'lower',
    plain('lower', 1, 1, ([s]) => str('lower', s).toLowerCase()),
  );
  b.set(
    'split',
    plain('split', 2, 3, ([s, sep, n]) =>
      goSplit(str('split', s), str('split', sep), n === undefined ? -1 : toInt(n)),
    ),
  );
  b.set(
    'splitAfter',
    plain('splitAfter', 2, 3, ([s, sep, n]) => {
      const parts = goSplit(
        str('splitAfter', s),
        str('splitAfter', sep),
        n === undefined ? -1 : toInt(n),
      );
      return parts.map((p, i) => (i < parts.length - 1 ? p + (sep as string) : p));
    }),
  );
  b.set(
    'replace',
    plain('replace', 3, 3, ([s, o, r]) =>
      checkString(str('replace', s).split(str('replace', o)).join(str('replace', r))),
    ),
  );
  b.set(
    'repeat',
    plain('repeat', 2, 2, ([s, n]) => {
      const t = str('repeat', s);
      const k = toInt(n);
      if (k < 0) throw expressionError('strings: negative Repeat count');
      checkString('x'.repeat(Math.min(t.length * k, 1024 * 1024 + 1)));
      return t.repeat(k);
    }),
  );
  b.set(
    'join',
    plain('join', 1, 2, ([a, sep]) =>
      checkString(
        arr('join', a)
          .map((x) => str('join', x))
          .join(sep === undefined ? '' : str('join', sep)),
      ),
    ),
  );
  b.set(
    'indexOf',
    plain('indexOf', 2, 2, ([s, t]) => str('indexOf', s).indexOf(str('indexOf', t))),
  );
  b.set(
    'lastIndexOf',
    plain('lastIndexOf', 2, 2, ([s, t]) =>
      str('lastIndexOf', s).lastIndexOf(str('lastIndexOf', t)),
    ),
  );
  b.set(
    'hasPrefix',
    plain('hasPrefix', 2, 2, ([s, p]) => str('hasPrefix', s).startsWith(str('hasPrefix', p))),
  );
  b.set(
    'hasSuffix',
    plain('hasSuffix', 2, 2, ([s, p]) => str('hasSuffix', s).endsWith(str('hasSuffix', p))),
  );
  b.set(
    'max',
    plain('max', 1, Infinity, (args) => {
      const ns = numbers('max', args);
      if (ns.length === 0) throw expressionError('not enough arguments to call max');
      return Math.max(...ns);
    }),
  );
  b.set(
    'min',
    plain('min', 1, Infinity, (args) => {
      const ns = numbers('min', args);
      if (ns.length === 0) throw expressionError('not enough arguments to call min');
      return Math.min(...ns);
    }),
  );
  b.set(
    'mean',
    plain('mean', 1, Infinity, (args) => {
      const ns = numbers('mean', args);
      return ns.length ? ns.reduce((a, x) => a + x, 0) / ns.length : 0;
    }),
  );
  b.set(
    'median',
    plain('median', 1, Infinity, (args) => {
      const ns = numbers('median', args).sort((x, y) => x - y);
      if (!ns.length) return 0;
      const mid = Math.floor(ns.length / 2);
      return ns.length % 2
        ? (ns[mid] as number)
        : ((ns[mid - 1] as number) + (ns[mid] as number)) / 2;
    }),
  );
  b.set(
    'toJSON',
    plain('toJSON', 1, 1, ([v]) => checkString(toJsonText(v, '  '))),
  );
  b.set(
    'fromJSON',
    plain('fromJSON', 1, 1, ([v]) => fromJsonText(str('fromJSON', v))),
  );
  b.set(
    'toBase64',
    plain('toBase64', 1, 1, ([v]) => Buffer.from(str('toBase64', v), 'utf8').toString('base64')),
  );
  b.set(
    'fromBase64',
    plain('fromBase64', 1, 1, ([v]) => {
      const s = str('fromBase64', v);
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) {
        throw expressionError('illegal base64 data');
      }
      return Buffer.from(s, 'base64').toString('utf8');
    }),
  );
  b.set(
    'now',
    plain('now', 0, 0, () => new GoTime(now())),
  );
  b.set(
    'duration',
    plain('duration', 1, 1, ([v]) => parseDuration(str('duration', v))),
  );
  b.set(
    'date',
    plain('date', 1, 3, ([v, layout]) => {
      if (v instanceof GoTime) return v;
      if (typeof v === 'number') return new GoTime(v * 1000);
      const s = str('date', v);
      return layout === undefined ? parseAny(s) : parseLayout(str('date', layout), s);
    }),
  );
  b.set(
    'first',
    plain('first', 1, 1, ([a]) => (Array.isArray(a) ? (a[0] ?? null) : null)),
  );
  b.set(
    'last',
    plain('last', 1, 1, ([a]) => (Array.isArray(a) ? (a[a.length - 1] ?? null) : null)),
  );
  b.set(
    'get',
    plain('get', 2, 2, ([a, k]) => {
      if (Array.isArray(a) && isInt(k)) return a[k < 0 ? a.length + k : k] ?? null;
      if (isMap(a) && typeof k === 'string') return Object.hasOwn(a, k) ? a[k] : null;
      return null;
    }),
  );
  b.set(
    'take',
    plain('take', 2, 2, ([a, k]) => arr('take', a).slice(0, Math.max(0, toInt(k)))),
  );
  b.set(
    'keys',
    plain('keys', 1, 1, ([m]) => {
      if (!isMap(m)) throw expressionError(`cannot get keys from ${typeName(m)}`);
      return Object.keys(m);
    }),
  );
  b.set(
    'values',
    plain('values', 1, 1, ([m]) => {
      if (!isMap(m)) throw expressionError(`cannot get values from ${typeName(m)}`);
      return Object.values(m);
    }),
  );
  b.set(
    'toPairs',
    plain('toPairs', 1, 1, ([m]) => {
      if (!isMap(m)) throw expressionError(`cannot transform ${typeName(m)} to pairs`);
      return Object.entries(m);
    }),
  );
  b.set(
    'fromPairs',
    plain('fromPairs', 1, 1, ([a]) =>
      newMap(
        arr('fromPairs', a).map((p) => {
          if (!Array.isArray(p) || p.length !== 2) throw expressionError('invalid pair');
          return [formatValue(p[0]), p[1]];
        }),
      ),
    ),
  );
  b.set(
    'reverse',
    plain('reverse', 1, 1, ([a]) => [...arr('reverse', a)].reverse()),
  );
  b.set(
    'uniq',
    plain('uniq', 1, 1, ([a]) => {
      const out: unknown[] = [];
      for (const x of arr('uniq', a)) if (!out.some((y) => equal(x, y))) out.push(x);
      return out;
    }),
  );
  b.set(
    'concat',
    plain('concat', 1, Infinity, (args) => {
      const out = args.flatMap((a) => arr('concat', a));
      checkSize(out.length);
      return out;
    }),
  );
  b.set(
    'flatten',
    plain('flatten', 1, 1, ([a]) => {
      const out: unknown[] = [];
      const walk = (v: unknown, depth: number): void => {
        if (Array.isArray(v) && depth < 50) v.forEach((x) => walk(x, depth + 1));
        else out.push(v);
        checkSize(out.length);
      };
      arr('flatten', a).forEach((x) => walk(x, 0));
      return out;
    }),
  );
  b.set(
    'sort',
    plain('sort', 1, 2, ([a, o]) => sortValues(arr('sort', a), order(o), (v) => v)),
  );
  const bits = (name: string, f: (x: bigint, y: bigint) => bigint): Builtin =>
    plain(name, 2, 2, ([x, y]) => {
      if (!isInt(x) || !isInt(y)) throw expressionError(`invalid argument for ${name}`);
      return Number(BigInt.asIntN(64, f(BigInt(x), BigInt(y))));
    });
  b.set(
    'bitand',
    bits('bitand', (x, y) => x & y),
  );
  b.set(
    'bitor',
    bits('bitor', (x, y) => x | y),
  );
  b.set(
    'bitxor',
    bits('bitxor', (x, y) => x ^ y),
  );
  b.set(
    'bitnand',
    bits('bitnand', (x, y) => x & ~y),
  );
  b.set(
    'bitshl',
    bits('bitshl', (x, y) => (y > 63n ? 0n : x << y)),
  );
  b.set(
    'bitshr',
    bits('bitshr', (x, y) => x >> (y > 63n ? 63n : y)),
  );
  b.set(
    'bitnot',
    plain('bitnot', 1, 1, ([x]) => {
      if (!isInt(x)) throw expressionError('invalid argument for bitnot');
      return -x - 1;
    }),
  );
  return b;
}
