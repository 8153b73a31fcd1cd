import type { Node } from './expr-parser.js';
import { LIMITS, checkSize, checkString, expressionError } from './limits.js';
import { compileRegex } from './regex.js';
import {
  Fn,
  GoDuration,
  GoTime,
  equal,
  formatValue,
  isInt,
  isMap,
  isNil,
  newMap,
  ownValue,
  setKey,
  typeName,
  type ExprMap,
} from './values.js';

/** A builtin gets its arguments unevaluated, so predicates can run per element. */
export type Builtin = (args: Node[], ev: Evaluator) => unknown;

/** The element a predicate looks at, with the accumulator and index some builtins set. */
export interface PredicateScope {
  item: unknown;
  index: number;
  acc?: unknown;
}

/** Signals that an optional member met nil: the enclosing chain becomes nil. */
const CHAIN_NIL = Symbol('chain-nil');

/** Walks a syntax tree over an environment, within the bounds of LIMITS. */
export class Evaluator {
  private steps = 0;
  private depth = 0;
  private readonly locals: Map<string, unknown>[] = [];
  private readonly scopes: PredicateScope[] = [];

  constructor(
    private readonly env: ExprMap,
    private readonly builtins: ReadonlyMap<string, Builtin>,
    /** Names every environment has (Argo's helpers), below the variables. */
    private readonly globals: ExprMap = newMap(),
  ) {}

  eval(node: Node): unknown {
    if (++this.steps > LIMITS.steps) {
      throw expressionError('expression took too many steps', 'limit');
    }
    if (++this.depth > LIMITS.depth) {
      throw expressionError('expression nested too deeply', 'limit');
    }
    try {
      return this.evalNode(node);
    } finally {
      this.depth--;
    }
  }

  /** Counts loop iterations of builtins against the step budget. */
  tick(n = 1): void {
    this.steps += n;
    if (this.steps > LIMITS.steps) throw expressionError('expression took too many steps', 'limit');
  }

  /** Runs a predicate for one element. */
  withItem<T>(scope: PredicateScope, fn: () => T): T {
    this.scopes.push(scope);
    try {
      return fn();
    } finally {
      this.scopes.pop();
    }
  }

  private evalNode(node: Node): unknown {
    switch (node.k) {
      case 'nil':
        return null;
      case 'bool':
        return node.v;
      case 'num':
        return node.v;
      case 'str':
        return node.v;
      case 'ident':
        return this.lookup(node.name);
      case 'ptr':
        return this.pointer(node.name);
      case 'array': {
        checkSize(node.items.length);
        return node.items.map((x) => this.eval(x));
      }
      case 'map': {
        const m = newMap();
        for (const [k, v] of node.pairs) {
          const key = this.eval(k);
          setKey(m, typeof key === 'string' ? key : formatValue(key), this.eval(v));
        }
        return m;
      }
      case 'unary':
        return unary(node.op, this.eval(node.x));
      case 'binary':
        return this.binary(node.op, node.l, node.r);
      case 'member': {
        const obj = this.eval(node.obj);
        if (isNil(obj) && node.optional) throw CHAIN_NIL;
        return fetch(obj, this.eval(node.prop));
      }
      case 'chain':
        try {
          return this.eval(node.x);
        } catch (err) {
          if (err === CHAIN_NIL) return null;
          throw err;
        }
      case 'slice':
        return this.slice(node);
      case 'call':
        return this.call(node.callee, node.args);
      case 'builtin': {
        const b = this.builtins.get(node.name);
        if (!b) throw expressionError(`unknown func ${node.name}`);
        return b(node.args, this);
      }
      case 'pred':
        return this.eval(node.body);
      case 'cond': {
        const c = this.eval(node.c);
        if (typeof c !== 'boolean') {
          throw expressionError(`non-bool expression (type ${typeName(c)}) used as condition`);
        }
        return this.eval(c ? node.a : node.b);
      }
      case 'let': {
        const value = this.eval(node.value);
        this.locals.push(new Map([[node.name, value]]));
        try {
          return this.eval(node.body);
        } finally {
          this.locals.pop();
        }
      }
      case 'seq': {
        let last: unknown = null;
        for (const n of node.nodes) last = this.eval(n);
        return last;
      }
    }
  }

  private lookup(name: string): unknown {
    for (let i = this.locals.length - 1; i >= 0; i--) {
      const frame = this.locals[i] as Map<string, unknown>;
      if (frame.has(name)) return frame.get(name);
    }
    if (name === '$env') return this.env;
    if (Object.hasOwn(this.env, name)) return this.env[name];
    if (Object.hasOwn(this.globals, name)) return this.globals[name];
    throw expressionError(`unknown name ${name}`, 'missing');
  }

  private pointer(name: string): unknown {
    const scope = this.scopes[this.scopes.length - 1];
    if (!scope) throw expressionError('cannot use pointer accessor outside predicate', 'syntax');
    if (name === '') return scope.item;
    if (name === 'index') return scope.index;
    if (name === 'acc') return scope.acc ?? null;
    throw expressionError(`unknown pointer #${name}`, 'syntax');
  }

  private binary(op: string, ln: Node, rn: Node): unknown {
    switch (op) {
      case '&&':
      case 'and': {
        const l = this.eval(ln);
        if (typeof l !== 'boolean') throw mismatch(op, l);
        if (!l) return false;
        const r = this.eval(rn);
        if (typeof r !== 'boolean') throw mismatch(op, l, r);
        return r;
      }
      case '||':
      case 'or': {
        const l = this.eval(ln);
        if (typeof l !== 'boolean') throw mismatch(op, l);
        if (l) return true;
        const r = this.eval(rn);
        if (typeof r !== 'boolean') throw mismatch(op, l, r);
        return r;
      }
      case '??': {
        const l = this.eval(ln);
        return isNil(l) ? this.eval(rn) : l;
      }
      default:
        return binary(op, this.eval(ln), this.eval(rn));
    }
  }

  private slice(node: Extract<Node, { k: 'slice' }>): unknown {
    const obj = this.eval(node.obj);
    if (!Array.isArray(obj) && typeof obj !== 'string') {
      throw expressionError(`cannot slice ${typeName(obj)}`);
    }
    const len = obj.length;
    const bound = (n: Node | undefined, dflt: number): number => {
      if (!n) return dflt;
      const v = this.eval(n);
      if (!isInt(v)) throw expressionError(`non-integer slice index ${formatValue(v)}`);
      const i = v < 0 ? len + v : v;
      return Math.min(Math.max(i, 0), len);
    };
    const from = bound(node.from, 0);
    const to = Math.max(bound(node.to, len), from);
    return obj.slice(from, to);
  }

  private call(calleeNode: Node, argNodes: Node[]): unknown {
    let callee: unknown;
    if (calleeNode.k === 'member') {
      const obj = this.eval(calleeNode.obj);
      const name = this.eval(calleeNode.prop);
      if (isNil(obj) && calleeNode.optional) throw CHAIN_NIL;
      if (typeof name === 'string' && (obj instanceof GoTime || obj instanceof GoDuration)) {
        return callMethod(
          obj,
          name,
          argNodes.map((a) => this.eval(a)),
        );
      }
      callee = fetch(obj, name);
    } else {
      callee = this.eval(calleeNode);
    }
    if (!(callee instanceof Fn)) {
      const what = calleeNode.k === 'ident' ? calleeNode.name : typeName(callee);
      throw expressionError(`${what} is not callable`);
    }
    const args = argNodes.map((a) => this.eval(a));
    this.tick(args.length);
    return callee.call(args);
  }
}

function mismatch(op: string, l: unknown, r?: unknown): Error {
  if (arguments.length < 3) {
    return expressionError(`invalid operation: ${op} (mismatched type ${typeName(l)})`);
  }
  return expressionError(
    `invalid operation: ${op} (mismatched types ${typeName(l)} and ${typeName(r)})`,
  );
}

/** Member access as expr does it: map keys (missing is nil), array and string indexes. */
export function fetch(obj: unknown, key: unknown): unknown {
  if (isNil(obj)) throw expressionError(`cannot fetch ${formatValue(key)} from <nil>`);
  if (Array.isArray(obj) || typeof obj === 'string') {
    if (!isInt(key)) {
      throw expressionError(`cannot fetch ${formatValue(key)} from ${typeName(obj)}`);
    }
    if (typeof obj === 'string') {
      const bytes = Buffer.from(obj, 'utf8');
      const i = key < 0 ? bytes.length + key : key;
      if (i < 0 || i >= bytes.length) {
        throw expressionError(`index out of range: ${i} (array length is ${bytes.length})`);
      }
      return bytes[i] as number;
    }
    const i = key < 0 ? obj.length + key : key;
    if (i < 0 || i >= obj.length) {
      throw expressionError(`index out of range: ${i} (array length is ${obj.length})`);
    }
    return obj[i];
  }
  if (isMap(obj)) {
    const v = ownValue(obj, typeof key === 'string' ? key : formatValue(key));
    return v === undefined ? null : v;
  }
  throw expressionError(`cannot fetch ${formatValue(key)} from ${typeName(obj)}`);
}

function unary(op: string, x: unknown): unknown {
  switch (op) {
    case '!':
    case 'not':
      if (typeof x !== 'boolean') throw mismatch(op, x);
      return !x;
    case '-':
      if (typeof x === 'number') return -x;
      if (x instanceof GoDuration) return new GoDuration(-x.ns);
      throw mismatch(op, x);
    case '+':
      if (typeof x === 'number') return x;
      throw mismatch(op, x);
  }
  throw expressionError(`unknown operator ${op}`);
}

function bothNumbers(l: unknown, r: unknown): [number, number] | undefined {
  return typeof l === 'number' && typeof r === 'number' ? [l, r] : undefined;
}

function binary(op: string, l: unknown, r: unknown): unknown {
  const nums = bothNumbers(l, r);
  switch (op) {
    case '==':
      return equal(l, r);
    case '!=':
      return !equal(l, r);
    case '+':
      if (nums) return nums[0] + nums[1];
      if (typeof l === 'string' && typeof r === 'string') return checkString(l + r);
      if (l instanceof GoTime && r instanceof GoDuration)
        return new GoTime(l.ms + r.ns / 1e6, l.offsetMinutes);
      if (l instanceof GoDuration && r instanceof GoTime)
        return new GoTime(r.ms + l.ns / 1e6, r.offsetMinutes);
      if (l instanceof GoDuration && r instanceof GoDuration) return new GoDuration(l.ns + r.ns);
      break;
    case '-':
      if (nums) return nums[0] - nums[1];
      if (l instanceof GoTime && r instanceof GoTime) return new GoDuration((l.ms - r.ms) * 1e6);
      if (l instanceof GoTime && r instanceof GoDuration)
        return new GoTime(l.ms - r.ns / 1e6, l.offsetMinutes);
      if (l instanceof GoDuration && r instanceof GoDuration) return new GoDuration(l.ns - r.ns);
      break;
    case '*':
      if (nums) return nums[0] * nums[1];
      if (l instanceof GoDuration && typeof r === 'number') return new GoDuration(l.ns * r);
      if (typeof l === 'number' && r instanceof GoDuration) return new GoDuration(l * r.ns);
      break;
    case '/':
      if (nums) return nums[0] / nums[1];
      break;
    case '%':
      if (nums && isInt(l) && isInt(r)) {
        if (r === 0) throw expressionError('integer divide by zero');
        return nums[0] % nums[1];
      }
      break;
    case '**':
    case '^':
      if (nums) return Math.pow(nums[0], nums[1]);
      break;
    case '<':
    case '>':
    case '<=':
    case '>=':
      return compare(op, l, r);
    case '..': {
      if (!isInt(l) || !isInt(r)) break;
      if (r < l) return [];
      checkSize(r - l + 1);
      return Array.from({ length: r - l + 1 }, (_, i) => l + i);
    }
    case 'in':
      return inOp(l, r);
    case 'contains':
    case 'startsWith':
    case 'endsWith':
    case 'matches': {
      if (typeof l !== 'string' || typeof r !== 'string') break;
      if (op === 'contains') return l.includes(r);
      if (op === 'startsWith') return l.startsWith(r);
      if (op === 'endsWith') return l.endsWith(r);
      return compileRegex(r).test(l);
    }
  }
  throw mismatch(op, l, r);
}

function compare(op: string, l: unknown, r: unknown): boolean {
  let a: number | string;
  let b: number | string;
  if (typeof l === 'number' && typeof r === 'number') [a, b] = [l, r];
  else if (typeof l === 'string' && typeof r === 'string') [a, b] = [l, r];
  else if (l instanceof GoTime && r instanceof GoTime) [a, b] = [l.ms, r.ms];
  else if (l instanceof GoDuration && r instanceof GoDuration) [a, b] = [l.ns, r.ns];
  else throw mismatch(op, l, r);
  switch (op) {
    case '<':
      return a < b;
    case '>':
      return a > b;
    case '<=':
      return a <= b;
    default:
      return a >= b;
  }
}

function inOp(l: unknown, r: unknown): boolean {
  if (Array.isArray(r)) return r.some((x) => equal(l, x));
  if (isMap(r))
    return (typeof l === 'string' || typeof l === 'number') && Object.hasOwn(r, String(l));
  if (isNil(r)) return false;
  throw mismatch('in', l, r);
}

const TIME_METHODS: Record<string, (t: GoTime, args: unknown[]) => unknown> = {
  Year: (t) => local(t).getUTCFullYear(),
  Month: (t) => local(t).getUTCMonth() + 1,
  Day: (t) => local(t).getUTCDate(),
  Hour: (t) => local(t).getUTCHours(),
  Minute: (t) => local(t).getUTCMinutes(),
  Second: (t) => local(t).getUTCSeconds(),
  Weekday: (t) => local(t).getUTCDay(),
  YearDay: (t) => {
    const d = local(t);
    return Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1;
  },
  Unix: (t) => Math.floor(t.ms / 1000),
  UnixMilli: (t) => Math.floor(t.ms),
  UTC: (t) => new GoTime(t.ms, 0),
  Add: (t, [d]) => {
    if (!(d instanceof GoDuration)) throw expressionError('Add expects a duration');
    return new GoTime(t.ms + d.ns / 1e6, t.offsetMinutes);
  },
  Sub: (t, [u]) => {
    if (!(u instanceof GoTime)) throw expressionError('Sub expects a time');
    return new GoDuration((t.ms - u.ms) * 1e6);
  },
  Before: (t, [u]) => u instanceof GoTime && t.ms < u.ms,
  After: (t, [u]) => u instanceof GoTime && t.ms > u.ms,
  Equal: (t, [u]) => u instanceof GoTime && t.ms === u.ms,
  String: (t) => formatValue(t),
};

const DURATION_METHODS: Record<string, (d: GoDuration) => unknown> = {
  Hours: (d) => d.ns / 3.6e12,
  Minutes: (d) => d.ns / 6e10,
  Seconds: (d) => d.ns / 1e9,
  Milliseconds: (d) => Math.trunc(d.ns / 1e6),
  Nanoseconds: (d) => d.ns,
  String: (d) => formatValue(d),
};

function local(t: GoTime): Date {
  return new Date(t.ms + t.offsetMinutes * 60_000);
}

function callMethod(obj: GoTime | GoDuration, name: string, args: unknown[]): unknown {
  if (obj instanceof GoTime) {
    const m = Object.hasOwn(TIME_METHODS, name) ? TIME_METHODS[name] : undefined;
    if (m) return m(obj, args);
  } else {
    const m = Object.hasOwn(DURATION_METHODS, name) ? DURATION_METHODS[name] : undefined;
    if (m) return m(obj);
  }
  throw expressionError(`type ${typeName(obj)} has no method ${name}`);
}
