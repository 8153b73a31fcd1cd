import { expressionError } from './limits.js';
import { equal, fromJsonText, isMap, isNil, type ExprMap } from './values.js';

/**
 * A JSONPath query over JSON text, for Argo's `jsonpath(json, path)`: `$`,
 * `.key`, `['key']`, `[0]`, `[-1]`, `[*]`, `.*`, `..key`, `[0,2]`, `[1:3]`
 * and filters `[?(@.key == 'v')]` (`==`, `!=`, `<`, `<=`, `>`, `>=`, or a
 * bare `@.key` for existence; terms joined by `&&` and `||`). A path with only keys and indexes answers one
 * value; any other answers the list of matches.
 */
export function jsonPath(jsonText: string, query: string): unknown {
  const doc = fromJsonText(jsonText);
  const q = query.trim();
  if (!q.startsWith('$'))
    throw expressionError(`invalid JSONPath ${JSON.stringify(query)}: must start with $`);
  let nodes: unknown[] = [doc];
  let definite = true;
  let i = 1;
  const fail = (why: string): never => {
    throw expressionError(`invalid JSONPath ${JSON.stringify(query)}: ${why}`);
  };
  while (i < q.length) {
    if (q.startsWith('..', i)) {
      definite = false;
      i += 2;
      const m = /^(\*|[\w-]+)/.exec(q.slice(i));
      if (!m) fail('expected a name after ..');
      const name = (m as RegExpExecArray)[0];
      i += name.length;
      nodes = nodes
        .flatMap((n) => descend(n, 0))
        .flatMap((n) => children(n, name === '*' ? undefined : name));
    } else if (q[i] === '.') {
      i++;
      const m = /^(\*|[\w$-]+)/.exec(q.slice(i));
      if (!m) fail('expected a name after .');
      const name = (m as RegExpExecArray)[0];
      i += name.length;
      if (name === '*') {
        definite = false;
        nodes = nodes.flatMap((n) => children(n, undefined));
      } else {
        nodes = nodes.flatMap((n) => children(n, name));
      }
    } else if (q[i] === '[') {
      const end = closing(q, i);
      if (end < 0) fail('unclosed [');
      const inner = q.slice(i + 1, end).trim();
      i = end + 1;
      const r = selector(inner, nodes, fail);
      nodes = r.nodes;
      definite &&= r.definite;
    } else {
      fail(`unexpected ${JSON.stringify(q[i])}`);
    }
  }
  if (definite) {
    if (nodes.length === 0)
      throw expressionError(`JSONPath ${JSON.stringify(query)} matched nothing`);
    return nodes[0];
  }
  return nodes;
}

function closing(q: string, start: number): number {
  let quote = '';
  let depth = 0;
  for (let i = start; i < q.length; i++) {
    const c = q[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '[') depth++;
    else if (c === ']' && --depth === 0) return i;
  }
  return -1;
}

function children(n: unknown, name: string | undefined): unknown[] {
  if (name === undefined) {
    if (Array.isArray(n)) return n;
    if (isMap(n)) return Object.values(n);
    return [];
  }
  if (isMap(n) && Object.hasOwn(n, name)) return [n[name]];
  return [];
}

function descend(n: unknown, depth: number): unknown[] {
  if (depth > 100) return [];
  const kids = Array.isArray(n) ? n : isMap(n) ? Object.values(n) : [];
  return [n, ...kids.flatMap((k) => descend(k, depth + 1))];
}

function index(a: unknown[], i: number): unknown[] {
  const j = i < 0 ? a.length + i : i;
  return j >= 0 && j < a.length ? [a[j]] : [];
}

function literal(text: string): unknown {
  const t = text.trim();
  if (/^'.*'$/.test(t)) return t.slice(1, -1);
  if (/^".*"$/.test(t)) return t.slice(1, -1);
  if (t === 'true' || t === 'false') return t === 'true';
  if (t === 'null') return null;
  const n = Number(t);
  if (t !== '' && !Number.isNaN(n)) return n;
  return undefined;
}

function selector(
  inner: string,
  nodes: unknown[],
  fail: (why: string) => never,
): { nodes: unknown[]; definite: boolean } {
  if (inner === '*')
    return { nodes: nodes.flatMap((n) => children(n, undefined)), definite: false };
  if (inner.startsWith('?')) {
    const body = /^\?\((.*)\)$/s.exec(inner)?.[1];
    if (body === undefined) return fail(`unsupported filter ${inner}`);
    // `||` binds looser than `&&`, as in the JSONPath dialects Argo's jsonpath helper follows.
    const alternatives = splitOutsideQuotes(body, '||').map((alt) =>
      splitOutsideQuotes(alt, '&&').map((term) => comparison(term, inner, fail)),
    );
    const test = (el: unknown): boolean => alternatives.some((all) => all.every((t) => t(el)));
    return { nodes: nodes.flatMap((n) => children(n, undefined)).filter(test), definite: false };
  }
  const slice = /^(-?\d*)\s*:\s*(-?\d*)$/.exec(inner);
  if (slice) {
    return {
      nodes: nodes.flatMap((n) => {
        if (!Array.isArray(n)) return [];
        const len = n.length;
        const norm = (t: string | undefined, d: number): number => {
          if (!t) return d;
          const v = Number(t);
          return Math.min(Math.max(v < 0 ? len + v : v, 0), len);
        };
        return n.slice(norm(slice[1], 0), norm(slice[2], len));
      }),
      definite: false,
    };
  }
  const parts = inner.split(',').map((p) => p.trim());
  const picks = parts.map((p) => {
    const lit = literal(p);
    if (typeof lit === 'string' && /^['"]/.test(p)) return lit;
    if (typeof lit === 'number' && Number.isInteger(lit)) return lit;
    return fail(`unsupported selector [${inner}]`);
  });
  const out = nodes.flatMap((n) =>
    picks.flatMap((p) =>
      typeof p === 'number' ? (Array.isArray(n) ? index(n, p) : []) : children(n, p),
    ),
  );
  return { nodes: out, definite: picks.length === 1 };
}

/** One filter term: `@.key OP literal`, or a bare `@.key` for existence. */
function comparison(
  term: string,
  inner: string,
  fail: (why: string) => never,
): (el: unknown) => boolean {
  const m = /^\s*@((?:\.[\w-]+|\[['"][^'"]*['"]\])*)\s*(?:(==|!=|<=|>=|<|>)\s*(.+?))?\s*$/.exec(
    term,
  );
  if (!m) return fail(`unsupported filter ${inner}`);
  const keys = [...(m[1] ?? '').matchAll(/\.([\w-]+)|\[['"]([^'"]*)['"]\]/g)].map(
    (k) => k[1] ?? k[2] ?? '',
  );
  const op = m[2];
  const want = op ? literal(m[3] ?? '') : undefined;
  if (op && want === undefined) return fail(`unsupported filter value ${m[3] ?? ''}`);
  return (el: unknown): boolean => {
    let cur: unknown = el;
    for (const k of keys) {
      if (!isMap(cur) || !Object.hasOwn(cur, k)) return false;
      cur = (cur as ExprMap)[k];
    }
    if (!op) return !isNil(cur);
    switch (op) {
      case '==':
        return equal(cur, want);
      case '!=':
        return !equal(cur, want);
      default: {
        if (typeof cur !== typeof want || (typeof cur !== 'number' && typeof cur !== 'string'))
          return false;
        const [a, b] = [cur as number | string, want as number | string];
        return op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : a >= b;
      }
    }
  };
}

/** Splits on `sep` where it is not inside a quoted string. */
function splitOutsideQuotes(text: string, sep: string): string[] {
  const parts: string[] = [];
  let quote: string | undefined;
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (text.startsWith(sep, i)) {
      parts.push(text.slice(from, i));
      from = i + sep.length;
      i += sep.length - 1;
    }
  }
  parts.push(text.slice(from));
  return parts;
}
