import { GjsonType, gjsonGet, type GjsonResult } from '../../parameters/gjson.js';
import { goRegExp } from '../goregexp.js';
import { Comparator, JSONType, type DataFilter } from '../../types.js';
import { goParseBool, goParseFloat, parseBoolError, parseFloatError } from './go-strconv.js';
import { filterError, orFailure, type FilterOutcome, type Operator } from './outcome.js';

/** Renders a Go template (with sprig) against `data`; throws on a template error. */
export type TemplateRenderer = (template: string, data: Record<string, unknown>) => string;

interface ValueResult {
  type: GjsonResult['type'];
  raw: string;
  str: string;
}

/** gjson's `Bool()`. */
function gjsonBool(r: ValueResult): boolean {
  switch (r.type) {
    case GjsonType.True:
      return true;
    case GjsonType.String:
      return goParseBool(r.str) ?? false;
    case GjsonType.Number:
      return Number(r.raw) !== 0;
    default:
      return false;
  }
}

/** gjson's `Float()`. */
function gjsonFloat(r: ValueResult): number {
  switch (r.type) {
    case GjsonType.True:
      return 1;
    case GjsonType.String:
      return goParseFloat(r.str) ?? 0;
    case GjsonType.Number:
      return Number(r.raw);
    default:
      return 0;
  }
}

function compareNumbers(comparator: string, event: number, filter: number): boolean {
  switch (comparator) {
    case Comparator.GreaterThanOrEqualTo:
      return event >= filter;
    case Comparator.GreaterThan:
      return event > filter;
    case Comparator.LessThan:
      return event < filter;
    case Comparator.LessThanOrEqualTo:
      return event <= filter;
    case Comparator.NotEqualTo:
      return event !== filter;
    case Comparator.EqualTo:
    case Comparator.Empty:
      return event === filter;
    default:
      return false;
  }
}

type One = { pass: true } | { pass: false; reason?: string; error?: string };

/** Checks one data filter against the payload, as Argo's filterData does for it. */
function checkOne(f: DataFilter, payload: string, render: TemplateRenderer | undefined): One {
  const found = gjsonGet(payload, f.path);
  if (!found.exists) return { pass: false, error: `path '${f.path}' does not exist` };
  const values = f.value ?? [];
  if (values.length === 0) return { pass: false, error: 'no values specified' };
  let result: ValueResult = found;
  if (f.template) {
    if (render === undefined)
      return { pass: false, error: 'Go templates are not available in this build of Plinth' };
    let out: string;
    try {
      out = render(f.template, { Input: found.str });
    } catch (err) {
      return { pass: false, error: err instanceof Error ? err.message : String(err) };
    }
    if (out === '' || out === '<no value>')
      return {
        pass: false,
        error: `template '${f.template}' evaluated to empty string or no value`,
      };
    result = { type: GjsonType.String, raw: JSON.stringify(out), str: out };
  }
  const comparator = f.comparator ?? '';
  const label = `data filter ${f.path}`;
  const list = JSON.stringify(values);
  switch (f.type) {
    case JSONType.Bool: {
      const actual = gjsonBool(result);
      for (const value of values) {
        const expected = goParseBool(value);
        if (expected === undefined) return { pass: false, error: parseBoolError(value) };
        if (expected === actual) return { pass: true };
      }
      return { pass: false, reason: `${label}: ${actual} is not one of ${list}` };
    }
    case JSONType.Number: {
      const actual = gjsonFloat(result);
      for (const value of values) {
        const expected = goParseFloat(value);
        if (expected === undefined) return { pass: false, error: parseFloatError(value) };
        if (compareNumbers(comparator, actual, expected)) return { pass: true };
      }
      const op =
        comparator === '' || comparator === '=' ? 'is not one of' : `is not ${comparator} any of`;
      return { pass: false, reason: `${label}: ${actual} ${op} ${list}` };
    }
    case JSONType.String: {
      const actual = result.str;
      for (const value of values) {
        let pattern: RegExp;
        try {
          pattern = goRegExp(value);
        } catch (err) {
          return {
            pass: false,
            error: `error parsing regexp ${JSON.stringify(value)}: ${err instanceof Error ? err.message : String(err)}`,
          };
        }
        const match = pattern.test(actual);
        if ((comparator === '' || comparator === '=') && match) return { pass: true };
        if (comparator === '!=' && !match) return { pass: true };
      }
      const why =
        comparator === '' || comparator === '='
          ? `is not one of ${list}`
          : comparator === '!='
            ? `matches one of ${list}`
            : `cannot be compared with ${comparator} (strings take = or !=)`;
      return { pass: false, reason: `${label}: ${JSON.stringify(actual)} ${why}` };
    }
    default:
      return { pass: false, error: `unsupported JSON type '${String(f.type)}'` };
  }
}

/**
 * Argo's data filters: each reads the value at its gjson path; in an `and`
 * every filter must pass and the first error ends the check, in an `or` the
 * first passing filter wins and errors are collected. A payload that is absent
 * passes; one that is not JSON is an error.
 */
export function filterData(
  filters: readonly DataFilter[] | undefined,
  operator: Operator,
  payload: string | undefined,
  render?: TemplateRenderer,
): FilterOutcome {
  if (!filters || filters.length === 0 || payload === undefined) return { pass: true };
  if (!isJson(payload)) return filterError('data', 'event data not valid JSON');
  const errors: string[] = [];
  const reasons: string[] = [];
  for (const f of filters) {
    const one = checkOne(f, payload, render);
    if (one.pass) {
      if (operator === 'or') return { pass: true };
      continue;
    }
    if (operator === 'and') {
      return one.error !== undefined
        ? filterError('data', one.error)
        : { pass: false, reason: one.reason ?? `data filter ${f.path} did not pass` };
    }
    if (one.error !== undefined) errors.push(one.error);
    else if (one.reason !== undefined) reasons.push(one.reason);
  }
  return operator === 'or' ? orFailure('data', errors, reasons) : { pass: true };
}

export function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
