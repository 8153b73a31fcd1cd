import type { CloudEventJson } from '../../eventbus/index.js';
import type { EventDependency } from '../types.js';

/** Whether an event resolves a dependency, and why not when it does not. */
export interface DependencyMatch {
  matched: boolean;
  reason?: string;
}

/**
 * Matches an event against a dependency as Argo's sensor does: the event's
 * `source` is the EventSource's name and its `subject` the event's name.
 */
export function matchDependency(
  dependency: EventDependency,
  event: CloudEventJson,
): DependencyMatch {
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
  return { matched: true };
}
