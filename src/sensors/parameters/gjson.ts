import { InputError } from '../../errors/index.js';

/** gjson's value types, spelled as gjson's `Type.String()` does (Argo compares against these names). */
export const GjsonType = {
  Null: 'Null',
  False: 'False',
  Number: 'Number',
  String: 'String',
  True: 'True',
  JSON: 'JSON',
} as const;
export type GjsonType = (typeof GjsonType)[keyof typeof GjsonType];

/** What a gjson path finds in a JSON text. */
export interface GjsonResult {
  exists: boolean;
  type: GjsonType;
  /** The value's JSON text, as it appears in the document (or built, for `#` and `#.key`). */
  raw: string;
  /** gjson's `String()`: a string unquoted, a number as written when it is an integer, an object or array as its raw text. */
  str: string;
}

const missing: GjsonResult = { exists: false, type: GjsonType.Null, raw: '', str: '' };

interface PathComponent {
  /** The component with escapes removed. */
  key: string;
  /** Set when the component has unescaped `*` or `?`. */
  pattern?: RegExp;
  /** True for an unescaped `#`. */
  count: boolean;
}

/**
 * Reads the value at a gjson path in a JSON text: dot-separated keys, array
 * indexes, `\` escapes, `*` and `?` wildcards in keys, `#` (an array's length)
 * and `#.key` (that key of every element). Queries `#(...)`, modifiers `@`,
 * pipes and multipaths are refused with an InputError.
 */
export function gjsonGet(json: string, path: string): GjsonResult {
  if (path === '') return missing;
  const components = parseGjsonPath(path);
  const start = skipWhitespace(json, 0);
  if (start >= json.length) return missing;
  return getAt(json, start, components);
}

/** Splits a gjson path into components; throws InputError for syntax Plinth does not read. */
export function parseGjsonPath(path: string): PathComponent[] {
  const components: PathComponent[] = [];
  let key = '';
  let source = '';
  let wild = false;
  const finish = (): void => {
    components.push({
      key,
      count: source === '#',
      ...(wild ? { pattern: globToRegExp(source) } : {}),
    });
    key = '';
    source = '';
    wild = false;
  };
  for (let i = 0; i < path.length; i++) {
    const ch = path[i] as string;
    if (ch === '\\' && i + 1 < path.length) {
      const next = path[++i] as string;
      key += next;
      source += `\\${next}`;
      continue;
    }
    if (ch === '.') {
      finish();
      continue;
    }
    if (
      ch === '|' ||
      ch === '@' ||
      ch === '!' ||
      (ch === '#' && (path[i + 1] === '(' || path[i + 1] === '['))
    ) {
      throw new InputError(
        `gjson path "${path}": "${ch}" (queries, modifiers, pipes, literals) is not supported`,
        {
          errors: [
            {
              field: 'dataKey',
              message: `unsupported gjson syntax in "${path}"`,
              fix: 'use dot paths, array indexes, # and wildcards',
            },
          ],
        },
      );
    }
    if ((ch === '[' || ch === '{') && i === 0) {
      throw new InputError(`gjson path "${path}": multipaths are not supported`);
    }
    if (ch === '*' || ch === '?') wild = true;
    key += ch;
    source += ch;
  }
  finish();
  return components;
}

function globToRegExp(source: string): RegExp {
  let re = '';
  for (let i = 0; i < source.length; i++) {
    const ch = source[i] as string;
    if (ch === '\\' && i + 1 < source.length) {
      re += escapeRegExp(source[++i] as string);
    } else if (ch === '*') {
      re += '[\\s\\S]*';
    } else if (ch === '?') {
      re += '[\\s\\S]';
    } else {
      re += escapeRegExp(ch);
    }
  }
  return new RegExp(`^${re}$`, 'u');
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

function getAt(json: string, start: number, components: readonly PathComponent[]): GjsonResult {
  const end = valueEnd(json, start);
  const [head, ...rest] = components;
  if (head === undefined) return resultOf(json.slice(start, end));
  const open = json[start];
  if (open === '{') {
    for (const entry of objectEntries(json, start)) {
      const hit = head.pattern ? head.pattern.test(entry.key) : entry.key === head.key;
      if (hit) return getAt(json, entry.start, rest);
    }
    return missing;
  }
  if (open === '[') {
    const items = [...arrayItems(json, start)];
    if (head.count) {
      if (rest.length === 0) {
        const n = String(items.length);
        return { exists: true, type: GjsonType.Number, raw: n, str: n };
      }
      const raws = items.map((item) => getAt(json, item, rest)).filter((r) => r.exists);
      const raw = `[${raws.map((r) => r.raw).join(',')}]`;
      return { exists: true, type: GjsonType.JSON, raw, str: raw };
    }
    if (!head.pattern && /^\d+$/.test(head.key)) {
      const item = items[Number(head.key)];
      return item === undefined ? missing : getAt(json, item, rest);
    }
  }
  return missing;
}

function resultOf(raw: string): GjsonResult {
  const first = raw[0];
  switch (first) {
    case '{':
    case '[':
      return { exists: true, type: GjsonType.JSON, raw, str: raw };
    case '"':
      return { exists: true, type: GjsonType.String, raw, str: JSON.parse(raw) as string };
    case 't':
      return { exists: true, type: GjsonType.True, raw, str: 'true' };
    case 'f':
      return { exists: true, type: GjsonType.False, raw, str: 'false' };
    case 'n':
      return { exists: true, type: GjsonType.Null, raw, str: '' };
    default:
      return { exists: true, type: GjsonType.Number, raw, str: numberString(raw) };
  }
}

/** gjson keeps an integer as written and prints any other number in plain decimal, shortest form. */
function numberString(raw: string): string {
  if (/^-?\d+$/.test(raw)) return raw;
  return plainDecimal(Number(raw));
}

function plainDecimal(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const text = String(n);
  const m = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!m) return text;
  const [, sign = '', int = '', frac = '', expText = '0'] = m;
  const digits = int + frac;
  const point = int.length + Number(expText);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

function skipWhitespace(json: string, i: number): number {
  while (i < json.length && ' \t\n\r'.includes(json[i] as string)) i++;
  return i;
}

/** The index just past the JSON value that starts at `i`. */
function valueEnd(json: string, i: number): number {
  const ch = json[i];
  if (ch === '"') return stringEnd(json, i);
  if (ch === '{' || ch === '[') {
    let depth = 0;
    for (let j = i; j < json.length; j++) {
      const c = json[j];
      if (c === '"') {
        j = stringEnd(json, j) - 1;
      } else if (c === '{' || c === '[') {
        depth++;
      } else if (c === '}' || c === ']') {
        depth--;
        if (depth === 0) return j + 1;
      }
    }
    return json.length;
  }
  let j = i;
  while (j < json.length && !',}] \t\n\r'.includes(json[j] as string)) j++;
  return j;
}

function stringEnd(json: string, i: number): number {
  for (let j = i + 1; j < json.length; j++) {
    const c = json[j];
    if (c === '\\') j++;
    else if (c === '"') return j + 1;
  }
  return json.length;
}

function* objectEntries(json: string, open: number): Generator<{ key: string; start: number }> {
  let i = skipWhitespace(json, open + 1);
  while (i < json.length && json[i] !== '}') {
    const keyEnd = stringEnd(json, i);
    const key = JSON.parse(json.slice(i, keyEnd)) as string;
    i = skipWhitespace(json, keyEnd);
    i = skipWhitespace(json, i + 1); // past ':'
    yield { key, start: i };
    i = skipWhitespace(json, valueEnd(json, i));
    if (json[i] === ',') i = skipWhitespace(json, i + 1);
  }
}

function* arrayItems(json: string, open: number): Generator<number> {
  let i = skipWhitespace(json, open + 1);
  while (i < json.length && json[i] !== ']') {
    yield i;
    i = skipWhitespace(json, valueEnd(json, i));
    if (json[i] === ',') i = skipWhitespace(json, i + 1);
  }
}
