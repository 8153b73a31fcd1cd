import type { ManifestPath, ParsedDocument, SourcePosition } from '../catalog/index.js';
import { isObj } from './manifests.js';

/** A variable that a `{{...}}` tag reads. */
export interface VariableRef {
  /** `inputs.parameters`, `inputs.artifacts`, `workflow.parameters`, `steps` or `tasks`. */
  scope: 'inputs.parameters' | 'inputs.artifacts' | 'workflow.parameters' | 'steps' | 'tasks';
  /** The parameter, artifact, step or task name. */
  name: string;
  /** For a step or task, what is read of it, e.g. `outputs.parameters.region`. */
  field?: string;
  /** The whole tag, e.g. `{{inputs.parameters.region}}`. */
  tag: string;
  /** Where the tag starts in the string. */
  offset: number;
}

const tagPattern = /\{\{(=?)([^{}]*)\}\}/g;
const simplePattern =
  /^\s*(?:(inputs\.parameters|inputs\.artifacts|workflow\.parameters)\.([-\w]+)(?:\.[\w.-]+)?|(steps|tasks)\.([-\w]+)\.([\w.-]+))\s*$/;
const exprPattern =
  /(?<![\w.])(?:(inputs\.parameters|inputs\.artifacts|workflow\.parameters)|(steps|tasks))(?:\.(\w+)|\[\s*['"]([^'"]+)['"]\s*\])((?:\.\w+)*)/g;

/** The parameters, steps and tasks that the tags of `text` read. */
export function variableRefs(text: string): VariableRef[] {
  const refs: VariableRef[] = [];
  for (const m of text.matchAll(tagPattern)) {
    const [tag, expr, body = ''] = m;
    const offset = m.index;
    if (expr === '=') {
      for (const e of body.matchAll(exprPattern)) {
        const scope = (e[1] ?? e[2]) as VariableRef['scope'];
        const name = e[3] ?? e[4] ?? '';
        const field = e[5] ? e[5].slice(1) : undefined;
        refs.push({ scope, name, tag, offset, ...(field && e[2] ? { field } : {}) });
      }
      continue;
    }
    const s = simplePattern.exec(body);
    if (!s) continue;
    const scope = (s[1] ?? s[3]) as VariableRef['scope'];
    const field = s[5];
    refs.push({ scope, name: s[2] ?? s[4] ?? '', tag, offset, ...(field ? { field } : {}) });
  }
  return refs;
}

/** A string of a manifest with its path. */
export interface StringAt {
  text: string;
  path: ManifestPath;
}

/** Every string under `value`, skipping the subtrees whose key is in `skip`. */
export function stringsIn(
  value: unknown,
  path: ManifestPath,
  skip: ReadonlySet<string> = new Set(),
): StringAt[] {
  if (typeof value === 'string') return [{ text: value, path }];
  if (Array.isArray(value)) return value.flatMap((v, i) => stringsIn(v, [...path, i], skip));
  if (!isObj(value)) return [];
  return Object.entries(value).flatMap(([k, v]) =>
    skip.has(k) ? [] : stringsIn(v, [...path, k], skip),
  );
}

/**
 * Where the piece of a string that starts at `offset` is in the file: the
 * nth occurrence of `piece` from the string's start line, which holds for
 * plain, quoted and block scalars alike; the string's start otherwise.
 */
export function positionIn(
  doc: ParsedDocument,
  path: ManifestPath,
  lines: readonly string[],
  text: string,
  offset: number,
  piece: string,
): SourcePosition {
  const start = doc.locate(path);
  let nth = 0;
  for (let i = text.indexOf(piece); i >= 0 && i < offset; i = text.indexOf(piece, i + 1)) nth++;
  // A string spans at most its own lines plus a block scalar's header line.
  const last = Math.min(lines.length, start.line + text.split('\n').length);
  for (let line = start.line; line <= last; line++) {
    const source = lines[line - 1] ?? '';
    let from = line === start.line ? start.column - 1 : 0;
    for (let i = source.indexOf(piece, from); i >= 0; i = source.indexOf(piece, from)) {
      if (nth === 0) return { line, column: i + 1 };
      nth--;
      from = i + 1;
    }
  }
  return start;
}
