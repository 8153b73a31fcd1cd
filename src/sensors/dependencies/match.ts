import type { CloudEventJson } from '../../eventbus/index.js';
import { isPlinthError } from '../../errors/index.js';
import { toSensorEvent } from '../events.js';
import type { EventDependency } from '../types.js';
import { filterEvent, type FilterTools } from './filters/index.js';

/** Whether an event resolves a dependency, and why not when it does not. */
export interface DependencyMatch {
  matched: boolean;
  /** Why the event did not resolve the dependency (or, with `or` filters, a filter error beside a match). */
  reason?: string;
}

/**
 * Matches an event against a dependency as Argo's sensor does: the event's
 * `source` is the EventSource's name and its `subject` the event's name, then
 * the dependency's filters decide.
 */
export async function matchDependency(
  dependency: EventDependency,
  event: CloudEventJson,
  tools: FilterTools,
): Promise<DependencyMatch> {
  if (event.source !== dependency.eventSourceName) {
    return {
      matched: false,
      reason: `event source "${event.source}" is not eventSourceName "${dependency.eventSourceName}"`,
    };
  }
  if (event.subject !== dependency.eventName) {
    return {
      matched: false,
      reason: `event name (subject) "${event.subject}" is not eventName "${dependency.eventName}"`,
    };
  }
  if (dependency.filters === undefined || dependency.filters === null) return { matched: true };
  let outcome;
  try {
    outcome = await filterEvent(
      dependency.filters,
      dependency.filtersLogicalOperator,
      toSensorEvent(event),
      event.time,
      tools,
    );
  } catch (err) {
    if (!isPlinthError(err)) throw err;
    return { matched: false, reason: err.message };
  }
  const why = outcome.error ?? outcome.reason;
  return { matched: outcome.pass, ...(why === undefined ? {} : { reason: why }) };
}
