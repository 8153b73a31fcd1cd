/**
 * Argo's simple tags: `{{ name }}` replaced by text. Expression tags
 * (`{{= ...}}`) are left for the expression evaluator.
 */

const TAG = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** The values a tag can resolve to, by its dotted name (e.g. `inputs.parameters.x`). */
export interface TagScope {
  get(tag: string): string | undefined;
}

/** A scope that looks in each of `scopes` in turn. */
export function layered(...scopes: TagScope[]): TagScope {
  return {
    get(tag) {
      for (const s of scopes) {
        const v = s.get(tag);
        if (v !== undefined) return v;
      }
      return undefined;
    },
  };
}

/** Decides whether a tag nobody resolved may stay as it is. */
export type UnresolvedPolicy = (tag: string) => boolean;

/** Every tag may stay unresolved: for a first pass whose leftovers are resolved later. */
export const allowAll: UnresolvedPolicy = () => true;

/** Only expression tags may stay: they belong to a later evaluator. */
export const allowExpressionsOnly: UnresolvedPolicy = (tag) => tag.startsWith('=');

/** Thrown when a tag has no value; the message is Argo's. */
export class UnresolvedTagError extends Error {
  constructor(readonly tag: string) {
    super(`failed to resolve {{${tag}}}`);
  }
}

/** Replaces the tags of one string. */
export function substituteString(text: string, scope: TagScope, allow: UnresolvedPolicy): string {
  if (!text.includes('{{')) return text;
  return text.replace(TAG, (whole, tag: string) => {
    const value = scope.get(tag);
    if (value !== undefined) return value;
    if (allow(tag)) return whole;
    throw new UnresolvedTagError(tag);
  });
}

/** Replaces the tags in every string of a JSON-like value; returns a new value. */
export function substitute<T>(value: T, scope: TagScope, allow: UnresolvedPolicy): T {
  return walk(value, scope, allow) as T;
}

function walk(value: unknown, scope: TagScope, allow: UnresolvedPolicy): unknown {
  if (typeof value === 'string') return substituteString(value, scope, allow);
  if (Array.isArray(value)) return value.map((v) => walk(v, scope, allow));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = walk(v, scope, allow);
    return out;
  }
  return value;
}

/** The tags a string holds, in order. */
export function tagsOf(text: string): string[] {
  return [...text.matchAll(TAG)].map((m) => m[1] ?? '');
}
