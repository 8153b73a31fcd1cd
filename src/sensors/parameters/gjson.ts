import { matchPattern, parsePath, type Query, type QueryOp, type Step } from './gjson-path.js';
import { arrayItems, compact, objectEntries, skipWhitespace, valueEnd } from './gjson-scan.js';

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

/**
 * Reads the value at a gjson path in a JSON text, with gjson's whole path
 * syntax (see parseGjsonPath). Raw results are slices of the document, or
 * built from slices for `#`, queries, modifiers and multipaths.
 */
export function gjsonGet(json: string, path: string): GjsonResult {
  if (path === '') return missing;
  const steps = parsePath(path);
  const start = skipWhitespace(json, 0);
  if (start >= json.length) return missing;
  const raw = run(json.slice(start, valueEnd(json, start)), steps);
  return raw === undefined ? missing : resultOf(raw);
}

/** Checks a gjson path's syntax; throws InputError naming what gjson cannot read. */
export function parseGjsonPath(path: string): unknown {
  return parsePath(path);
}

function run(raw: string, steps: readonly Step[]): string | undefined {
  let current = raw;
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i] as Step;
    if (step.kind === 'pipe') continue;
    if (step.kind === 'each' || (step.kind === 'query' && step.all)) {
      if (current[0] !== '[') return undefined;
      let elements = items(current);
      if (step.kind === 'query') elements = elements.filter((e) => matches(e, step.query));
      let end = steps.findIndex((s, j) => j > i && s.kind === 'pipe');
      if (end === -1) end = steps.length;
      const rest = steps.slice(i + 1, end);
      const results = elements.map((e) => run(e, rest)).filter((r) => r !== undefined);
      current = `[${results.join(',')}]`;
      i = end - 1;
      continue;
    }
    const next = apply(current, step);
    if (next === undefined) return undefined;
    current = next;
  }
  return current;
}

function items(raw: string): string[] {
  return [...arrayItems(raw, 0)].map((i) => raw.slice(i, valueEnd(raw, i)));
}

function entries(raw: string): [string, string][] {
  return [...objectEntries(raw, 0)].map((e) => [e.key, raw.slice(e.start, valueEnd(raw, e.start))]);
}

function apply(raw: string, step: Step): string | undefined {
  switch (step.kind) {
    case 'key': {
      if (raw[0] === '{') {
        for (const [key, value] of entries(raw)) {
          if (step.pattern ? step.pattern.test(key) : key === step.key) return value;
        }
        return undefined;
      }
      if (raw[0] === '[' && !step.pattern && /^\d+$/.test(step.key))
        return items(raw)[Number(step.key)];
      return undefined;
    }
    case 'count':
      return raw[0] === '[' ? String(items(raw).length) : undefined;
    case 'query':
      return raw[0] === '[' ? items(raw).find((e) => matches(e, step.query)) : undefined;
    case 'literal':
      return step.raw;
    case 'modifier':
      return modify(raw, step.name, step.arg);
    case 'multi': {
      const parts: string[] = [];
      for (const item of step.items) {
        const value = run(raw, item.path);
        if (value === undefined) continue;
        if (!step.object) parts.push(value);
        else parts.push(`${JSON.stringify(item.key ?? lastKey(item.path))}:${value}`);
      }
      return step.object ? `{${parts.join(',')}}` : `[${parts.join(',')}]`;
    }
    default:
      return undefined;
  }
}

function lastKey(path: readonly Step[]): string {
  for (let i = path.length - 1; i >= 0; i--) {
    const step = path[i] as Step;
    if (step.kind === 'key') return step.key;
    if (step.kind === 'count') return '#';
    if (step.kind === 'modifier') return `@${step.name}`;
  }
  return '_';
}

function matches(element: string, query: Query): boolean {
  const raw = query.left.length ? run(element, query.left) : element;
  if (raw === undefined) return false;
  if (query.op === '') return true;
  const value = resultOf(raw);
  const rpv = query.value;
  switch (value.type) {
    case GjsonType.String:
      return compare(value.str, rpv, query.op);
    case GjsonType.Number: {
      const n = Number(raw);
      const r = Number(rpv);
      if (query.op === '%' || query.op === '!%') return false;
      return compare(n, Number.isNaN(r) ? 0 : r, query.op);
    }
    case GjsonType.True:
      return (
        (query.op === '=' && rpv === 'true') ||
        (query.op === '!=' && rpv !== 'true') ||
        (query.op === '>' && rpv === 'false') ||
        query.op === '>='
      );
    case GjsonType.False:
      return (
        (query.op === '=' && rpv === 'false') ||
        (query.op === '!=' && rpv !== 'false') ||
        (query.op === '<' && rpv === 'true') ||
        query.op === '<='
      );
    default:
      return false;
  }
}

function compare<T extends string | number>(a: T, b: T, op: QueryOp): boolean {
  switch (op) {
    case '=':
      return a === b;
    case '!=':
      return a !== b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '%':
      return matchPattern(String(a), String(b));
    case '!%':
      return !matchPattern(String(a), String(b));
    default:
      return false;
  }
}

function modify(raw: string, name: string, arg: string | undefined): string | undefined {
  switch (name) {
    case 'this':
      return raw;
    case 'reverse':
      if (raw[0] === '[') return `[${items(raw).reverse().join(',')}]`;
      if (raw[0] === '{')
        return `{${entries(raw)
          .reverse()
          .map(([k, v]) => `${JSON.stringify(k)}:${v}`)
          .join(',')}}`;
      return raw;
    case 'ugly':
      return compact(raw);
    case 'pretty':
      try {
        return `${JSON.stringify(JSON.parse(raw), null, 2)}\n`;
      } catch {
        return raw;
      }
    case 'valid':
      try {
        JSON.parse(raw);
        return raw;
      } catch {
        return undefined;
      }
    case 'flatten': {
      if (raw[0] !== '[') return raw;
      const deep = arg !== undefined && /"deep"\s*:\s*true/.test(arg);
      const flat = (list: string[]): string[] =>
        list.flatMap((e) => (e[0] === '[' ? (deep ? flat(items(e)) : items(e)) : [e]));
      return `[${flat(items(raw)).join(',')}]`;
    }
    case 'join': {
      if (raw[0] !== '[') return raw;
      const merged = new Map<string, string>();
      for (const e of items(raw))
        if (e[0] === '{') for (const [k, v] of entries(e)) merged.set(k, v);
      return `{${[...merged].map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`;
    }
    case 'keys':
      if (raw[0] === '{')
        return `[${entries(raw)
          .map(([k]) => JSON.stringify(k))
          .join(',')}]`;
      return raw[0] === '[' ? '[]' : undefined;
    case 'values':
      if (raw[0] === '{')
        return `[${entries(raw)
          .map(([, v]) => v)
          .join(',')}]`;
      return raw[0] === '[' ? raw : undefined;
    case 'tostr':
      return JSON.stringify(raw);
    case 'fromstr':
      if (raw[0] !== '"') return undefined;
      try {
        const text = JSON.parse(raw) as string;
        JSON.parse(text);
        return text.trim();
      } catch {
        return undefined;
      }
    default:
      return undefined;
  }
}
export function resultOf(raw: string): GjsonResult {
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
