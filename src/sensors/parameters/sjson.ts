import { InputError } from '../../errors/index.js';

/** A JSON value as JSON.parse returns it. */
export type JsonValue =
  null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

interface SetComponent {
  /** The key with escapes (and a leading `:`) removed. */
  key: string;
  /** A leading `:` makes a numeric key an object key. */
  force: boolean;
}

/**
 * Sets the value at an sjson path and returns the new document (the input is
 * not changed). Keys are dot-separated with `\` escapes; a numeric key indexes
 * an array (past its end pads with nulls), `-1` appends to an array, and `:`
 * forces a numeric key to be an object key. Missing objects and arrays are
 * created along the way, and a scalar in the way is replaced, as sjson does.
 * Paths with `|`, `#`, `@`, `*` or `?` (which sjson only applies to values
 * that exist) are refused with an InputError.
 */
export function sjsonSet(
  document: JsonValue | undefined,
  path: string,
  value: JsonValue,
): JsonValue {
  const components = parseSjsonPath(path);
  const copy = document === undefined ? undefined : structuredClone(document);
  return setIn(copy, components, value, path);
}

/** Splits an sjson path; throws InputError for an empty path or syntax Plinth does not write through. */
export function parseSjsonPath(path: string): SetComponent[] {
  if (path === '') throw new InputError('sjson path cannot be empty');
  const components: SetComponent[] = [];
  for (const raw of splitUnescaped(path)) {
    let force = false;
    let body = raw;
    if (body.startsWith(':')) {
      force = true;
      body = body.slice(1);
    }
    let key = '';
    for (let i = 0; i < body.length; i++) {
      const ch = body[i] as string;
      if (ch === '\\') {
        if (i + 1 < body.length) key += body[++i];
        continue;
      }
      if ('|#@*?'.includes(ch)) {
        throw new InputError(`sjson path "${path}": "${ch}" is not supported in a dest path`, {
          errors: [
            {
              field: 'dest',
              message: `unsupported character "${ch}" in "${path}"`,
              fix: `escape it as "\\${ch}" if it is part of a key`,
            },
          ],
        });
      }
      key += ch;
    }
    components.push({ key, force });
  }
  return components;
}

function splitUnescaped(path: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < path.length; i++) {
    const ch = path[i] as string;
    if (ch === '\\' && i + 1 < path.length) {
      current += ch + (path[++i] as string);
    } else if (ch === '.') {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts;
}

function indexOf(c: SetComponent): number | undefined {
  return !c.force && /^\d+$/.test(c.key) ? Number(c.key) : undefined;
}

function isAppend(c: SetComponent): boolean {
  return !c.force && c.key === '-1';
}

function isObject(v: JsonValue | undefined): v is { [key: string]: JsonValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function setIn(
  node: JsonValue | undefined,
  components: SetComponent[],
  value: JsonValue,
  path: string,
): JsonValue {
  const [head, ...rest] = components;
  if (head === undefined) return value;
  const index = indexOf(head);
  if (isObject(node) && Object.hasOwn(node, head.key)) {
    node[head.key] = setIn(node[head.key], rest, value, path);
    return node;
  }
  if (Array.isArray(node) && index !== undefined && index < node.length) {
    node[index] = setIn(node[index], rest, value, path);
    return node;
  }
  let container: JsonValue = node ?? null;
  if (!isObject(container) && !Array.isArray(container)) container = index !== undefined ? [] : {};
  if (isObject(container)) {
    container[head.key] = build(rest, value);
    return container;
  }
  if (index !== undefined) {
    while (container.length < index) container.push(null);
    container.push(build(rest, value));
    return container;
  }
  if (isAppend(head)) {
    container.push(build(rest, value));
    return container;
  }
  throw new InputError(
    `sjson path "${path}": cannot set array element for non-numeric key "${head.key}"`,
  );
}

/** Builds the missing part of a path: a numeric key makes an array padded with nulls, any other key an object. */
function build(components: SetComponent[], value: JsonValue): JsonValue {
  const [head, ...rest] = components;
  if (head === undefined) return value;
  const index = indexOf(head);
  if (index !== undefined || isAppend(head)) {
    const array: JsonValue[] = new Array<JsonValue>(index ?? 0).fill(null);
    array.push(build(rest, value));
    return array;
  }
  return { [head.key]: build(rest, value) };
}
