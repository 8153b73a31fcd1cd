import { InputError } from '../../errors/index.js';
import { parseAny } from './gotime.js';
import { LIMITS } from './limits.js';
import { compileRegex, type GoRegex } from './regex.js';
import { equal, goFloat, isNil } from './values.js';

/**
 * Argo's `when`: the text (already substituted) is a govaluate expression, in
 * which a bare word that is not `true`, `false` or `in` stands for itself as a
 * string, so `{{steps.flip.outputs.result}} == heads` compares two strings.
 * Numbers are float64, `+` joins when either side is a string, `=~` matches an
 * RE2 pattern anywhere in the text, and `in` takes a parenthesised list.
 */

type Kind =
  | 'NUMERIC'
  | 'BOOLEAN'
  | 'STRING'
  | 'PATTERN'
  | 'TIME'
  | 'VARIABLE'
  | 'ACCESSOR'
  | 'PREFIX'
  | 'MODIFIER'
  | 'COMPARATOR'
  | 'LOGICALOP'
  | 'TERNARY'
  | 'SEPARATOR'
  | 'CLAUSE'
  | 'CLAUSE_CLOSE'
  | 'UNKNOWN';

interface Tok {
  kind: Kind;
  value: unknown;
}

const VALUES: Kind[] = ['NUMERIC', 'BOOLEAN', 'STRING', 'TIME', 'VARIABLE', 'ACCESSOR', 'CLAUSE'];
/** Which token kind may follow which, as govaluate checks the syntax. */
const NEXT: Record<Kind, { next: Kind[]; eof: boolean }> = {
  UNKNOWN: { next: ['PREFIX', 'PATTERN', ...VALUES], eof: false },
  CLAUSE: { next: ['PREFIX', 'PATTERN', 'CLAUSE_CLOSE', ...VALUES], eof: false },
  CLAUSE_CLOSE: {
    next: [
      'COMPARATOR',
      'MODIFIER',
      'NUMERIC',
      'BOOLEAN',
      'VARIABLE',
      'STRING',
      'PATTERN',
      'TIME',
      'CLAUSE',
      'CLAUSE_CLOSE',
      'LOGICALOP',
      'TERNARY',
      'SEPARATOR',
    ],
    eof: true,
  },
  NUMERIC: {
    next: ['MODIFIER', 'COMPARATOR', 'LOGICALOP', 'CLAUSE_CLOSE', 'TERNARY', 'SEPARATOR'],
    eof: true,
  },
  BOOLEAN: {
    next: ['MODIFIER', 'COMPARATOR', 'LOGICALOP', 'CLAUSE_CLOSE', 'TERNARY', 'SEPARATOR'],
    eof: true,
  },
  STRING: {
    next: ['MODIFIER', 'COMPARATOR', 'LOGICALOP', 'CLAUSE_CLOSE', 'TERNARY', 'SEPARATOR'],
    eof: true,
  },
  TIME: { next: ['MODIFIER', 'COMPARATOR', 'LOGICALOP', 'CLAUSE_CLOSE', 'SEPARATOR'], eof: true },
  PATTERN: {
    next: ['MODIFIER', 'COMPARATOR', 'LOGICALOP', 'CLAUSE_CLOSE', 'SEPARATOR'],
    eof: true,
  },
  VARIABLE: {
    next: ['MODIFIER', 'COMPARATOR', 'LOGICALOP', 'CLAUSE_CLOSE', 'TERNARY', 'SEPARATOR'],
    eof: true,
  },
  ACCESSOR: {
    next: ['MODIFIER', 'COMPARATOR', 'LOGICALOP', 'CLAUSE_CLOSE', 'TERNARY', 'SEPARATOR'],
    eof: true,
  },
  MODIFIER: {
    next: [
      'PREFIX',
      'NUMERIC',
      'VARIABLE',
      'ACCESSOR',
      'STRING',
      'BOOLEAN',
      'CLAUSE',
      'CLAUSE_CLOSE',
    ],
    eof: false,
  },
  COMPARATOR: { next: ['PREFIX', 'CLAUSE_CLOSE', 'PATTERN', ...VALUES], eof: false },
  LOGICALOP: { next: ['PREFIX', 'CLAUSE_CLOSE', ...VALUES], eof: false },
  PREFIX: {
    next: ['NUMERIC', 'BOOLEAN', 'VARIABLE', 'ACCESSOR', 'CLAUSE', 'CLAUSE_CLOSE'],
    eof: false,
  },
  TERNARY: { next: ['PREFIX', 'SEPARATOR', ...VALUES], eof: false },
  SEPARATOR: { next: ['PREFIX', ...VALUES], eof: false },
};

const COMPARATORS = new Set(['==', '!=', '>', '>=', '<', '<=', '=~', '!~', 'in']);
const MODIFIERS = new Set(['+', '-', '*', '/', '%', '**', '&', '|', '^', '>>', '<<']);
const LOGICAL = new Set(['&&', '||']);
const TERNARY = new Set(['?', ':', '??']);
const PREFIXES = new Set(['-', '!', '~']);

const isLetter = (c: string | undefined): boolean => c !== undefined && /^\p{L}$/u.test(c);
const isDigit = (c: string | undefined): boolean => c !== undefined && /^\p{Nd}$/u.test(c);
const isSpace = (c: string | undefined): boolean => c !== undefined && /^\s$/u.test(c);

class Lexer {
  private i = 0;
  private readonly cs: string[];
  constructor(text: string) {
    this.cs = [...text];
  }

  tokens(): Tok[] {
    const out: Tok[] = [];
    let state: Kind = 'UNKNOWN';
    for (;;) {
      const t = this.read(state);
      if (!t) break;
      out.push(t);
      state = t.kind;
    }
    let depth = 0;
    for (const t of out) {
      if (t.kind === 'CLAUSE') depth++;
      if (t.kind === 'CLAUSE_CLOSE') depth--;
    }
    if (depth !== 0) throw new Error('Unbalanced parenthesis');
    return out;
  }

  /** Reads while `ok` holds; a backslash takes the next character as it is. Stops at whitespace once started. */
  private readWhile(
    ok: (c: string) => boolean,
    keepSpace: boolean,
  ): { text: string; closed: boolean } {
    let text = '';
    while (this.i < this.cs.length) {
      let c = this.cs[this.i++] as string;
      if (c === '\\') {
        c = this.cs[this.i++] ?? '';
        text += c;
        continue;
      }
      if (isSpace(c) && !keepSpace) {
        if (text.length > 0) return { text, closed: true };
        continue;
      }
      if (!ok(c)) {
        this.i--;
        return { text, closed: true };
      }
      text += c;
    }
    return { text, closed: false };
  }

  private read(state: Kind): Tok | undefined {
    while (this.i < this.cs.length && isSpace(this.cs[this.i])) this.i++;
    if (this.i >= this.cs.length) return undefined;
    const c = this.cs[this.i] as string;
    if (isDigit(c) || c === '.') {
      if (c === '0' && this.cs[this.i + 1] === 'x') {
        this.i += 2;
        const { text } = this.readWhile((x) => /[0-9a-fA-F]/.test(x), false);
        const n = Number.parseInt(text, 16);
        if (!/^[0-9a-fA-F]+$/.test(text))
          throw new Error(`Unable to parse hex value '${text}' to uint64\n`);
        return { kind: 'NUMERIC', value: n };
      }
      const { text } = this.readWhile((x) => isDigit(x) || x === '.', false);
      if (!/^(\d+\.?\d*|\.\d+)$/.test(text))
        throw new Error(`Unable to parse numeric value '${text}' to float64\n`);
      return { kind: 'NUMERIC', value: Number(text) };
    }
    if (c === ',') {
      this.i++;
      return { kind: 'SEPARATOR', value: ',' };
    }
    if (c === '[') {
      this.i++;
      const { text, closed } = this.readWhile((x) => x !== ']', true);
      if (!closed) throw new Error('Unclosed parameter bracket');
      this.i++;
      return { kind: 'VARIABLE', value: text };
    }
    if (isLetter(c)) {
      const { text } = this.readWhile(
        (x) => isLetter(x) || isDigit(x) || x === '_' || x === '.',
        false,
      );
      if (text === 'true' || text === 'false') return { kind: 'BOOLEAN', value: text === 'true' };
      if (text === 'in' || text === 'IN') return { kind: 'COMPARATOR', value: 'in' };
      const dot = text.indexOf('.');
      if (dot > 0) {
        if (text.endsWith('.')) throw new Error(`Hanging accessor on token '${text}'`);
        const parts = text.split('.');
        for (const p of parts.slice(1)) {
          const first = [...p][0] ?? '';
          if (first.toUpperCase() !== first) {
            throw new Error(`Unable to access unexported field '${p}' in token '${text}'`);
          }
        }
        return { kind: 'ACCESSOR', value: parts };
      }
      return { kind: 'VARIABLE', value: text };
    }
    if (c === "'" || c === '"') {
      this.i++;
      const { text, closed } = this.readWhile((x) => x !== "'" && x !== '"', true);
      if (!closed) throw new Error('Unclosed string literal');
      this.i++;
      const time = tryTime(text);
      return time === undefined ? { kind: 'STRING', value: text } : { kind: 'TIME', value: time };
    }
    if (c === '(') {
      this.i++;
      return { kind: 'CLAUSE', value: '(' };
    }
    if (c === ')') {
      this.i++;
      return { kind: 'CLAUSE_CLOSE', value: ')' };
    }
    const { text } = this.readWhile(
      (x) => !(isDigit(x) || isLetter(x) || '()[]\'"'.includes(x)),
      false,
    );
    if (NEXT[state].next.includes('PREFIX') && PREFIXES.has(text))
      return { kind: 'PREFIX', value: text };
    if (MODIFIERS.has(text)) return { kind: 'MODIFIER', value: text };
    if (LOGICAL.has(text)) return { kind: 'LOGICALOP', value: text };
    if (COMPARATORS.has(text)) return { kind: 'COMPARATOR', value: text };
    if (TERNARY.has(text)) return { kind: 'TERNARY', value: text };
    throw new Error(`Invalid token: '${text}'`);
  }
}

const TIME_LAYOUTS = [
  'Mon Jan _2 15:04:05 2006',
  'Mon Jan _2 15:04:05 MST 2006',
  'Mon Jan 02 15:04:05 -0700 2006',
  '3:04PM',
  '2006-01-02T15:04:05Z07:00',
  '2006-01-02T15:04:05.999Z07:00',
  '2006-01-02',
  '2006-01-02 15:04',
  '2006-01-02 15:04:05',
  '2006-01-02 15:04:05-07:00',
  '2006-01-02T15Z0700',
  '2006-01-02T15:04Z0700',
  '2006-01-02T15:04:05Z0700',
  '2006-01-02T15:04:05.999Z0700',
];

/** govaluate reads a quoted string that looks like a date as a time (compared as Unix seconds). */
function tryTime(text: string): number | undefined {
  if (!/^\d{4}-\d\d-\d\d|^[A-Z][a-z]{2} |^\d{1,2}:\d\d[AP]M$/.test(text)) return undefined;
  try {
    return Math.floor(parseAny(text, TIME_LAYOUTS).ms / 1000);
  } catch {
    return undefined;
  }
}

function printable(v: unknown): string {
  if (typeof v === 'number') return goFloat(v);
  if (Array.isArray(v)) return `[${v.map(printable).join(' ')}]`;
  if (isNil(v)) return '<nil>';
  if (typeof v === 'object' && 'pattern' in (v as object))
    return String((v as { pattern: string }).pattern);
  return String(v);
}

function checkSyntax(tokens: Tok[]): void {
  let state: Kind = 'UNKNOWN';
  let last: Tok | undefined;
  for (const t of tokens) {
    if (!NEXT[state].next.includes(t.kind)) {
      if (last?.kind === 'VARIABLE' && t.kind === 'CLAUSE') {
        throw new Error(`Undefined function ${printable(last.value)}`);
      }
      throw new Error(
        `Cannot transition token types from ${state} [${last ? printable(last.value) : '<nil>'}] to ${t.kind} [${printable(t.value)}]`,
      );
    }
    state = t.kind;
    last = t;
  }
  if (!NEXT[state].eof) throw new Error('Unexpected end of expression');
}

type Expr =
  | { k: 'lit'; v: unknown }
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
  constructor(private readonly toks: Tok[]) {}

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
        throw new Error(`No parameter '${printable(t.value)}' found.`);
      case 'ACCESSOR':
        throw new Error(`No parameter '${(t.value as string[])[0] ?? ''}' found.`);
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
  evaluate(e: Expr, depth = 0): unknown {
    if (++this.steps > LIMITS.steps || depth > LIMITS.depth * 2)
      throw new Error('expression too large');
    if (e.k === 'lit') return e.v;
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
    if (op === '??' && !isNil(left)) return left;
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
      const [a, b] = [l as number | string, r as number | string];
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

/** A regex right of `=~`: govaluate compiles a quoted pattern as it parses. */
function compilePatterns(tokens: Tok[]): Tok[] {
  return tokens.map((t, i) => {
    const prev = tokens[i - 1];
    if (
      t.kind === 'STRING' &&
      prev?.kind === 'COMPARATOR' &&
      (prev.value === '=~' || prev.value === '!~')
    ) {
      try {
        compileRegex(t.value as string);
      } catch (err) {
        throw new Error(`error parsing regexp: ${(err as Error).message}`);
      }
      return { kind: 'PATTERN', value: t.value };
    }
    return t;
  });
}

function fail(message: string): InputError {
  return new InputError(message, { details: { reason: 'when' } });
}

/**
 * Decides an already-substituted `when`, as Argo does. An empty text is true.
 * Throws InputError (INVALID_INPUT) with Argo's wording for a text that is not
 * an expression, cannot be evaluated, or is not a boolean.
 */
export function evaluateWhen(text: string): boolean {
  if (text === '') return true;
  if (text.length > LIMITS.sourceLength)
    throw fail(`Invalid 'when' expression '${text.slice(0, 80)}...': too long`);
  let tokens: Tok[];
  try {
    tokens = new Lexer(text).tokens();
    checkSyntax(tokens);
    tokens = compilePatterns(tokens);
  } catch (err) {
    const msg = (err as Error).message;
    const hint = msg.includes('Invalid token')
      ? ' (hint: try wrapping the affected expression in quotes ("))'
      : '';
    throw fail(`Invalid 'when' expression '${text}': ${msg}${hint}`);
  }
  // Argo reads bare words as strings rather than as variables.
  const converted = tokens.map((t) =>
    t.kind === 'VARIABLE' ? { kind: 'STRING' as const, value: t.value } : t,
  );
  let plan: Expr;
  try {
    checkSyntax(converted);
    plan = new Planner(converted).plan();
  } catch (err) {
    throw fail(`Failed to parse 'when' expression '${text}': ${(err as Error).message}`);
  }
  let result: unknown;
  try {
    result = new Machine().evaluate(plan);
  } catch (err) {
    throw fail(`Failed to evaluate 'when' expresion '${text}': ${(err as Error).message}`);
  }
  if (typeof result !== 'boolean') {
    throw fail(`Expected boolean evaluation for '${text}'. Got ${printable(result)}`);
  }
  return result;
}
