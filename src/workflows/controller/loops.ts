import { layered, substitute, type TagScope } from '../expressions/index.js';
import { NodePhase, type NodeStatus, type WorkflowStep } from '../model/types.js';
import { absentOutputMessage, usesAbsentOutput } from './absent.js';

/** One expanded copy of a looping step or task. */
export interface Expanded<T extends WorkflowStep> {
  /** `name(index:value)`, as Argo names the copies. */
  name: string;
  step: T;
}

/** Whether a step or task loops (`withItems`, `withParam` or `withSequence`). */
export function isLoop(step: WorkflowStep): boolean {
  return (
    step.withItems !== undefined || step.withParam !== undefined || step.withSequence !== undefined
  );
}

/** Tags a loop resolves later, per item: they may stay unresolved in the first pass. */
export const allowLoopTags = (tag: string): boolean =>
  tag.startsWith('=') || tag === 'item' || tag.startsWith('item.');

/**
 * Expands a looping step whose other tags are already substituted: one copy
 * per item, `{{item}}` and `{{item.key}}` replaced. Expression tags see the
 * item over `outer` (inputs, steps, tasks, workflow): the loop's scope is
 * layered over the step's, not put in its place. Throws an Error with Argo's
 * message when the loop's input is not usable.
 */
export function expandLoop<T extends WorkflowStep>(step: T, outer?: TagScope): Expanded<T>[] {
  const items = loopItems(step);
  const { withItems: _i, withParam: _p, withSequence: _s, ...rest } = step;
  return items.map((item, index) => {
    const scope = itemScope(item, index);
    const tags = outer ? layered(scope.tags, outer) : scope.tags;
    const copy = substitute(
      rest,
      tags,
      (tag, reason) => tag.startsWith('=') && reason === 'missing',
    ) as T;
    return { name: `${step.name}(${index}:${scope.label.replace(/[()]/g, '')})`, step: copy };
  });
}

function loopItems(step: WorkflowStep): unknown[] {
  if (step.withItems !== undefined) {
    if (!Array.isArray(step.withItems)) throw new Error('withItems must be a list');
    return step.withItems;
  }
  if (step.withParam !== undefined) {
    const text = String(step.withParam).trim();
    if (usesAbsentOutput(text)) throw new Error(absentOutputMessage('withParam'));
    // An output that printed nothing is an empty list: the step is skipped for empty params.
    if (text === '') return [];
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new Error(
        `withParam value could not be parsed as a JSON list: ${text}: ${(err as Error).message}`,
      );
    }
    if (!Array.isArray(parsed)) {
      throw new Error(`withParam value could not be parsed as a JSON list: ${text}`);
    }
    return parsed;
  }
  return sequenceItems(step.withSequence ?? {});
}

/** `withSequence`: strings from `start` to `end` (or `count` of them), printf-formatted. */
export function sequenceItems(seq: NonNullable<WorkflowStep['withSequence']>): string[] {
  const int = (v: string | number | undefined, field: string): number => {
    const text = String(v ?? '0').trim();
    if (!/^[-+]?\d+$/.test(text)) {
      throw new Error(`strconv.Atoi: parsing "${text}": invalid syntax (withSequence.${field})`);
    }
    return Number(text);
  };
  const start = int(seq.start, 'start');
  let end: number;
  if (seq.end !== undefined) end = int(seq.end, 'end');
  else if (seq.count !== undefined) {
    const count = int(seq.count, 'count');
    if (count === 0) return [];
    end = start + count - 1;
  } else throw new Error('neither end nor count was specified in withSequence');
  const out: string[] = [];
  const step = start <= end ? 1 : -1;
  for (let i = start; step > 0 ? i <= end : i >= end; i += step) {
    out.push(formatInt(seq.format ?? '%d', i));
  }
  return out;
}

/** Go's printf for one integer: %d, %x, %X, %o, %b with flags and width (`%02d`). */
export function formatInt(format: string, n: number): string {
  return format.replace(
    /%([-0+ ]*)(\d*)([dxXobs%v])/g,
    (_m, flags: string, width: string, verb) => {
      if (verb === '%') return '%';
      const radix = { d: 10, v: 10, s: 10, x: 16, X: 16, o: 8, b: 2 }[verb as string] ?? 10;
      let digits = Math.abs(n).toString(radix);
      if (verb === 'X') digits = digits.toUpperCase();
      const sign = n < 0 ? '-' : flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '';
      const w = Number(width || 0);
      if (flags.includes('-')) return (sign + digits).padEnd(w, ' ');
      if (flags.includes('0')) return sign + digits.padStart(Math.max(0, w - sign.length), '0');
      return (sign + digits).padStart(w, ' ');
    },
  );
}

/** The tags of one item, and the text Argo puts in the copy's name. */
function itemScope(item: unknown, index: number): { tags: TagScope; label: string } {
  const tags = new Map<string, string>();
  let label: string;
  if (item === null || typeof item !== 'object') {
    if (typeof item === 'string') label = item;
    else if (typeof item === 'number' || typeof item === 'boolean') label = String(item);
    else
      throw new Error(`withItems[${index}] expected string, number, list, or map. received: null`);
    tags.set('item', label);
  } else if (Array.isArray(item)) {
    label = goValue(item);
    tags.set('item', JSON.stringify(item));
  } else {
    const entries = Object.entries(item as Record<string, unknown>);
    for (const [k, v] of entries) tags.set(`item.${k}`, goScalar(v));
    tags.set('item', JSON.stringify(item));
    label = entries
      .map(([k, v]) => `${k}:${goScalar(v)}`)
      .sort()
      .join(',');
  }
  return { tags, label };
}

/** A value as Go's `%v` prints an item: strings bare, objects and lists as JSON. */
function goScalar(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null) return 'null';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function goValue(list: unknown[]): string {
  return `[${list.map(goScalar).join(' ')}]`;
}

/**
 * The aggregated outputs of a loop's copies, as `<prefix>.<name>.outputs.*`
 * tags: `parameters` a JSON list of maps, `parameters.<p>` a JSON list of
 * values, `result` a JSON list of results. Only Succeeded copies count, in
 * loop order.
 */
export function aggregateOutputs(
  scope: Map<string, string>,
  prefix: string,
  nodes: NodeStatus[],
): void {
  const ordered = [...nodes].sort((a, b) => loopIndex(a.name) - loopIndex(b.name));
  const paramList: Record<string, string>[] = [];
  const byName = new Map<string, string[]>();
  const results: unknown[] = [];
  for (const node of ordered) {
    if (!node.outputs || node.phase !== NodePhase.Succeeded) continue;
    const params = node.outputs.parameters ?? [];
    if (params.length > 0) {
      const map: Record<string, string> = {};
      for (const p of params) {
        map[p.name] = p.value ?? '';
        const list = byName.get(p.name) ?? [];
        list.push(p.value ?? '');
        byName.set(p.name, list);
      }
      paramList.push(map);
    }
    if (node.outputs.result !== undefined) results.push(parseJson(node.outputs.result));
  }
  scope.set(`${prefix}.outputs.result`, JSON.stringify(results));
  scope.set(`${prefix}.outputs.parameters`, JSON.stringify(paramList));
  for (const [name, values] of byName) {
    const parsed = values.map(parseJson);
    const structured = parsed.every((v) => v !== null && typeof v === 'object');
    scope.set(`${prefix}.outputs.parameters.${name}`, JSON.stringify(structured ? parsed : values));
  }
}

/** A result as a JSON value when it is one, else as a string. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The index of a loop copy from its name: `a.b(3:x)` → 3. */
export function loopIndex(name: string): number {
  const open = name.lastIndexOf('(');
  return Number.parseInt(name.slice(open + 1), 10) || 0;
}
