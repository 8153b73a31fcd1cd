import { createHash, randomInt } from 'node:crypto';
import { fn } from './builtins.js';
import { FuncError, type GoFunc } from './exec.js';
import { sprintf } from './format.js';
import { formatValue, kindOf, type GoMap, type GoValue } from './value.js';

/** sprig's strval: a string as is, anything else as `%v` prints it. */
export function strval(v: GoValue): string {
  return kindOf(v) === 'string' ? (v as string) : formatValue(v ?? null);
}

/** sprig's strslice: a list's non-nil items as strings; a lone value as a one-item list. */
export function strslice(v: GoValue): string[] {
  if (v === null || v === undefined) return [];
  if (Array.isArray(v)) return v.filter((x) => x !== null && x !== undefined).map(strval);
  return [strval(v)];
}

const s = (v: GoValue): string => v as string;
const n = (v: GoValue): number => Number(v as bigint);

function title(text: string): string {
  let prev = ' ';
  let out = '';
  for (const ch of text) {
    const separator = !/[\p{L}\p{N}_]/u.test(prev);
    out += separator ? ch.toUpperCase() : ch;
    prev = ch;
  }
  return out;
}

function words(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

function wrap(width: number, text: string, newline: string): string {
  if (width < 1) width = 1;
  return text
    .split('\n')
    .map((line) => {
      const out: string[] = [];
      let current = '';
      for (const word of line.split(' ').filter(Boolean)) {
        if (current && current.length + 1 + word.length > width) {
          out.push(current);
          current = word;
        } else {
          current = current ? `${current} ${word}` : word;
        }
      }
      if (current) out.push(current);
      return out.join(newline);
    })
    .join('\n');
}

function randomString(count: number, alphabet: string): string {
  let out = '';
  for (let i = 0; i < count; i++) out += alphabet[randomInt(alphabet.length)] ?? '';
  return out;
}

const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const digits = '0123456789';

/** Go's regexp syntax is RE2; JavaScript's is close for what templates use. Named groups differ: `(?P<n>` → `(?<n>`. */
export function goRegExp(pattern: string, flags = ''): RegExp {
  try {
    return new RegExp(pattern.replace(/\(\?P</g, '(?<'), `u${flags}`);
  } catch (err) {
    throw new FuncError(`error parsing regexp: ${(err as Error).message}`);
  }
}

function expandGo(repl: string): string {
  return repl.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a: string | undefined, b: string | undefined) => {
    const name = a ?? b ?? '';
    return /^\d+$/.test(name) ? `$${name}` : `$<${name}>`;
  });
}

function toStringMap(parts: string[]): GoMap {
  const out: GoMap = {};
  parts.forEach((p, i) => (out[`_${i}`] = p));
  return out;
}

function splitN(text: string, sep: string, limit: number): string[] {
  if (limit === 0) return [];
  const parts = text.split(sep);
  if (limit < 0 || parts.length <= limit) return parts;
  return [...parts.slice(0, limit - 1), parts.slice(limit - 1).join(sep)];
}

function hash(algo: string, text: string): string {
  return createHash(algo).update(text).digest('hex');
}

function adler32(text: string): string {
  let a = 1;
  let b = 0;
  for (const byte of Buffer.from(text)) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return String(((b << 16) | a) >>> 0);
}

function base32(bytes: Buffer): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  while (out.length % 8 !== 0) out += '=';
  return out;
}

function base32Decode(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const clean = text.replace(/=+$/, '');
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const ch of clean) {
    const i = alphabet.indexOf(ch);
    if (i < 0) throw new Error(`illegal base32 data at input byte ${clean.indexOf(ch)}`);
    value = (value << 5) | i;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** sprig's string, encoding and regular expression functions. */
export const sprigStrings: [string, GoFunc][] = [
  ['upper', fn(['string'], (v) => s(v).toUpperCase())],
  ['lower', fn(['string'], (v) => s(v).toLowerCase())],
  ['title', fn(['string'], (v) => title(s(v)))],
  [
    'untitle',
    fn(['string'], (v) =>
      s(v).replace(/(^|[^\p{L}\p{N}_])(\p{L})/gu, (_, a: string, b: string) => a + b.toLowerCase()),
    ),
  ],
  [
    'swapcase',
    fn(['string'], (v) =>
      [...s(v)].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join(''),
    ),
  ],
  ['trim', fn(['string'], (v) => s(v).trim())],
  [
    'trimAll',
    fn(['string', 'string'], (cut, v) => {
      const set = new Set(s(cut));
      const chars = [...s(v)];
      let a = 0;
      let b = chars.length;
      while (a < b && set.has(chars[a] as string)) a++;
      while (b > a && set.has(chars[b - 1] as string)) b--;
      return chars.slice(a, b).join('');
    }),
  ],
  [
    'trimPrefix',
    fn(['string', 'string'], (p, v) => (s(v).startsWith(s(p)) ? s(v).slice(s(p).length) : s(v))),
  ],
  [
    'trimSuffix',
    fn(['string', 'string'], (x, v) =>
      s(x) && s(v).endsWith(s(x)) ? s(v).slice(0, -s(x).length) : s(v),
    ),
  ],
  ['nospace', fn(['string'], (v) => s(v).replace(/\s+/gu, ''))],
  ['repeat', fn(['int', 'string'], (c, v) => s(v).repeat(Math.max(0, n(c))))],
  [
    'substr',
    fn(['int', 'int', 'string'], (a, b, v) => {
      const text = s(v);
      if (n(a) < 0) return text.slice(0, n(b));
      if (n(b) < 0 || n(b) > text.length) return text.slice(n(a));
      return text.slice(n(a), n(b));
    }),
  ],
  [
    'trunc',
    fn(['int', 'string'], (c, v) => {
      const text = s(v);
      const count = n(c);
      if (count < 0 && text.length + count > 0) return text.slice(text.length + count);
      if (count >= 0 && text.length > count) return text.slice(0, count);
      return text;
    }),
  ],
  [
    'abbrev',
    fn(['int', 'string'], (w, v) => {
      const text = s(v);
      const width = n(w);
      if (width < 4 || text.length <= width) return text;
      return `${text.slice(0, width - 3)}...`;
    }),
  ],
  [
    'initials',
    fn(['string'], (v) =>
      s(v)
        .split(/\s+/)
        .filter(Boolean)
        .map((w) => [...w][0])
        .join(''),
    ),
  ],
  ['wrap', fn(['int', 'string'], (w, v) => wrap(n(w), s(v), '\n'))],
  ['wrapWith', fn(['int', 'string', 'string'], (w, nl, v) => wrap(n(w), s(v), s(nl)))],
  ['contains', fn(['string', 'string'], (sub, v) => s(v).includes(s(sub)))],
  ['hasPrefix', fn(['string', 'string'], (p, v) => s(v).startsWith(s(p)))],
  ['hasSuffix', fn(['string', 'string'], (x, v) => s(v).endsWith(s(x)))],
  [
    'quote',
    fn(
      [],
      (...args) =>
        args
          .filter((a) => a !== null && a !== undefined)
          .map((a) => sprintf('%q', [strval(a)]))
          .join(' '),
      'any',
    ),
  ],
  [
    'squote',
    fn(
      [],
      (...args) =>
        args
          .filter((a) => a !== null && a !== undefined)
          .map((a) => `'${strval(a)}'`)
          .join(' '),
      'any',
    ),
  ],
  [
    'cat',
    fn(
      [],
      (...args) =>
        args
          .filter((a) => a !== null && a !== undefined)
          .map(strval)
          .join(' '),
      'any',
    ),
  ],
  [
    'indent',
    fn(['int', 'string'], (c, v) => {
      const pad = ' '.repeat(Math.max(0, n(c)));
      return pad + s(v).replaceAll('\n', `\n${pad}`);
    }),
  ],
  [
    'nindent',
    fn(['int', 'string'], (c, v) => {
      const pad = ' '.repeat(Math.max(0, n(c)));
      return `\n${pad}${s(v).replaceAll('\n', `\n${pad}`)}`;
    }),
  ],
  ['replace', fn(['string', 'string', 'string'], (a, b, v) => s(v).replaceAll(s(a), s(b)))],
  ['plural', fn(['string', 'string', 'int'], (one, many, c) => (n(c) === 1 ? s(one) : s(many)))],
  [
    'snakecase',
    fn(['string'], (v) =>
      words(s(v))
        .map((w) => w.toLowerCase())
        .join('_'),
    ),
  ],
  [
    'kebabcase',
    fn(['string'], (v) =>
      words(s(v))
        .map((w) => w.toLowerCase())
        .join('-'),
    ),
  ],
  [
    'camelcase',
    fn(['string'], (v) =>
      s(v)
        .split('_')
        .map((w) => (w ? (w[0] ?? '').toUpperCase() + w.slice(1) : ''))
        .join(''),
    ),
  ],
  [
    'shuffle',
    fn(['string'], (v) => {
      const chars = [...s(v)];
      for (let i = chars.length - 1; i > 0; i--) {
        const j = randomInt(i + 1);
        [chars[i], chars[j]] = [chars[j] as string, chars[i] as string];
      }
      return chars.join('');
    }),
  ],
  ['randAlphaNum', fn(['int'], (c) => randomString(n(c), letters + digits))],
  ['randAlpha', fn(['int'], (c) => randomString(n(c), letters))],
  ['randNumeric', fn(['int'], (c) => randomString(n(c), digits))],
  [
    'randAscii',
    fn(['int'], (c) =>
      randomString(
        n(c),
        Array.from({ length: 94 }, (_, i) => String.fromCharCode(33 + i)).join(''),
      ),
    ),
  ],
  ['split', fn(['string', 'string'], (sep, v) => toStringMap(s(v).split(s(sep))))],
  ['splitList', fn(['string', 'string'], (sep, v) => s(v).split(s(sep)))],
  [
    'splitn',
    fn(['string', 'int', 'string'], (sep, c, v) => toStringMap(splitN(s(v), s(sep), n(c)))),
  ],
  ['join', fn(['string', 'any'], (sep, v) => strslice(v).join(s(sep)))],
  ['sortAlpha', fn(['any'], (v) => strslice(v).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)))],
  ['toString', fn(['any'], (v) => strval(v))],
  ['toStrings', fn(['any'], (v) => strslice(v))],
  ['b64enc', fn(['string'], (v) => Buffer.from(s(v)).toString('base64'))],
  [
    'b64dec',
    fn(['string'], (v) => {
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s(v)) || s(v).length % 4 !== 0)
        return 'illegal base64 data at input byte 0';
      return Buffer.from(s(v), 'base64').toString();
    }),
  ],
  ['b32enc', fn(['string'], (v) => base32(Buffer.from(s(v))))],
  [
    'b32dec',
    fn(['string'], (v) => {
      try {
        return base32Decode(s(v)).toString();
      } catch (err) {
        return (err as Error).message;
      }
    }),
  ],
  ['sha1sum', fn(['string'], (v) => hash('sha1', s(v)))],
  ['sha256sum', fn(['string'], (v) => hash('sha256', s(v)))],
  ['sha512sum', fn(['string'], (v) => hash('sha512', s(v)))],
  ['adler32sum', fn(['string'], (v) => adler32(s(v)))],
  ['regexMatch', fn(['string', 'string'], (re, v) => goRegExp(s(re)).test(s(v)))],
  ['regexFind', fn(['string', 'string'], (re, v) => goRegExp(s(re)).exec(s(v))?.[0] ?? '')],
  [
    'regexFindAll',
    fn(['string', 'string', 'int'], (re, v, c) => {
      const all = [...s(v).matchAll(goRegExp(s(re), 'g'))].map((m) => m[0]);
      return n(c) < 0 ? all : all.slice(0, n(c));
    }),
  ],
  [
    'regexReplaceAll',
    fn(['string', 'string', 'string'], (re, v, repl) =>
      s(v).replace(goRegExp(s(re), 'g'), expandGo(s(repl))),
    ),
  ],
  [
    'regexReplaceAllLiteral',
    fn(['string', 'string', 'string'], (re, v, repl) =>
      s(v).replace(goRegExp(s(re), 'g'), () => s(repl)),
    ),
  ],
  [
    'regexSplit',
    fn(['string', 'string', 'int'], (re, v, c) => {
      const parts = s(v).split(goRegExp(s(re), 'g'));
      const limit = n(c);
      if (limit < 0 || parts.length <= limit) return parts;
      return parts.slice(0, limit);
    }),
  ],
  ['regexQuoteMeta', fn(['string'], (v) => s(v).replace(/[\\.+*?()|[\]{}^$]/g, '\\$&'))],
  ['hello', fn([], () => 'Hello!')],
  [
    'uuidv4',
    fn([], () => {
      const b = Buffer.from(Array.from({ length: 16 }, () => randomInt(256)));
      b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
      b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
      const h = b.toString('hex');
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    }),
  ],
  [
    'toDecimal',
    fn(['any'], (v) => {
      const parsed = parseInt(strval(v), 8);
      return BigInt(Number.isNaN(parsed) ? 0 : parsed);
    }),
  ],
];
