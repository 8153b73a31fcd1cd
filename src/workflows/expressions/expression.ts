import { createBuiltins, toFloat, toInt } from './builtins.js';
import { Evaluator, type Builtin } from './expr-eval.js';
import { parseExpr, type Node } from './expr-parser.js';
import { jsonPath } from './jsonpath.js';
import { expressionError } from './limits.js';
import { createSprig } from './sprig.js';
import { Fn, GoTime, isMap, newMap, ownValue, toJsonText, type ExprMap } from './values.js';

/** Options of the expression language. */
export interface ExpressionLanguageOptions {
  /** The clock behind `now()` and `sprig.now()`, in epoch milliseconds. */
  now?: () => number;
}

/** Argo's `{{=...}}` expression language (expr, with Argo's helpers and sprig). */
export interface ExpressionLanguage {
  /**
   * Evaluates `source` over `vars`. Keys with dots (`inputs.parameters.x`)
   * become nested maps as Argo expands them; nested objects work as well.
   */
  evaluate(source: string, vars: Record<string, unknown>): unknown;
  /** Parses `source`, throwing the typed syntax error of a bad expression. */
  check(source: string): void;
  /**
   * The variable paths `source` needs that `vars` lacks, as Argo checks them
   * before evaluating (members guarded by `?.` or `??` are not needed).
   */
  missingVariables(source: string, vars: Record<string, unknown>): string[];
  /** The dotted variable paths `source` reads, outermost last (`a`, `a.b`, `a.b.c`). */
  variablePaths(source: string): string[];
  /**
   * Evaluates `source` only when no variable it needs is missing: Argo's
   * check and evaluation in one pass. `value` is absent when `missing` is not empty.
   */
  evaluateIfComplete(
    source: string,
    vars: Record<string, unknown>,
  ): { missing: string[]; value?: unknown };
}

/** Creates the expression language; its function tables are built once. */
export function createExpressionLanguage(
  options: ExpressionLanguageOptions = {},
): ExpressionLanguage {
  const now = options.now ?? Date.now;
  const builtins = createBuiltins(now);
  const isBuiltin = (name: string): boolean => builtins.has(name);
  const helpers = newMap([
    ['asInt', new Fn('asInt', (args) => toInt(one('asInt', args)))],
    ['asFloat', new Fn('asFloat', (args) => toFloat(one('asFloat', args)))],
    ['toJson', new Fn('toJson', (args) => toJsonText(one('toJson', args)))],
    [
      'jsonpath',
      new Fn('jsonpath', (args) => {
        const [text, path] = args;
        if (args.length !== 2 || typeof text !== 'string' || typeof path !== 'string') {
          throw expressionError('jsonpath expects (json string, path string)');
        }
        return jsonPath(text, path);
      }),
    ],
    ['sprig', createSprig(now)],
  ]);

  // Parsed trees by source, bounded: the same few expressions recur across a run's nodes.
  const parsed = new Map<string, Parsed>();
  const parse = (source: string): Parsed => {
    let p = parsed.get(source);
    if (!p) {
      const tree = parseExpr(source, isBuiltin);
      p = { tree, required: requiredPaths(tree), paths: requiredPaths(tree, false) };
      if (parsed.size >= 1000) parsed.delete(parsed.keys().next().value as string);
      parsed.set(source, p);
    }
    return p;
  };
  const envOf = (vars: Record<string, unknown>): ExprMap => expandVars(vars);
  const run = (p: Parsed, env: ExprMap): unknown =>
    new Evaluator(env, builtins as ReadonlyMap<string, Builtin>, helpers).eval(p.tree);
  const present = (env: ExprMap, path: string): boolean =>
    hasPath(env, path) || hasPath(helpers, path);

  return {
    evaluate(source, vars) {
      return run(parse(source), envOf(vars));
    },
    evaluateIfComplete(source, vars) {
      const p = parse(source);
      const env = envOf(vars);
      const missing = p.required.filter((path) => !present(env, path));
      if (missing.length > 0) return { missing };
      return { missing, value: run(p, env) };
    },
    check(source) {
      parse(source);
    },
    missingVariables(source, vars) {
      const env = envOf(vars);
      return parse(source).required.filter((p) => !present(env, p));
    },
    variablePaths(source) {
      return [...parse(source).paths];
    },
  };
}

interface Parsed {
  tree: Node;
  /** Paths that must exist before evaluating, as Argo checks them. */
  required: string[];
  /** Every path the expression reads. */
  paths: string[];
}

function one(name: string, args: unknown[]): unknown {
  if (args.length !== 1) throw expressionError(`${name} expects one argument, got ${args.length}`);
  return args[0];
}

/**
 * Argo's expansion of flat variables: `{"a.b": 1}` becomes `{a: {b: 1}}`, and a
 * key that also has children (`a` beside `a.b`) gives way to them. Values are
 * copied into prototype-free maps, so nothing an expression does reaches the caller.
 */
export function expandVars(vars: Record<string, unknown>): ExprMap {
  const root = newMap();
  const keys = Object.keys(vars);
  const dotted = keys.some((k) => k.includes('.'));
  if (!dotted) {
    for (const k of keys) root[k] = toValue(vars[k], 0);
    return root;
  }
  keys.sort();
  const parents = new Set<string>();
  for (const k of keys) {
    for (let i = k.indexOf('.'); i > 0; i = k.indexOf('.', i + 1)) parents.add(k.slice(0, i));
  }
  for (const k of keys) {
    const value = toValue(vars[k], 0);
    if (parents.has(k) && !isMap(value)) continue;
    const parts = k.split('.');
    let cur = root;
    for (let i = 0; i < parts.length - 1; i++) {
      const p = parts[i] as string;
      let next = ownValue(cur, p);
      if (!isMap(next)) {
        next = newMap();
        cur[p] = next;
      }
      cur = next as ExprMap;
    }
    const last = parts[parts.length - 1] as string;
    const existing = ownValue(cur, last);
    if (isMap(existing) && isMap(value)) {
      for (const ck of Object.keys(value))
        if (!Object.hasOwn(existing, ck)) existing[ck] = value[ck];
    } else {
      cur[last] = value;
    }
  }
  return root;
}

/** Copies a host value into expression values; anything else (functions, class instances) is nil. */
function toValue(v: unknown, depth: number): unknown {
  if (depth > 64) throw expressionError('variables nested too deeply', 'limit');
  if (v === undefined || v === null) return null;
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map((x) => toValue(x, depth + 1));
  if (v instanceof Date) return new GoTime(v.getTime());
  if (v instanceof Map) return newMap([...v].map(([k, x]) => [String(k), toValue(x, depth + 1)]));
  if (isMap(v)) return newMap(Object.keys(v).map((k) => [k, toValue(v[k], depth + 1)]));
  return null;
}

/** Whether `env` holds the dotted path; a nil leaf counts, a nil on the way does not. */
function hasPath(env: ExprMap, path: string): boolean {
  let cur: unknown = env;
  for (const part of path.split('.')) {
    if (!isMap(cur) || !Object.hasOwn(cur, part)) return false;
    cur = cur[part];
  }
  return true;
}

/** The dotted member paths an expression reads; with `guarded`, paths under `?.`/`??` are left out. */
function requiredPaths(tree: Node, guarded = true): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const add = (p: string): void => {
    if (!seen.has(p)) {
      seen.add(p);
      out.push(p);
    }
  };
  const walk = (n: Node, locals: Set<string>, skipMembers: boolean, depth: number): void => {
    if (depth > 500) return;
    const next = (m: Node, sk = skipMembers, ls = locals): void => walk(m, ls, sk, depth + 1);
    switch (n.k) {
      case 'ident':
        if (!locals.has(n.name) && n.name !== '$env') add(n.name);
        return;
      case 'member': {
        const path = memberPath(n);
        if (path && !skipMembers && !locals.has(path.split('.')[0] as string)) add(path);
        next(n.obj);
        next(n.prop, false);
        return;
      }
      case 'chain':
        next(n.x, guarded ? true : skipMembers);
        return;
      case 'binary':
        if (n.op === '??' && guarded) next(n.l, true);
        else next(n.l);
        next(n.r);
        return;
      case 'unary':
        next(n.x);
        return;
      case 'slice':
        next(n.obj);
        if (n.from) next(n.from);
        if (n.to) next(n.to);
        return;
      case 'call':
        next(n.callee);
        n.args.forEach((a) => next(a));
        return;
      case 'builtin':
        n.args.forEach((a) => next(a));
        return;
      case 'pred':
        next(n.body);
        return;
      case 'array':
        n.items.forEach((a) => next(a));
        return;
      case 'map':
        n.pairs.forEach(([k, v]) => {
          next(k);
          next(v);
        });
        return;
      case 'cond':
        next(n.c);
        next(n.a);
        next(n.b);
        return;
      case 'let': {
        next(n.value);
        next(n.body, skipMembers, new Set([...locals, n.name]));
        return;
      }
      case 'seq':
        n.nodes.forEach((a) => next(a));
        return;
      default:
        return;
    }
  };
  walk(tree, new Set(), false, 0);
  return out;
}

function memberPath(n: Extract<Node, { k: 'member' }>): string | undefined {
  const parts: string[] = [];
  let cur: Node = n;
  for (;;) {
    if (cur.k !== 'member' || cur.optional || cur.prop.k !== 'str') return undefined;
    parts.unshift(cur.prop.v);
    if (cur.obj.k === 'ident') {
      parts.unshift(cur.obj.name);
      return parts.join('.');
    }
    cur = cur.obj;
  }
}

/** Renders an expression result as Argo writes it into a template: strings bare, the rest as JSON. */
export function renderResult(result: unknown): string {
  if (typeof result === 'string') return result;
  return toJsonText(result);
}

/** Evaluates one expression with a fresh language; see ExpressionLanguage.evaluate. */
export function evaluateExpression(source: string, vars: Record<string, unknown>): unknown {
  return createExpressionLanguage().evaluate(source, vars);
}
