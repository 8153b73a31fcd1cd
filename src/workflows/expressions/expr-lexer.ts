import { expressionError } from './limits.js';

/** Token kinds of the expr language. */
export const TokenKind = {
  Identifier: 'Identifier',
  Number: 'Number',
  String: 'String',
  Operator: 'Operator',
  Bracket: 'Bracket',
  EOF: 'EOF',
} as const;
export type TokenKind = (typeof TokenKind)[keyof typeof TokenKind];

export interface Token {
  kind: TokenKind;
  value: string;
  /** Offset in the source, for messages. */
  pos: number;
}

const WORD_OPERATORS = new Set([
  'in',
  'or',
  'and',
  'matches',
  'contains',
  'startsWith',
  'endsWith',
  'let',
  'if',
  'else',
]);
const NEGATABLE = new Set(['in', 'matches', 'contains', 'startsWith', 'endsWith']);

const isAlnum = (c: string | undefined): boolean => c !== undefined && /^[\p{L}\p{Nd}_$]$/u.test(c);
const isSpace = (c: string | undefined): boolean => c !== undefined && /^\s$/u.test(c);

/** Splits expr source into tokens; throws a typed syntax error on a bad character or literal. */
export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  const chars = [...src];
  let i = 0;
  const at = (k: number): string | undefined => chars[k];
  const push = (kind: TokenKind, value: string, pos: number): void => {
    out.push({ kind, value, pos });
  };
  const fail = (msg: string, pos: number): never => {
    throw expressionError(`${msg} (1:${pos + 1})`, 'syntax');
  };

  while (i < chars.length) {
    const c = chars[i] as string;
    const start = i;
    if (isSpace(c)) {
      i++;
    } else if (c === '/' && at(i + 1) === '/') {
      while (i < chars.length && chars[i] !== '\n') i++;
    } else if (c === '/' && at(i + 1) === '*') {
      i += 2;
      while (i < chars.length && !(chars[i] === '*' && at(i + 1) === '/')) i++;
      if (i >= chars.length) fail('unclosed comment', start);
      i += 2;
    } else if (c === '"' || c === "'") {
      i++;
      let raw = '';
      while (i < chars.length && chars[i] !== c) {
        if (chars[i] === '\\') {
          raw += chars[i++] ?? '';
          if (i >= chars.length) break;
        }
        raw += chars[i++];
      }
      if (i >= chars.length) fail('literal not terminated', start);
      i++;
      push(TokenKind.String, unescape(raw, start), start);
    } else if (c === '`') {
      i++;
      let raw = '';
      while (i < chars.length && chars[i] !== '`') raw += chars[i++];
      if (i >= chars.length) fail('literal not terminated', start);
      i++;
      push(TokenKind.String, raw, start);
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(at(i + 1) ?? ''))) {
      i = scanNumber(chars, i, fail);
      push(TokenKind.Number, chars.slice(start, i).join(''), start);
    } else if (c === '?') {
      i++;
      if (at(i) === '.' || at(i) === '?') i++;
      push(TokenKind.Operator, chars.slice(start, i).join(''), start);
    } else if (c === '#') {
      i++;
      push(TokenKind.Operator, '#', start);
      const s = i;
      while (isAlnum(at(i))) i++;
      if (i > s) push(TokenKind.Identifier, chars.slice(s, i).join(''), s);
    } else if (c === '|' || c === ':') {
      i++;
      if (at(i) === c) i++;
      push(TokenKind.Operator, chars.slice(start, i).join(''), start);
    } else if ('([{'.includes(c) || ')]}'.includes(c)) {
      i++;
      push(TokenKind.Bracket, c, start);
    } else if (',;%+-^/'.includes(c)) {
      i++;
      push(TokenKind.Operator, c, start);
    } else if ('&!=*<>'.includes(c)) {
      i++;
      if (at(i) !== undefined && '&=*'.includes(at(i) as string)) i++;
      push(TokenKind.Operator, chars.slice(start, i).join(''), start);
    } else if (c === '.') {
      i++;
      if (at(i) === '.') i++;
      push(TokenKind.Operator, chars.slice(start, i).join(''), start);
    } else if (isAlnum(c)) {
      while (isAlnum(at(i))) i++;
      const word = chars.slice(start, i).join('');
      if (word === 'not') {
        push(TokenKind.Operator, 'not', start);
        let j = i;
        while (isSpace(at(j))) j++;
        const s = j;
        while (isAlnum(at(j))) j++;
        const next = chars.slice(s, j).join('');
        if (NEGATABLE.has(next)) {
          push(TokenKind.Operator, next, s);
          i = j;
        }
      } else {
        push(WORD_OPERATORS.has(word) ? TokenKind.Operator : TokenKind.Identifier, word, start);
      }
    } else {
      fail(
        `unrecognized character: U+${c.codePointAt(0)?.toString(16).toUpperCase().padStart(4, '0')} '${c}'`,
        start,
      );
    }
  }
  out.push({ kind: TokenKind.EOF, value: '', pos: chars.length });
  return out;
}

function scanNumber(chars: string[], i: number, fail: (m: string, p: number) => never): number {
  const start = i;
  let digits = /[0-9_]/;
  if (chars[i] === '0' && /[xXoObB]/.test(chars[i + 1] ?? '')) {
    const p = (chars[i + 1] ?? '').toLowerCase();
    digits = p === 'x' ? /[0-9a-fA-F_]/ : p === 'o' ? /[0-7_]/ : /[01_]/;
    i += 2;
  }
  while (i < chars.length && digits.test(chars[i] as string)) i++;
  if (chars[i] === '.' && chars[i + 1] !== '.') {
    i++;
    while (i < chars.length && digits.test(chars[i] as string)) i++;
  }
  if (chars[i] === 'e' || chars[i] === 'E') {
    i++;
    if (chars[i] === '+' || chars[i] === '-') i++;
    while (i < chars.length && digits.test(chars[i] as string)) i++;
  }
  if (isAlnum(chars[i])) fail(`bad number syntax: "${chars.slice(start, i + 1).join('')}"`, start);
  return i;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  "'": "'",
  '"': '"',
};

/** Resolves Go-style escapes in a quoted literal. */
function unescape(raw: string, pos: number): string {
  if (!raw.includes('\\')) return raw;
  let out = '';
  const cs = [...raw];
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i] as string;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = cs[++i] ?? '';
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) {
      out += simple;
      continue;
    }
    const width = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : /[0-7]/.test(e) ? 3 : 0;
    if (width === 0) throw expressionError(`invalid char escape (1:${pos + 1})`, 'syntax');
    const digits =
      e === 'x' || e === 'u' || e === 'U' ? cs.slice(i + 1, i + 1 + width) : cs.slice(i, i + 3);
    const text = digits.join('');
    const radix = /[0-7]/.test(e) ? 8 : 16;
    const re = radix === 8 ? /^[0-7]{3}$/ : new RegExp(`^[0-9a-fA-F]{${width}}$`);
    const code = Number.parseInt(text, radix);
    if (!re.test(text) || code > 0x10ffff) {
      throw expressionError(`invalid char escape (1:${pos + 1})`, 'syntax');
    }
    out += String.fromCodePoint(code);
    i += radix === 8 ? 2 : width;
  }
  return out;
}
