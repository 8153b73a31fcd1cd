import { InputError } from '../../errors/index.js';

/** The bounds every evaluation stays within, so no expression can exhaust the process. */
export const LIMITS = {
  /** Characters of source an expression may have. */
  sourceLength: 64 * 1024,
  /** Nesting depth of the parser and the evaluator. */
  depth: 200,
  /** Syntax nodes in one expression. */
  nodes: 10_000,
  /** Evaluation steps (node visits and loop iterations) in one evaluation. */
  steps: 1_000_000,
  /** Characters of any string an expression builds. */
  stringLength: 1024 * 1024,
  /** Items of any array or map an expression builds. */
  collectionSize: 100_000,
} as const;

/** Why an expression failed: `missing` when it names a variable the scope does not have. */
export type ExpressionFailure = 'syntax' | 'runtime' | 'missing' | 'limit';

/** The typed error of every expression failure (code INVALID_INPUT); `details.reason` says why. */
export function expressionError(
  message: string,
  reason: ExpressionFailure = 'runtime',
): InputError {
  return new InputError(message, { details: { reason } });
}

/** Throws when a string would outgrow the bound. */
export function checkString(s: string): string {
  if (s.length > LIMITS.stringLength) {
    throw expressionError(`string longer than ${LIMITS.stringLength} characters`, 'limit');
  }
  return s;
}

/** Throws when a collection would outgrow the bound. */
export function checkSize(n: number): void {
  if (n > LIMITS.collectionSize) {
    throw expressionError(`collection larger than ${LIMITS.collectionSize} items`, 'limit');
  }
}
