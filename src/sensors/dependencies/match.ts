import type { CloudEventJson } from '../../eventbus/index.js';
import { isPlinthError } from '../../errors/index.js';
import { toSensorEvent } from '../events.js';
import type { EventDependency } from '../types.js';
import { filterEvent, type FilterTools } from './filters/index.js';
import { createJqRunner } from './jq.js';
import { transformEvent } from './transform.js';

/** Whether an event resolves a dependency, and why not when it does not. */
export interface DependencyMatch {
  matched: boolean;
  /** Why the event did not resolve the dependency (or, with `or` filters, a filter error beside a match). */
  reason?: string;
  /** The event as the dependency sees it (after its `transform`), when it matched. */
  event?: CloudEventJson;
}

/**
 * Matches an event against a dependency as Argo's sensor does: the event's
 * `source` is the EventSource's name and its `subject` the event's name, then
 * the dependency's `transform` rewrites the payload and its filters decide.
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
  let seen = event;
  if (dependency.transform) {
    try {
      seen = await transformEvent(dependency.transform, event, {
        scripts: tools.scripts,
        jq: (tools.jq ??= createJqRunner()),
      });
    } catch (err) {
      if (!isPlinthError(err)) throw err;
      return { matched: false, reason: err.message };
    }
  }
  if (dependency.filters === undefined || dependency.filters === null)
    return { matched: true, event: seen };
  let outcome;
  try {
    outcome = await filterEvent(
      dependency.filters,
      dependency.filtersLogicalOperator,
      toSensorEvent(seen),
      seen.time,
      tools,
    );
  } catch (err) {
    if (!isPlinthError(err)) throw err;
    return { matched: false, reason: err.message };
  }
  const why = outcome.error ?? outcome.reason;
  return {
    matched: outcome.pass,
    ...(why === undefined ? {} : { reason: why }),
    ...(outcome.pass ? { event: seen } : {}),
  };
}
