/**
 * Argo's template tags: `{{ name }}` simple tags replaced by text, and
 * `{{=expression}}` expression tags evaluated in the same pass.
 */
import { isPlinthError } from '../../errors/index.js';
import { createExpressionLanguage, renderResult, type ExpressionLanguage } from './expression.js';
import { expressionError } from './limits.js';

const TAG = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** The values a tag can resolve to, by its dotted name (e.g. `inputs.parameters.x`). */
export interface TagScope {
  get(tag: string): string | undefined;
  /**
   * Every value the scope holds, when it can list them: expression tags see
   * them all (so `toJson(inputs.parameters)` works). A scope without it still
   * serves the variables an expression names.
   */
  entries?(): Iterable<[string, unknown]>;
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
    *entries() {
      const seen = new Set<string>();
      for (const s of scopes) {
        if (!s.entries) continue;
        for (const [k, v] of s.entries()) {
          if (seen.has(k)) continue;
          seen.add(k);
          yield [k, v] as [string, unknown];
        }
      }
    },
  };
}

/**
 * Why a tag is left unresolved: `missing` when it names a value the scope does
 * not have (yet), `failed` when an expression tag has every value it needs
 * but cannot be evaluated (or evaluates to nil).
 */
export type UnresolvedReason = 'missing' | 'failed';

/** Decides whether a tag nobody resolved may stay as it is. */
export type UnresolvedPolicy = (tag: string, reason: UnresolvedReason) => boolean;

/** Every tag may stay unresolved: for a first pass whose leftovers are resolved later. */
export const allowAll: UnresolvedPolicy = () => true;

/**
 * Simple tags must resolve; an expression tag may stay only while it names a
 * variable the scope does not have yet (a failing expression is an error).
 */
export const allowExpressionsOnly: UnresolvedPolicy = (tag, reason) =>
  tag.startsWith('=') && reason === 'missing';

/** Nothing may stay: every tag must resolve and every expression evaluate. */
export const allowNone: UnresolvedPolicy = () => false;

/** Thrown when a tag has no value; the message is Argo's. */
export class UnresolvedTagError extends Error {
  constructor(readonly tag: string) {
    super(`failed to resolve {{${tag}}}`);
  }
}

/** Options of a substitution. */
export interface SubstituteOptions {
  /** The expression language for `{{=...}}` tags; one is made per call when absent. */
  expressions?: ExpressionLanguage;
}

/**
 * Replaces the tags of one string. An expression tag that cannot be evaluated
 * throws InputError (INVALID_INPUT) with Argo's `failed to evaluate expression`
 * message, unless `allow` lets it stay.
 */
export function substituteString(
  text: string,
  scope: TagScope,
  allow: UnresolvedPolicy,
  options: SubstituteOptions = {},
): string {
  if (!text.includes('{{')) return text;
  let lang = options.expressions;
  let out = '';
  let at = 0;
  for (;;) {
    let open = text.indexOf('{{', at);
    if (open < 0) break;
    const close = text.indexOf('}}', open + 2);
    if (close < 0) break;
    if (text[open + 2] !== '=') {
      // In `{{a{{b}}` only the innermost `{{b}}` is a tag.
      const inner = text.lastIndexOf('{{', close - 1);
      if (inner > open) open = inner;
    }
    const raw = text.slice(open + 2, close);
    const whole = text.slice(open, close + 2);
    out += text.slice(at, open);
    at = close + 2;
    if (raw.startsWith('=')) {
      lang ??= createExpressionLanguage();
      out += expressionTag(raw.slice(1), whole, scope, allow, lang);
      continue;
    }
    // A simple tag is a name: text with braces inside is not a tag and stays as it is.
    if (/[{}]/.test(raw)) {
      out += whole;
      continue;
    }
    const tag = raw.trim();
    const value = scope.get(tag);
    if (value !== undefined) out += value;
    else if (allow(tag, 'missing')) out += whole;
    else throw new UnresolvedTagError(tag);
  }
  return out + text.slice(at);
}

function expressionTag(
  source: string,
  whole: string,
  scope: TagScope,
  allow: UnresolvedPolicy,
  lang: ExpressionLanguage,
): string {
  const tag = `=${source}`;
  const failed = (message: string, reason: UnresolvedReason): string => {
    if (allow(tag, reason)) return whole;
    throw expressionError(message, reason === 'missing' ? 'missing' : 'runtime');
  };
  let outcome: { missing: string[]; value?: unknown };
  try {
    outcome = lang.evaluateIfComplete(source, variablesFor(source, scope, lang));
  } catch (err) {
    return failed(`failed to evaluate expression: ${message(err)}`, 'failed');
  }
  if (outcome.missing.length > 0) {
    return failed(`failed to evaluate expression: ${outcome.missing[0]} is missing`, 'missing');
  }
  const result = outcome.value;
  if (result === null || result === undefined) {
    return failed(`failed to evaluate expression ${JSON.stringify(source)}`, 'failed');
  }
  return renderResult(result);
}

function message(err: unknown): string {
  if (isPlinthError(err) || err instanceof Error) return err.message;
  return String(err);
}

/** The variables an expression sees: all the scope lists, plus any it names that only `get` serves. */
function variablesFor(
  source: string,
  scope: TagScope,
  lang: ExpressionLanguage,
): Record<string, unknown> {
  const vars: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  if (scope.entries) for (const [k, v] of scope.entries()) vars[k] = v;
  for (const path of lang.variablePaths(source)) {
    if (Object.hasOwn(vars, path)) continue;
    const v = scope.get(path);
    if (v !== undefined) vars[path] = v;
  }
  return vars;
}

/** Replaces the tags in every string of a JSON-like value; returns a new value. */
export function substitute<T>(
  value: T,
  scope: TagScope,
  allow: UnresolvedPolicy,
  options: SubstituteOptions = {},
): T {
  let lang = options.expressions;
  const opts: SubstituteOptions = {
    get expressions() {
      lang ??= createExpressionLanguage();
      return lang;
    },
  };
  return walk(value, scope, allow, opts) as T;
}

function walk(
  value: unknown,
  scope: TagScope,
  allow: UnresolvedPolicy,
  opts: SubstituteOptions,
): unknown {
  if (typeof value === 'string') {
    return value.includes('{{=')
      ? substituteString(value, scope, allow, opts)
      : substituteString(value, scope, allow, {});
  }
  if (Array.isArray(value)) return value.map((v) => walk(v, scope, allow, opts));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = walk(v, scope, allow, opts);
    return out;
  }
  return value;
}

/** The tags a string holds, in order. */
export function tagsOf(text: string): string[] {
  return [...text.matchAll(TAG)].map((m) => m[1] ?? '');
}
