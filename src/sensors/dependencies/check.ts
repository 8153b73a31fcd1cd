import { isPlinthError } from '../../errors/index.js';
import { parseGjsonPath } from '../parameters/gjson.js';
import { Comparator, JSONType, LogicalOperator } from '../types.js';
import { parseConditions } from './conditions.js';
import { parseCron } from './cron.js';
import { compileGovaluate } from '../../workflows/index.js';
import { checkTimeZone } from '../../time/index.js';

type Path = (string | number)[];
/** Reports a problem at a path, relative to what is being checked. */
export type Report = (path: Path, message: string, fix?: string) => void;

const operators: readonly string[] = Object.values(LogicalOperator);
const comparators: readonly string[] = Object.values(Comparator);
const jsonTypes: readonly string[] = Object.values(JSONType);
const clock = /^\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?$/;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function attempt(report: Report, at: Path, check: () => unknown): void {
  try {
    check();
  } catch (err) {
    if (!isPlinthError(err)) throw err;
    report(at, err.message);
  }
}

function checkOperator(value: unknown, at: Path, report: Report): void {
  if (value !== undefined && !operators.includes(value as string))
    report(at, `logical operator ${JSON.stringify(value)} not supported`, 'use and or or');
}

/** Checks a dependency's `filters` and `filtersLogicalOperator` as Argo's validation does, and more. */
export function checkFilters(
  filters: unknown,
  filtersLogicalOperator: unknown,
  report: Report,
): void {
  checkOperator(filtersLogicalOperator, ['filtersLogicalOperator'], report);
  if (filters === undefined || filters === null) return;
  if (!isObject(filters)) return report(['filters'], 'filters must be an object');
  const at = (...p: Path): Path => ['filters', ...p];
  checkOperator(filters.dataLogicalOperator, at('dataLogicalOperator'), report);
  checkOperator(filters.exprLogicalOperator, at('exprLogicalOperator'), report);
  const known = [
    'time',
    'context',
    'data',
    'exprs',
    'dataLogicalOperator',
    'exprLogicalOperator',
    'script',
  ];
  for (const key of Object.keys(filters)) {
    if (!known.includes(key))
      report(at(key), `unknown filter ${JSON.stringify(key)}`, `use one of: ${known.join(', ')}`);
  }
  if (filters.data !== undefined) {
    if (!Array.isArray(filters.data)) report(at('data'), 'data must be a list');
    else
      filters.data.forEach((f: unknown, i) => {
        if (!isObject(f)) return report(at('data', i), 'a data filter must be an object');
        if (
          typeof f.path !== 'string' ||
          f.path === '' ||
          !jsonTypes.includes(f.type as string) ||
          !Array.isArray(f.value) ||
          f.value.length === 0
        ) {
          report(
            at('data', i),
            'one of data filters is not valid (type, path and value must be not empty)',
            'type is string, number or bool',
          );
          return;
        }
        if (f.value.some((v) => typeof v !== 'string' || v === ''))
          report(
            at('data', i, 'value'),
            'one of data filters is not valid (value must be not empty)',
            'quote each value as a string',
          );
        if (f.comparator !== undefined && !comparators.includes(f.comparator as string))
          report(
            at('data', i, 'comparator'),
            `comparator ${JSON.stringify(f.comparator)} not supported`,
            'use >=, >, =, !=, < or <=',
          );
        attempt(report, at('data', i, 'path'), () => parseGjsonPath(f.path as string));
      });
  }
  if (filters.exprs !== undefined) {
    if (!Array.isArray(filters.exprs)) report(at('exprs'), 'exprs must be a list');
    else
      filters.exprs.forEach((f: unknown, i) => {
        if (
          !isObject(f) ||
          typeof f.expr !== 'string' ||
          f.expr === '' ||
          !Array.isArray(f.fields) ||
          f.fields.length === 0
        )
          return report(
            at('exprs', i),
            'one of expr filters is not valid (expr and fields must be not empty)',
          );
        f.fields.forEach((field: unknown, j) => {
          if (
            !isObject(field) ||
            typeof field.name !== 'string' ||
            field.name === '' ||
            typeof field.path !== 'string' ||
            field.path === ''
          )
            return report(
              at('exprs', i, 'fields', j),
              'one of expr filters is not valid (path and name in a field must be not empty)',
            );
          attempt(report, at('exprs', i, 'fields', j, 'path'), () =>
            parseGjsonPath(field.path as string),
          );
        });
        attempt(report, at('exprs', i, 'expr'), () => compileGovaluate(f.expr as string));
      });
  }
  if (filters.context !== undefined) {
    const c = filters.context;
    const fields = ['type', 'subject', 'source', 'datacontenttype'];
    if (!isObject(c) || !fields.some((k) => typeof c[k] === 'string' && c[k] !== ''))
      report(
        at('context'),
        'no fields specified in ctx filter (aka all events will be discarded)',
        `set one of: ${fields.join(', ')}`,
      );
  }
  if (filters.time !== undefined) {
    const t = filters.time;
    if (!isObject(t)) return report(at('time'), 'time must be an object with start and stop');
    if (typeof t.timezone === 'string')
      attempt(report, at('time', 'timezone'), () => checkTimeZone(t.timezone as string));
    for (const key of ['start', 'stop'] as const) {
      if (typeof t[key] !== 'string' || !clock.test(t[key]))
        report(at('time', key), `${key} must be a time of day HH:MM:SS`);
    }
    if (typeof t.start === 'string' && t.start === t.stop)
      report(
        at('time', 'stop'),
        `invalid event time filter: stop '${t.stop}' is equal to start '${t.start}'`,
      );
  }
  if (filters.script !== undefined && typeof filters.script !== 'string')
    report(at('script'), 'script must be a string of Lua');
}

/** Checks a trigger template's `conditions` (names must be dependencies) and `conditionsReset`. */
export function checkConditions(
  template: Record<string, unknown>,
  dependencies: ReadonlySet<string>,
  report: Report,
): void {
  const { conditions, conditionsReset } = template;
  if (conditions !== undefined && conditions !== '') {
    if (typeof conditions !== 'string') {
      report(['conditions'], 'conditions must be a string such as "dep-a && dep-b"');
    } else {
      try {
        for (const name of parseConditions(conditions, [...dependencies]).names) {
          if (!dependencies.has(name))
            report(
              ['conditions'],
              `conditions name "${name}", which is not a dependency`,
              `use one of: ${[...dependencies].join(', ')}`,
            );
        }
      } catch (err) {
        if (!isPlinthError(err)) throw err;
        report(['conditions'], err.message, 'join dependency names with &&, || and parentheses');
      }
    }
  }
  if (conditionsReset === undefined) return;
  if (!Array.isArray(conditionsReset))
    return report(['conditionsReset'], 'conditionsReset must be a list');
  conditionsReset.forEach((c: unknown, i) => {
    if (!isObject(c) || !isObject(c.byTime))
      return report(
        ['conditionsReset', i],
        'invalid conditionsReset',
        'set byTime: {cron, timezone}',
      );
    const { cron, timezone } = c.byTime;
    if (typeof cron !== 'string')
      return report(['conditionsReset', i, 'byTime', 'cron'], 'byTime needs cron');
    if (timezone !== undefined && typeof timezone !== 'string')
      return report(['conditionsReset', i, 'byTime', 'timezone'], 'timezone must be a string');
    attempt(report, ['conditionsReset', i, 'byTime'], () => parseCron(cron, timezone ?? ''));
  });
}
