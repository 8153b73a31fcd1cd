import { InputError } from '../../errors/index.js';
import {
  COMPARATORS,
  lexGovaluate,
  printable,
  TERNARY,
  type Kind,
  type Tok,
} from './govaluate-lexer.js';
import { LIMITS } from './limits.js';
import { compileRegex, type GoRegex } from './regex.js';
import { equal, isNil } from './values.js';

/**
 * govaluate, the expression dialect of Argo Workflows' `when` and of Argo
 * Events' `exprs` filters: numbers are float64, strings in single or double
 * quotes (one that reads as a date is its Unix time), `true`/`false`,
 * parameters by name or `[escaped name]`, C precedence, `=~`/`!~` RE2
 * matches, `in` against `(a, b)` lists, `?` `:` `??`, and no functions.
 * Operands are type checked as govaluate does: a mismatch is an error, not false.
 */
export interface GovaluateExpression {
  readonly source: string;
  /** The parameter names the expression reads, in order of appearance. */
  readonly vars: readonly string[];
  /** Throws InputError (INVALID_INPUT) with govaluate's wording when it cannot be evaluated. */
  evaluate(parameters: Readonly<Record<string, unknown>>): unknown;
}

/** A planned expression: what `planGovaluate` gives and `runGovaluate` evaluates. */
export interface GovaluatePlan {
  readonly expr: Expr;
  readonly vars: readonly string[];
}

type Expr =
  | { k: 'lit'; v: unknown }
  | { k: 'var'; name: string }
  | { k: 'acc'; parts: string[] }
  | { k: 'op'; op: string; l?: Expr; r?: Expr }
  | { k: 'list'; items: Expr[] };

/** Precedence levels, loosest first, as govaluate plans them. */
const LEVELS: { kind: Kind; ops: Set<string> }[] = [
  { kind: 'TERNARY', ops: TERNARY },
  { kind: 'LOGICALOP', ops: new Set(['||']) },
  { kind: 'LOGICALOP', ops: new Set(['&&']) },
  { kind: 'COMPARATOR', ops: COMPARATORS },
  { kind: 'MODIFIER', ops: new Set(['&', '|', '^']) },
  { kind: 'MODIFIER', ops: new Set(['>>', '<<']) },
  { kind: 'MODIFIER', ops: new Set(['+', '-']) },
  { kind: 'MODIFIER', ops: new Set(['*', '/', '%']) },
  { kind: 'MODIFIER', ops: new Set(['**']) },
];

class Planner {
  private i = 0;
  private depth = 0;
  /** The parameter names read, in order of appearance. */
  readonly vars: string[] = [];
  constructor(private readonly toks: Tok[]) {}

  private read(name: string): void {
    if (!this.vars.includes(name)) this.vars.push(name);
  }

  plan(): Expr {
    const e = this.separated();
    if (this.i < this.toks.length) {
      const t = this.toks[this.i] as Tok;
      throw new Error(`Unable to plan token kind: '${t.kind}', value: '${printable(t.value)}'`);
    }
    return e;
  }

  private peek(): Tok | undefined {
    return this.toks[this.i];
  }

  private separated(): Expr {
    if (++this.depth > LIMITS.depth) throw new Error('expression nested too deeply');
    try {
      const first = this.level(0);
      if (this.peek()?.kind !== 'SEPARATOR') return first;
      const items = [first];
      while (this.peek()?.kind === 'SEPARATOR') {
        this.i++;
        items.push(this.level(0));
      }
      return { k: 'list', items };
    } finally {
      this.depth--;
    }
  }

  private level(n: number): Expr {
    const lvl = LEVELS[n];
    if (!lvl) return this.prefix();
    let left = this.level(n + 1);
    for (;;) {
      const t = this.peek();
      if (!t || t.kind !== lvl.kind || !lvl.ops.has(t.value as string)) return left;
      this.i++;
      const right = this.level(n + 1);
      left = { k: 'op', op: t.value as string, l: left, r: right };
    }
  }

  private prefix(): Expr {
    const t = this.peek();
    if (t?.kind === 'PREFIX') {
      this.i++;
      if (++this.depth > LIMITS.depth) throw new Error('expression nested too deeply');
      try {
        return { k: 'op', op: `prefix${t.value as string}`, r: this.prefix() };
      } finally {
        this.depth--;
      }
    }
    return this.value();
  }

  private value(): Expr {
    const t = this.toks[this.i++];
    if (!t) throw new Error('Unexpected end of expression');
    switch (t.kind) {
      case 'CLAUSE': {
        if (this.peek()?.kind === 'CLAUSE_CLOSE') {
          this.i++;
          return { k: 'list', items: [] };
        }
        const inner = this.separated();
        if (this.toks[this.i++]?.kind !== 'CLAUSE_CLOSE') throw new Error('Unbalanced parenthesis');
        return inner;
      }
      case 'NUMERIC':
      case 'BOOLEAN':
      case 'STRING':
      case 'TIME':
      case 'PATTERN':
        return { k: 'lit', v: t.value };
      case 'VARIABLE':
        this.read(t.value as string);
        return { k: 'var', name: t.value as string };
      case 'ACCESSOR':
        this.read((t.value as string[])[0] ?? '');
        return { k: 'acc', parts: t.value as string[] };
      default:
        throw new Error(`Unable to plan token kind: '${t.kind}', value: '${printable(t.value)}'`);
    }
  }
}

const isNum = (v: unknown): v is number => typeof v === 'number';
const isStr = (v: unknown): v is string => typeof v === 'string';

const NOT_NUMBER = "Value '%v' cannot be used with the modifier '%s', it is not a number";
const NOT_COMPARABLE = "Value '%v' cannot be used with the comparator '%s', it is not a number";
const NOT_BOOL = "Value '%v' cannot be used with the logical operator '%s', it is not a bool";

function typeError(format: string, v: unknown, op: string): Error {
  return new Error(format.replace('%v', printable(v)).replace('%s', op === '==' ? '=' : op));
}

class Machine {
  private steps = 0;
  constructor(private readonly params: Readonly<Record<string, unknown>>) {}

  evaluate(e: Expr, depth = 0): unknown {
    if (++this.steps > LIMITS.steps || depth > LIMITS.depth * 2)
      throw new Error('expression too large');
    if (e.k === 'lit') return e.v;
    if (e.k === 'var') return this.param(e.name);
    if (e.k === 'acc') {
      const [head = '', field = ''] = e.parts;
      this.param(head);
      // govaluate reaches into Go structs only; parameters here are plain values.
      throw new Error(`Unable to access '${field}', '${head}' is not a struct`);
    }
    if (e.k === 'list') return e.items.map((x) => this.evaluate(x, depth + 1));
    const op = e.op;
    if (op.startsWith('prefix')) {
      const v = this.evaluate(e.r as Expr, depth + 1);
      const sym = op.slice('prefix'.length);
      if (sym === '!') {
        if (typeof v !== 'boolean')
          throw typeError("Value '%v' cannot be used with the prefix '%s'", v, '!');
        return !v;
      }
      if (!isNum(v)) throw typeError("Value '%v' cannot be used with the prefix '%s'", v, sym);
      return sym === '-' ? -v : Number(~BigInt.asIntN(64, BigInt(Math.trunc(v))));
    }
    const left = this.evaluate(e.l as Expr, depth + 1);
    if (op === '&&' && left === false) return false;
    if (op === '||' && left === true) return true;
    if (op === '??') return isNil(left) ? this.evaluate(e.r as Expr, depth + 1) : left;
    if (op === '?') {
      if (typeof left !== 'boolean')
        throw typeError(
          "Value '%v' cannot be used with the ternary operator '%s', it is not a bool",
          left,
          '?',
        );
      return left ? this.evaluate(e.r as Expr, depth + 1) : null;
    }
    if (op === ':') return isNil(left) ? this.evaluate(e.r as Expr, depth + 1) : left;
    const right = this.evaluate(e.r as Expr, depth + 1);
    return binary(op, left, right);
  }

  private param(name: string): unknown {
    if (!Object.hasOwn(this.params, name)) throw new Error(`No parameter '${name}' found.`);
    const v = this.params[name];
    if (typeof v === 'bigint') return Number(v);
    return v === undefined ? null : v;
  }
}

function binary(op: string, l: unknown, r: unknown): unknown {
  switch (op) {
    case '&&':
    case '||':
      if (typeof l !== 'boolean') throw typeError(NOT_BOOL, l, op);
      if (typeof r !== 'boolean') throw typeError(NOT_BOOL, r, op);
      return op === '&&' ? l && r : l || r;
    case '==':
      return equal(l, r);
    case '!=':
      return !equal(l, r);
    case '>':
    case '>=':
    case '<':
    case '<=': {
      if (!((isNum(l) && isNum(r)) || (isStr(l) && isStr(r))))
        throw typeError(NOT_COMPARABLE, l, op);
      // Go compares strings byte by byte (UTF-8), not by UTF-16 code unit.
      const [a, b] =
        isStr(l) && isStr(r)
          ? [Buffer.compare(Buffer.from(l), Buffer.from(r)), 0]
          : [l as number, r as number];
      return op === '>' ? a > b : op === '>=' ? a >= b : op === '<' ? a < b : a <= b;
    }
    case '=~':
    case '!~': {
      if (!isStr(l))
        throw typeError(
          "Value '%v' cannot be used with the comparator '%s', it is not a string",
          l,
          op,
        );
      if (!isStr(r))
        throw typeError(
          "Value '%v' cannot be used with the comparator '%s', it is not a string",
          r,
          op,
        );
      let re: GoRegex;
      try {
        re = compileRegex(r);
      } catch (err) {
        throw new Error(`Unable to compile regexp pattern '${r}': ${(err as Error).message}`);
      }
      const m = re.test(l);
      return op === '=~' ? m : !m;
    }
    case 'in':
      if (!Array.isArray(r))
        throw typeError(
          "Value '%v' cannot be used with the comparator '%s', it is not a number",
          r,
          op,
        );
      return r.some((x) => equal(l, x));
    case '+':
      if (isStr(l) || isStr(r)) return `${printable(l)}${printable(r)}`;
      if (!isNum(l) || !isNum(r)) throw typeError(NOT_NUMBER, isNum(l) ? r : l, op);
      return l + r;
    default: {
      if (!isNum(l)) throw typeError(NOT_NUMBER, l, op);
      if (!isNum(r)) throw typeError(NOT_NUMBER, r, op);
      const bi = (x: number): bigint => BigInt.asIntN(64, BigInt(Math.trunc(x)));
      const bu = (x: number): bigint => BigInt.asUintN(64, BigInt(Math.trunc(x)));
      switch (op) {
        case '-':
          return l - r;
        case '*':
          return l * r;
        case '/':
          return l / r;
        case '%':
          return l % r;
        case '**':
          return Math.pow(l, r);
        case '&':
          return Number(bi(l) & bi(r));
        case '|':
          return Number(bi(l) | bi(r));
        case '^':
          return Number(bi(l) ^ bi(r));
        case '<<':
          return Number(BigInt.asUintN(64, bu(l) << (bu(r) > 64n ? 64n : bu(r))));
        case '>>':
          return Number(bu(l) >> (bu(r) > 64n ? 64n : bu(r)));
      }
      throw new Error(`unknown operator ${op}`);
    }
  }
}

/** Plans checked tokens; throws an Error with govaluate's wording. */
export function planGovaluate(tokens: Tok[]): GovaluatePlan {
  const planner = new Planner(tokens);
  const expr = planner.plan();
  return { expr, vars: planner.vars };
}

/** Evaluates a plan over `parameters`; throws an Error with govaluate's wording. */
export function runGovaluate(
  plan: GovaluatePlan,
  parameters: Readonly<Record<string, unknown>> = {},
): unknown {
  return new Machine(parameters).evaluate(plan.expr);
}

/** Compiles an expression; throws InputError (INVALID_INPUT) when it is not govaluate syntax. */
export function compileGovaluate(source: string): GovaluateExpression {
  let plan: GovaluatePlan;
  try {
    if (source.length > LIMITS.sourceLength) throw new Error('the expression is too long');
    if (source.trim() === '') throw new Error('the expression is empty');
    plan = planGovaluate(lexGovaluate(source));
  } catch (err) {
    throw new InputError(`invalid expression ${JSON.stringify(source)}: ${(err as Error).message}`);
  }
  return {
    source,
    vars: plan.vars,
    evaluate(parameters) {
      try {
        return runGovaluate(plan, parameters);
      } catch (err) {
        throw new InputError((err as Error).message);
      }
    },
  };
}

/** A value as Go's `%v` prints it (maps as `map[k:v]`, keys sorted). */
export function goValueText(value: unknown): string {
  if (typeof value === 'number') return goFloatText(value);
  if (value === null || value === undefined) return '<nil>';
  if (Array.isArray(value)) return `[${value.map(goValueText).join(' ')}]`;
  if (typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${k}:${goValueText((value as Record<string, unknown>)[k])}`);
    return `map[${entries.join(' ')}]`;
  }
  return String(value);
}

/** A float64 as Go's strconv prints it shortest: an exponent below 1e-4 and from 1e21. */
export function goFloatText(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : '-Inf';
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  const exp = Math.floor(Math.log10(Math.abs(n)));
  if (exp < -4 || exp >= 21) {
    const [mantissa, e] = n.toExponential().split('e') as [string, string];
    const sign = e.startsWith('-') ? '-' : '+';
    const digits = e.replace(/^[+-]/, '').padStart(2, '0');
    return `${mantissa}e${sign}${digits}`;
  }
  return String(n);
}
