import { isPlinthError } from '../../../errors/index.js';
import { GjsonType, gjsonGet, type GjsonResult } from '../../parameters/gjson.js';
import type { ExprFilter } from '../../types.js';
import { compileGovaluate, goValueText } from '../../../workflows/index.js';
import { isJson } from './data.js';
import { filterError, orFailure, type FilterOutcome, type Operator } from './outcome.js';

/** gjson's `Value()`: numbers as float64, objects and arrays as maps and slices. */
function gjsonValue(r: GjsonResult): unknown {
  switch (r.type) {
    case GjsonType.True:
      return true;
    case GjsonType.False:
      return false;
    case GjsonType.Number:
      return Number(r.raw);
    case GjsonType.String:
      return r.str;
    case GjsonType.JSON:
      return JSON.parse(r.raw) as unknown;
    default:
      return null;
  }
}

function message(err: unknown): string {
  if (isPlinthError(err) || err instanceof Error) return err.message;
  return String(err);
}

type One = { pass: boolean; reason?: string; error?: string; skip?: boolean };

function checkOne(f: ExprFilter, payload: string): One {
  const parameters: Record<string, unknown> = {};
  for (const field of f.fields ?? []) {
    const found = gjsonGet(payload, field.path);
    if (!found.exists) return { pass: false, error: `path '${field.path}' does not exist` };
    parameters[field.name] = gjsonValue(found);
  }
  if (Object.keys(parameters).length === 0) return { pass: true, skip: true };
  let result: unknown;
  try {
    result = compileGovaluate(f.expr).evaluate(parameters);
  } catch (err) {
    return { pass: false, error: message(err) };
  }
  if (result === true) return { pass: true };
  const bound = Object.entries(parameters)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? JSON.stringify(v) : goValueText(v)}`)
    .join(', ');
  return {
    pass: false,
    reason: `expr filter ${JSON.stringify(f.expr)} is ${goValueText(result)} (${bound})`,
  };
}

/**
 * Argo's expression filters: each binds its fields (gjson paths of the
 * payload) and evaluates its govaluate expression, passing when it is true;
 * combined by `operator` as the data filters are.
 */
export function filterExprs(
  filters: readonly ExprFilter[] | undefined,
  operator: Operator,
  payload: string | undefined,
): FilterOutcome {
  if (!filters || payload === undefined) return { pass: true };
  if (!isJson(payload)) return filterError('expr', 'event data not valid JSON');
  const errors: string[] = [];
  const reasons: string[] = [];
  for (const f of filters) {
    const one = checkOne(f, payload);
    if (one.skip) continue;
    if (one.error !== undefined) {
      if (operator === 'and') return filterError('expr', one.error);
      errors.push(one.error);
      continue;
    }
    if (one.pass) {
      if (operator === 'or') return { pass: true };
    } else {
      if (operator === 'and') return { pass: false, reason: one.reason ?? 'expr filter is false' };
      if (one.reason !== undefined) reasons.push(one.reason);
    }
  }
  return operator === 'or' ? orFailure('expr', errors, reasons) : { pass: true };
}
