/**
 * The conditions of a resource template (`successCondition`,
 * `failureCondition`): Kubernetes label-selector syntax over the object's
 * fields, e.g. `status.phase == Succeeded`, `status.phase in (Failed, Error)`,
 * `status.succeeded > 0`, `!status.finishedAt`; requirements joined by
 * commas must all hold.
 */
export interface Requirement {
  path: string;
  op: '=' | '!=' | 'in' | 'notin' | '>' | '<' | 'exists' | '!';
  values: string[];
}

export function parseCondition(text: string): Requirement[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => parseRequirement(p.trim(), text));
}

function parseRequirement(text: string, whole: string): Requirement {
  const bad = (): never => {
    throw new Error(
      `invalid condition '${whole}': '${text}' is not 'path == value', 'path != value', 'path in (a, b)', 'path notin (a, b)', 'path > n', 'path < n', 'path' or '!path'`,
    );
  };
  let m = /^([^\s!=<>(),]+)\s*(==|=|!=|>|<)\s*([^\s(),]*)$/.exec(text);
  if (m) {
    const op = m[2] === '==' ? '=' : (m[2] as Requirement['op']);
    if ((op === '>' || op === '<') && !/^-?\d+$/.test(m[3] ?? '')) bad();
    return { path: m[1] ?? '', op, values: [m[3] ?? ''] };
  }
  m = /^([^\s!=<>(),]+)\s+(in|notin)\s*\(([^()]*)\)$/.exec(text);
  if (m) {
    const values = (m[3] ?? '').split(',').map((v) => v.trim());
    return { path: m[1] ?? '', op: m[2] as 'in' | 'notin', values };
  }
  m = /^(!?)([^\s!=<>(),]+)$/.exec(text);
  if (m) return { path: m[2] ?? '', op: m[1] ? '!' : 'exists', values: [] };
  return bad();
}

/** Whether every requirement holds for the object. */
export function matchesCondition(obj: Record<string, unknown>, reqs: Requirement[]): boolean {
  return reqs.every((r) => holds(fieldText(obj, r.path), r));
}

function holds(value: string | undefined, r: Requirement): boolean {
  switch (r.op) {
    case 'exists':
      return value !== undefined;
    case '!':
      return value === undefined;
    case '=':
      return value !== undefined && value === r.values[0];
    case '!=':
      return value !== r.values[0];
    case 'in':
      return value !== undefined && r.values.includes(value);
    case 'notin':
      return value === undefined || !r.values.includes(value);
    case '>':
    case '<': {
      if (value === undefined || !/^-?\d+$/.test(value)) return false;
      const a = Number(value);
      const b = Number(r.values[0]);
      return r.op === '>' ? a > b : a < b;
    }
  }
}

/** The field at a dotted path (array indexes as numbers), as text; undefined when absent. */
function fieldText(obj: unknown, path: string): string | undefined {
  let value: unknown = obj;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    if (Array.isArray(value)) value = /^\d+$/.test(key) ? value[Number(key)] : undefined;
    else value = Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
  }
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}
