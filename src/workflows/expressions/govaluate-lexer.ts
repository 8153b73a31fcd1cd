import { parseAny } from './gotime.js';
import { compileRegex } from './regex.js';
import { goFloat, isNil } from './values.js';

/**
 * govaluate's tokens, read as its lexer reads them: a bare word is a VARIABLE
 * (or an ACCESSOR with dots), a quoted string that reads as a date is a TIME,
 * a quoted string right of `=~`/`!~` is a PATTERN, compiled as it is read.
 * Argo Workflows' `when` and Argo Events' `exprs` filters both use it.
 */

export type Kind =
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

export interface Tok {
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

export const COMPARATORS = new Set(['==', '!=', '>', '>=', '<', '<=', '=~', '!~', 'in']);
const MODIFIERS = new Set(['+', '-', '*', '/', '%', '**', '&', '|', '^', '>>', '<<']);
const LOGICAL = new Set(['&&', '||']);
export const TERNARY = new Set(['?', ':', '??']);
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

export function printable(v: unknown): string {
  if (typeof v === 'number') return goFloat(v);
  if (Array.isArray(v)) return `[${v.map(printable).join(' ')}]`;
  if (isNil(v)) return '<nil>';
  if (typeof v === 'object' && 'pattern' in (v as object))
    return String((v as { pattern: string }).pattern);
  return String(v);
}

export function checkSyntax(tokens: Tok[]): void {
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

/** A regex right of `=~`: govaluate compiles a quoted pattern as it parses. */
export function compilePatterns(tokens: Tok[]): Tok[] {
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

/** The tokens of `text`, syntax checked; throws an Error with govaluate's wording. */
export function lexGovaluate(text: string): Tok[] {
  const tokens = new Lexer(text).tokens();
  checkSyntax(tokens);
  return compilePatterns(tokens);
}
