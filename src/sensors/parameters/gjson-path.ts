import { InputError } from '../../errors/index.js';

/** A query's comparison, as gjson spells it (`==` and `=` are the same). */
export type QueryOp = '' | '=' | '!=' | '<' | '<=' | '>' | '>=' | '%' | '!%';

export interface Query {
  /** The path read from each element (empty: the element itself). */
  left: Step[];
  op: QueryOp;
  /** The right side: a string's content, or a literal's text. */
  value: string;
}

/** One step of a gjson path. */
export type Step =
  | { kind: 'key'; key: string; pattern?: RegExp }
  | { kind: 'count' }
  /** `#.`: the rest of the path (up to a pipe) is read from every element. */
  | { kind: 'each' }
  | { kind: 'query'; query: Query; all: boolean }
  | { kind: 'modifier'; name: string; arg?: string }
  | { kind: 'multi'; object: boolean; items: { key?: string; path: Step[] }[] }
  | { kind: 'literal'; raw: string }
  | { kind: 'pipe' };

const modifiers = new Set([
  'this',
  'reverse',
  'ugly',
  'pretty',
  'valid',
  'flatten',
  'join',
  'keys',
  'values',
  'tostr',
  'fromstr',
]);

function fail(path: string, message: string): never {
  throw new InputError(`gjson path "${path}": ${message}`, {
    errors: [{ field: 'path', message: `${message} in "${path}"`, fix: 'see gjson path syntax' }],
  });
}

/** The index just past a JSON value (or a balanced block) starting at `i` in a path. */
function blockEnd(path: string, i: number): number {
  const open = path[i];
  if (open === '"') {
    for (let j = i + 1; j < path.length; j++) {
      if (path[j] === '\\') j++;
      else if (path[j] === '"') return j + 1;
    }
    return fail(path, 'unterminated string');
  }
  if (open === '{' || open === '[' || open === '(') {
    let depth = 0;
    for (let j = i; j < path.length; j++) {
      const c = path[j];
      if (c === '"') j = blockEnd(path, j) - 1;
      else if (c === '{' || c === '[' || c === '(') depth++;
      else if (c === '}' || c === ']' || c === ')') {
        depth--;
        if (depth === 0) return j + 1;
      }
    }
    return fail(path, `unclosed "${open}"`);
  }
  let j = i;
  while (j < path.length && !'.|,}])'.includes(path[j] as string)) j++;
  return j;
}

function globToRegExp(source: string): RegExp {
  let re = '';
  for (let i = 0; i < source.length; i++) {
    const ch = source[i] as string;
    if (ch === '\\' && i + 1 < source.length) re += escapeRegExp(source[++i] as string);
    else if (ch === '*') re += '[\\s\\S]*';
    else if (ch === '?') re += '[\\s\\S]';
    else re += escapeRegExp(ch);
  }
  return new RegExp(`^${re}$`, 'u');
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/** gjson's pattern match for `%` queries: `*` any run, `?` any one character. */
export function matchPattern(text: string, pattern: string): boolean {
  return globToRegExp(pattern).test(text);
}

const ops = ['==', '!=', '<=', '>=', '!%', '=', '<', '>', '%'] as const;

function parseQuery(path: string, body: string): Query {
  // Find the operator outside strings and nested blocks.
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c === '"' || c === '(' || c === '[' || c === '{') {
      i = blockEnd(body, i) - 1;
      continue;
    }
    if (c === '\\') {
      i++;
      continue;
    }
    const op = ops.find((o) => body.startsWith(o, i));
    if (op === undefined) continue;
    const left = body.slice(0, i).trim();
    let value = body.slice(i + op.length).trim();
    if (value.startsWith('"')) {
      try {
        value = JSON.parse(value) as string;
      } catch {
        fail(path, `bad query value ${value}`);
      }
    }
    return { left: left ? parsePath(path, left) : [], op: op === '==' ? '=' : op, value };
  }
  const left = body.trim();
  return { left: left ? parsePath(path, left) : [], op: '', value: '' };
}

function parseMulti(path: string, text: string, object: boolean): Step {
  const inner = text.slice(1, -1);
  const items: { key?: string; path: Step[] }[] = [];
  let i = 0;
  while (i < inner.length) {
    while (inner[i] === ' ' || inner[i] === ',') i++;
    if (i >= inner.length) break;
    let key: string | undefined;
    if (object && inner[i] === '"') {
      const end = blockEnd(inner, i);
      if (inner[end] === ':') {
        key = JSON.parse(inner.slice(i, end)) as string;
        i = end + 1;
      }
    }
    let j = i;
    while (j < inner.length && inner[j] !== ',') {
      const c = inner[j] as string;
      if (c === '\\') j += 2;
      else if ('"([{'.includes(c)) j = blockEnd(inner, j);
      else j++;
    }
    const sub = inner.slice(i, j).trim();
    if (sub) items.push({ ...(key === undefined ? {} : { key }), path: parsePath(path, sub) });
    i = j + 1;
  }
  return { kind: 'multi', object, items };
}

/**
 * Parses a gjson path: dot-separated keys with `\` escapes and `*`/`?`
 * wildcards, array indexes, `#` (length) and `#.` (each element), queries
 * `#(...)` and `#(...)#`, modifiers `@name` and `@name:arg`, multipaths
 * `[a,b]` and `{a,"k":b}`, literals `!true`, and pipes `|`. Throws InputError
 * for a path gjson cannot read.
 */
export function parsePath(full: string, path: string = full): Step[] {
  const steps: Step[] = [];
  let i = 0;
  while (i < path.length) {
    const c = path[i] as string;
    if (c === '@' && /[a-z]/.test(path[i + 1] ?? '')) {
      let j = i + 1;
      while (j < path.length && /[A-Za-z]/.test(path[j] as string)) j++;
      const name = path.slice(i + 1, j);
      if (!modifiers.has(name)) fail(full, `unknown modifier @${name}`);
      let arg: string | undefined;
      if (path[j] === ':') {
        const end = blockEnd(path, j + 1);
        arg = path.slice(j + 1, end);
        j = end;
      }
      steps.push({ kind: 'modifier', name, ...(arg === undefined ? {} : { arg }) });
      i = j;
    } else if (
      (c === '[' || c === '{') &&
      (i === 0 || path[i - 1] === '.' || path[i - 1] === '|')
    ) {
      const end = blockEnd(path, i);
      steps.push(parseMulti(full, path.slice(i, end), c === '{'));
      i = end;
    } else if (c === '!' && (i === 0 || path[i - 1] === '.' || path[i - 1] === '|')) {
      const end = blockEnd(path, i + 1);
      const raw = path.slice(i + 1, end);
      try {
        JSON.parse(raw);
      } catch {
        fail(full, `bad literal ${raw}`);
      }
      steps.push({ kind: 'literal', raw });
      i = end;
    } else if (c === '#' && path[i + 1] === '(') {
      const end = blockEnd(path, i + 1);
      const query = parseQuery(full, path.slice(i + 2, end - 1));
      const all = path[end] === '#';
      steps.push({ kind: 'query', query, all });
      i = all ? end + 1 : end;
    } else if (c === '#' && (i + 1 === path.length || path[i + 1] === '.' || path[i + 1] === '|')) {
      if (path[i + 1] === '.') {
        steps.push({ kind: 'each' });
        i += 2;
        continue;
      }
      steps.push({ kind: 'count' });
      i++;
    } else {
      let key = '';
      let source = '';
      let wild = false;
      while (i < path.length && path[i] !== '.' && path[i] !== '|') {
        const ch = path[i] as string;
        if (ch === '\\' && i + 1 < path.length) {
          key += path[i + 1];
          source += `\\${path[i + 1] ?? ''}`;
          i += 2;
          continue;
        }
        if (ch === '*' || ch === '?') wild = true;
        key += ch;
        source += ch;
        i++;
      }
      steps.push({ kind: 'key', key, ...(wild ? { pattern: globToRegExp(source) } : {}) });
    }
    if (path[i] === '|') {
      steps.push({ kind: 'pipe' });
      i++;
    } else if (path[i] === '.') {
      i++;
    } else if (i < path.length) {
      fail(full, `unexpected "${path[i] ?? ''}"`);
    }
  }
  return steps;
}
