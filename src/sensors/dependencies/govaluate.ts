import { InputError } from '../../errors/index.js';
import { goRegExp } from './goregexp.js';

/**
 * The expression dialect Argo Events evaluates `exprs` filters with (govaluate):
 * numbers are float64, strings in single or double quotes (a string literal
 * that reads as a date becomes its unix time), `true`/`false`, parameters by
 * name or `[escaped name]`, C precedence, `=~`/`!~` regex matches, `in`
 * against `(a, b)` arrays, `?` `:` `??`, and no functions. Operands are type
 * checked as govaluate does; a mismatch is an error, not false.
 */
export interface GovaluateExpression {
  readonly source: string;
  /** The parameter names the expression reads, in order of appearance. */
  readonly vars: readonly string[];
  evaluate(parameters: Readonly<Record<string, unknown>>): unknown;
}

type Kind =
  | 'number'
  | 'string'
  | 'bool'
  | 'variable'
  | 'accessor'
  | 'comparator'
  | 'logical'
  | 'modifier'
  | 'prefix'
  | 'ternary'
  | 'separator'
  | 'open'
  | 'close';

interface Token {
  kind: Kind;
  text: string;
  value?: unknown;
}

const comparators = new Set(['==', '!=', '>', '<', '>=', '<=', '=~', '!~', 'in']);
const modifiers = new Set(['+', '-', '*', '/', '%', '**', '&', '|', '^', '<<', '>>']);
const logicals = new Set(['&&', '||']);
const ternaries = new Set(['?', ':', '??']);
const prefixes = new Set(['-', '!', '~']);

const isSpace = (c: string): boolean => /\s/u.test(c);
const isLetter = (c: string): boolean => /\p{L}/u.test(c);
const isDigit = (c: string): boolean => /\p{Nd}/u.test(c);
const isNumeric = (c: string): boolean => isDigit(c) || c === '.';
const isQuote = (c: string): boolean => c === "'" || c === '"';
const isVariableChar = (c: string): boolean => isLetter(c) || isDigit(c) || c === '_' || c === '.';
const isSymbolChar = (c: string): boolean =>
  !(isDigit(c) || isLetter(c) || '()[]'.includes(c) || isQuote(c));

/** Token kinds after which an operand (and so a prefix operator) is expected. */
const operandNext = new Set<Kind | 'start'>([
  'start',
  'comparator',
  'logical',
  'modifier',
  'prefix',
  'ternary',
  'separator',
  'open',
]);

function syntax(expression: string, message: string): InputError {
  return new InputError(`invalid expression ${JSON.stringify(expression)}: ${message}`);
}

function lex(expression: string): Token[] {
  const chars = [...expression];
  const tokens: Token[] = [];
  let i = 0;
  const readWhile = (test: (c: string) => boolean): string => {
    let out = '';
    while (i < chars.length) {
      const c = chars[i] as string;
      if (c === '\\') {
        out += chars[i + 1] ?? '';
        i += 2;
        continue;
      }
      if (isSpace(c) || !test(c)) break;
      out += c;
      i++;
    }
    return out;
  };
  while (i < chars.length) {
    const c = chars[i] as string;
    if (isSpace(c)) {
      i++;
      continue;
    }
    const previous = tokens[tokens.length - 1]?.kind ?? 'start';
    if (isNumeric(c)) {
      if (c === '0' && chars[i + 1] === 'x') {
        i += 2;
        const hex = readWhile((h) => /[0-9a-fA-F]/.test(h));
        if (hex === '') throw syntax(expression, `unable to parse hex value '${hex}'`);
        tokens.push({ kind: 'number', text: `0x${hex}`, value: Number.parseInt(hex, 16) });
        continue;
      }
      const text = readWhile(isNumeric);
      if (!/^(\d+\.?\d*|\.\d+)$/.test(text))
        throw syntax(expression, `unable to parse numeric value '${text}'`);
      tokens.push({ kind: 'number', text, value: Number(text) });
      continue;
    }
    if (c === ',') {
      tokens.push({ kind: 'separator', text: ',' });
      i++;
      continue;
    }
    if (c === '[') {
      i++;
      let name = '';
      let closed = false;
      while (i < chars.length) {
        const d = chars[i] as string;
        i++;
        if (d === '\\') {
          name += chars[i] ?? '';
          i++;
        } else if (d === ']') {
          closed = true;
          break;
        } else {
          name += d;
        }
      }
      if (!closed) throw syntax(expression, 'unclosed parameter bracket');
      tokens.push({ kind: 'variable', text: name, value: name });
      continue;
    }
    if (isLetter(c)) {
      const text = readWhile(isVariableChar);
      if (text === 'true' || text === 'false') {
        tokens.push({ kind: 'bool', text, value: text === 'true' });
      } else if (text === 'in' || text === 'IN') {
        tokens.push({ kind: 'comparator', text: 'in' });
      } else if (text.indexOf('.') > 0) {
        if (text.endsWith('.')) throw syntax(expression, `hanging accessor on token '${text}'`);
        const parts = text.split('.');
        for (const part of parts.slice(1)) {
          const first = [...part][0] ?? '';
          if (first.toUpperCase() !== first)
            throw syntax(
              expression,
              `unable to access unexported field '${part}' in token '${text}'`,
            );
        }
        tokens.push({ kind: 'accessor', text, value: parts });
      } else {
        tokens.push({ kind: 'variable', text, value: text });
      }
      continue;
    }
    if (isQuote(c)) {
      i++;
      let text = '';
      let closed = false;
      while (i < chars.length) {
        const d = chars[i] as string;
        i++;
        if (d === '\\') {
          text += chars[i] ?? '';
          i++;
        } else if (isQuote(d)) {
          closed = true;
          break;
        } else {
          text += d;
        }
      }
      if (!closed) throw syntax(expression, 'unclosed string literal');
      const time = parseDateLiteral(text);
      tokens.push(
        time === undefined
          ? { kind: 'string', text, value: text }
          : { kind: 'number', text, value: time },
      );
      continue;
    }
    if (c === '(' || c === ')') {
      tokens.push({ kind: c === '(' ? 'open' : 'close', text: c });
      i++;
      continue;
    }
    const symbol = readWhile(isSymbolChar);
    if (operandNext.has(previous) && prefixes.has(symbol)) {
      tokens.push({ kind: 'prefix', text: symbol });
    } else if (modifiers.has(symbol)) {
      tokens.push({ kind: 'modifier', text: symbol });
    } else if (logicals.has(symbol)) {
      tokens.push({ kind: 'logical', text: symbol });
    } else if (comparators.has(symbol)) {
      tokens.push({ kind: 'comparator', text: symbol });
    } else if (ternaries.has(symbol)) {
      tokens.push({ kind: 'ternary', text: symbol });
    } else {
      throw syntax(expression, `invalid token: '${symbol}'`);
    }
  }
  let depth = 0;
  for (const t of tokens) {
    if (t.kind === 'open') depth++;
    if (t.kind === 'close') depth--;
  }
  if (depth !== 0) throw syntax(expression, 'unbalanced parenthesis');
  return tokens;
}

/** Date literals govaluate recognises, read in local time; the value is unix seconds. */
function parseDateLiteral(text: string): number | undefined {
  const iso =
    /^(\d{4})-(\d{2})-(\d{2})(?:([ T])(\d{2})(?::(\d{2})(?::(\d{2})(\.\d{1,9})?)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.exec(
      text,
    );
  if (iso) {
    const [, y, mo, d, sep, h, mi, s, , zone] = iso;
    if (sep === ' ' && zone === 'Z') return undefined;
    if (sep === 'T' && zone === undefined) return undefined;
    if (sep === 'T' && mi === undefined && zone !== undefined && zone.includes(':'))
      return undefined;
    const fields = [y, mo, d, h ?? '0', mi ?? '0', s ?? '0'].map(Number) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    const [year, month, day, hour, minute, second] = fields;
    if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59)
      return undefined;
    let ms: number;
    if (zone === undefined) {
      ms = new Date(year, month - 1, day, hour, minute, second).getTime();
    } else {
      const offset =
        zone === 'Z'
          ? 0
          : (zone.startsWith('-') ? -1 : 1) *
            (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(-2)));
      ms = Date.UTC(year, month - 1, day, hour, minute, second) - offset * 60_000;
    }
    return Math.floor(ms / 1000);
  }
  const kitchen = /^(\d{1,2}):(\d{2})(AM|PM)$/.exec(text);
  if (kitchen) {
    const [, h, mi, half] = kitchen;
    let hour = Number(h);
    if (hour < 1 || hour > 12 || Number(mi) > 59) return undefined;
    hour = (hour % 12) + (half === 'PM' ? 12 : 0);
    return Math.floor(new Date(0, 0, 1, hour, Number(mi)).setFullYear(0) / 1000);
  }
  return undefined;
}

type Node =
  | { type: 'literal'; value: unknown }
  | { type: 'variable'; name: string }
  | { type: 'accessor'; parts: string[] }
  | { type: 'prefix'; op: string; operand: Node }
  | { type: 'binary'; op: string; left: Node; right: Node };

/** Binary operator levels, loosest first, as govaluate plans them. */
const levels: readonly (readonly string[])[] = [
  [','],
  ['?', ':', '??'],
  ['||'],
  ['&&'],
  ['==', '!=', '>', '<', '>=', '<=', '=~', '!~', 'in'],
  ['&', '|', '^'],
  ['<<', '>>'],
  ['+', '-'],
  ['*', '/', '%'],
  ['**'],
];

class Parser {
  private pos = 0;
  readonly vars: string[] = [];

  constructor(
    private readonly tokens: Token[],
    private readonly source: string,
  ) {}

  parse(): Node {
    if (this.tokens.length === 0) throw syntax(this.source, 'the expression is empty');
    const node = this.binary(0);
    const rest = this.tokens[this.pos];
    if (rest !== undefined) throw syntax(this.source, `unexpected ${describe(rest)}`);
    return node;
  }

  private binary(level: number): Node {
    const ops = levels[level];
    if (ops === undefined) return this.unary();
    let left = this.binary(level + 1);
    for (;;) {
      const t = this.tokens[this.pos];
      if (t === undefined || t.kind === 'prefix' || !ops.includes(t.text)) return left;
      this.pos++;
      const right = this.binary(level + 1);
      left = { type: 'binary', op: t.text, left, right };
    }
  }

  private unary(): Node {
    const t = this.tokens[this.pos];
    if (t === undefined) throw syntax(this.source, 'the expression ends where a value is expected');
    this.pos++;
    switch (t.kind) {
      case 'prefix':
        return { type: 'prefix', op: t.text, operand: this.unary() };
      case 'number':
      case 'string':
      case 'bool':
        return this.noCall({ type: 'literal', value: t.value });
      case 'variable': {
        const name = t.value as string;
        if (!this.vars.includes(name)) this.vars.push(name);
        return this.noCall({ type: 'variable', name });
      }
      case 'accessor': {
        const parts = t.value as string[];
        if (!this.vars.includes(parts[0] as string)) this.vars.push(parts[0] as string);
        return this.noCall({ type: 'accessor', parts });
      }
      case 'open': {
        const inner = this.binary(0);
        const close = this.tokens[this.pos];
        if (close?.kind !== 'close')
          throw syntax(
            this.source,
            `expected ')' but found ${close ? describe(close) : 'the end'}`,
          );
        this.pos++;
        return inner;
      }
      default:
        throw syntax(this.source, `unexpected ${describe(t)} where a value is expected`);
    }
  }

  /** govaluate has no functions unless given some, and Argo gives none. */
  private noCall(node: Node): Node {
    const next = this.tokens[this.pos];
    if (next?.kind === 'open') {
      const previous = this.tokens[this.pos - 1] as Token;
      throw syntax(this.source, `cannot call '${previous.text}': there are no functions`);
    }
    if (next && ['number', 'string', 'bool', 'variable', 'accessor'].includes(next.kind))
      throw syntax(this.source, `unexpected ${describe(next)} after a value`);
    return node;
  }
}

function describe(t: Token): string {
  return t.kind === 'string' ? `string '${t.text}'` : `'${t.text}'`;
}

/** Compiles an expression; throws InputError when it is not govaluate syntax. */
export function compileGovaluate(expression: string): GovaluateExpression {
  const parser = new Parser(lex(expression), expression);
  const root = parser.parse();
  return {
    source: expression,
    vars: parser.vars,
    evaluate: (parameters) => evaluate(root, parameters),
  };
}

/** A value as Go's `%v` prints it. */
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

/** A float64 as Go's `%v` (shortest `%g`, exponent below 1e-4 and from 1e21). */
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

function sanitize(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  return value === undefined ? null : value;
}

function typeError(
  format: 'logical' | 'modifier' | 'comparator' | 'ternary',
  value: unknown,
  op: string,
): InputError {
  const why =
    format === 'logical' || format === 'ternary' ? 'it is not a bool' : 'it is not a number';
  const what =
    format === 'logical' ? 'logical operator' : format === 'ternary' ? 'ternary operator' : format;
  return new InputError(
    `Value '${goValueText(value)}' cannot be used with the ${what} '${op === '==' ? '=' : op}', ${why}`,
  );
}

const isNum = (v: unknown): v is number => typeof v === 'number';
const isStr = (v: unknown): v is string => typeof v === 'string';
const isBool = (v: unknown): v is boolean => typeof v === 'boolean';
const toInt = (n: number): bigint =>
  BigInt.asIntN(64, BigInt(Math.trunc(Number.isFinite(n) ? n : 0)));
const toUint = (n: number): bigint =>
  BigInt.asUintN(64, BigInt(Math.trunc(Number.isFinite(n) ? n : 0)));

function evaluate(node: Node, params: Readonly<Record<string, unknown>>): unknown {
  switch (node.type) {
    case 'literal':
      return node.value;
    case 'variable': {
      if (!Object.hasOwn(params, node.name))
        throw new InputError(`No parameter '${node.name}' found.`);
      return sanitize(params[node.name]);
    }
    case 'accessor': {
      const [head, next] = node.parts as [string, string];
      if (!Object.hasOwn(params, head)) throw new InputError(`No parameter '${head}' found.`);
      throw new InputError(`Unable to access '${next}', '${head}' is not a struct`);
    }
    case 'prefix': {
      const value = evaluate(node.operand, params);
      if (node.op === '!') {
        if (!isBool(value))
          throw new InputError(`Value '${goValueText(value)}' cannot be used with the prefix '!'`);
        return !value;
      }
      if (!isNum(value))
        throw new InputError(
          `Value '${goValueText(value)}' cannot be used with the prefix '${node.op}'`,
        );
      return node.op === '-' ? -value : Number(BigInt.asIntN(64, ~toInt(value)));
    }
    case 'binary':
      return binary(node.op, node.left, node.right, params);
  }
}

function binary(
  op: string,
  leftNode: Node,
  rightNode: Node,
  params: Readonly<Record<string, unknown>>,
): unknown {
  const left = evaluate(leftNode, params);
  switch (op) {
    case '&&':
    case '||': {
      if (op === '&&' && left === false) return false;
      if (op === '||' && left === true) return true;
      const right = evaluate(rightNode, params);
      if (!isBool(left)) throw typeError('logical', left, op);
      if (!isBool(right)) throw typeError('logical', right, op);
      return right;
    }
    case '??':
      return left !== null ? left : evaluate(rightNode, params);
    case '?': {
      if (!isBool(left)) throw typeError('ternary', left, op);
      return left ? evaluate(rightNode, params) : null;
    }
    case ':':
      return left !== null ? left : evaluate(rightNode, params);
  }
  const right = evaluate(rightNode, params);
  switch (op) {
    case ',':
      return Array.isArray(left) ? [...(left as unknown[]), right] : [left, right];
    case '==':
      return deepEqual(left, right);
    case '!=':
      return !deepEqual(left, right);
    case '>':
    case '<':
    case '>=':
    case '<=': {
      const ok = (isNum(left) && isNum(right)) || (isStr(left) && isStr(right));
      if (!ok) throw typeError('comparator', left, op);
      const l = left as number | string;
      const r = right as number | string;
      if (isStr(l) && isStr(r)) {
        const c = Buffer.compare(Buffer.from(l), Buffer.from(r));
        return op === '>' ? c > 0 : op === '<' ? c < 0 : op === '>=' ? c >= 0 : c <= 0;
      }
      return op === '>' ? l > r : op === '<' ? l < r : op === '>=' ? l >= r : l <= r;
    }
    case '=~':
    case '!~': {
      if (!isStr(left)) throw typeError('comparator', left, op);
      if (!isStr(right)) throw typeError('comparator', right, op);
      let pattern: RegExp;
      try {
        pattern = goRegExp(right);
      } catch (err) {
        throw new InputError(
          `Unable to compile regexp pattern '${right}': ${err instanceof Error ? err.message : String(err)}`,
        );
      }
      const found = pattern.test(left);
      return op === '=~' ? found : !found;
    }
    case 'in': {
      if (!Array.isArray(right)) throw typeError('comparator', right, op);
      return right.some((v) => v === left);
    }
    case '+':
      if (isNum(left) && isNum(right)) return left + right;
      if (!isStr(left) && !isStr(right)) throw typeError('modifier', left, op);
      return `${goValueText(left)}${goValueText(right)}`;
  }
  if (!isNum(left)) throw typeError('modifier', left, op);
  if (!isNum(right)) throw typeError('modifier', right, op);
  switch (op) {
    case '-':
      return left - right;
    case '*':
      return left * right;
    case '/':
      return left / right;
    case '%':
      return left % right;
    case '**':
      return left ** right;
    case '&':
      return Number(toInt(left) & toInt(right));
    case '|':
      return Number(toInt(left) | toInt(right));
    case '^':
      return Number(toInt(left) ^ toInt(right));
    case '<<':
      return Number(BigInt.asUintN(64, toUint(left) << toUint(right)));
    case '>>':
      return Number(toUint(left) >> toUint(right));
    default:
      throw new InputError(`unknown operator '${op}'`);
  }
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  if (
    a &&
    b &&
    typeof a === 'object' &&
    typeof b === 'object' &&
    !Array.isArray(a) &&
    !Array.isArray(b)
  ) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return (
      ka.length === kb.length &&
      ka.every(
        (k) =>
          Object.hasOwn(b, k) &&
          deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
      )
    );
  }
  return false;
}
