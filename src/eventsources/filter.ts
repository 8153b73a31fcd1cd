import type { Logger } from '../logging/index.js';

/**
 * Evaluates an EventSource filter expression (Argo uses the expr language)
 * over the event's payload fields; true lets the event through.
 */
export type FilterEvaluator = (expression: string, env: Record<string, unknown>) => boolean;

/**
 * Applies an EventSource `filter` to a payload as Argo does: top-level names
 * with `-` are written with `_`, and an expression that cannot be evaluated
 * drops the event.
 */
export function passesFilter(
  expression: string | undefined,
  payload: object,
  evaluate: FilterEvaluator | undefined,
  log: Logger,
): boolean {
  if (!expression || evaluate === undefined) return true;
  const env: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(payload)) env[key.replaceAll('-', '_')] = value;
  try {
    return evaluate(expression, env) === true;
  } catch (err) {
    log.warn({ err, expression }, 'event source filter failed; event dropped');
    return false;
  }
}
