import type { SensorEvent } from '../../events.js';
import type { JqRunner } from '../jq.js';
import type { EventDependencyFilter } from '../../types.js';
import { filterContext } from './context.js';
import { filterData, type TemplateRenderer } from './data.js';
import { filterExprs } from './expr.js';
import { operatorOf, type FilterOutcome } from './outcome.js';
import { filterScript, type ScriptRunner } from './script.js';
import { filterTime } from './time.js';

export { createScriptRunner, type ScriptRunner } from './script.js';
export type { TemplateRenderer } from './data.js';
export { renderFilterTemplate } from './template.js';
export type { FilterOutcome } from './outcome.js';

/** What filters need beyond the event. */
export interface FilterTools {
  scripts: ScriptRunner;
  /** Go templates for data filters' `template`; without it such a filter is an error. */
  renderTemplate?: TemplateRenderer | undefined;
  /** jq for dependency transforms; one is made when a transform first needs it. */
  jq?: JqRunner | undefined;
}

/**
 * Applies a dependency's filters to an event as Argo does: with `and` (the
 * default) every kind given must pass and an expr, data or time error ends
 * the check; with `or` one passing kind is enough and errors are reported
 * beside the result. A script error always fails the event.
 */
export async function filterEvent(
  filter: EventDependencyFilter | undefined,
  filtersLogicalOperator: string | undefined,
  event: SensorEvent,
  /** The CloudEvent's `time`, at full precision. */
  eventTime: string | undefined,
  tools: FilterTools,
): Promise<FilterOutcome> {
  if (filter === undefined || filter === null) return { pass: true };
  const or = operatorOf(filtersLogicalOperator) === 'or';
  const payload = event.data.length === 0 ? undefined : event.data.toString('utf8');
  const errors: string[] = [];
  const exprs = filterExprs(filter.exprs, operatorOf(filter.exprLogicalOperator), payload);
  if (exprs.error !== undefined) {
    if (!or) return exprs;
    errors.push(exprs.error);
  }
  const data = filterData(
    filter.data,
    operatorOf(filter.dataLogicalOperator),
    payload,
    tools.renderTemplate,
  );
  if (data.error !== undefined) {
    if (!or) return data;
    errors.push(data.error);
  }
  const context = filterContext(filter.context, event.context);
  const eventMs = Date.parse(eventTime ?? '');
  const time = filterTime(filter.time, Number.isNaN(eventMs) ? goZeroTime : eventMs);
  if (time.error !== undefined) {
    if (!or) return time;
    errors.push(time.error);
  }
  const script = await filterScript(filter.script, payload, tools.scripts);
  if (script.error !== undefined) return script;
  const given: [unknown, FilterOutcome][] = [
    [filter.exprs, exprs],
    [filter.data, data],
    [filter.context, context],
    [filter.time, time],
    [filter.script || undefined, script],
  ];
  if (or) {
    const pass = given.some(([set, outcome]) => set !== undefined && set !== null && outcome.pass);
    if (errors.length > 0) return { pass, error: errors.join(' / ') };
    if (pass) return { pass };
    const reasons = given.flatMap(([set, o]) =>
      set !== undefined && set !== null && o.reason ? [o.reason] : [],
    );
    return { pass, reason: reasons.join(' and ') || 'no filter passed' };
  }
  const failed = given.filter(([, o]) => !o.pass).map(([, o]) => o.reason ?? o.error ?? '');
  return failed.length === 0 ? { pass: true } : { pass: false, reason: failed.join('; ') };
}

/** Go's zero time, which an event without a time has. */
const goZeroTime = Date.parse('0001-01-01T00:00:00Z');
