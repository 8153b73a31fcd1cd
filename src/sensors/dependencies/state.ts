import type { CloudEventJson } from '../../eventbus/index.js';

/** The latest event of each dependency a trigger has received and not yet fired with. */
export type PendingEvents = ReadonlyMap<string, CloudEventJson>;

/** What offering one dependency's event to a trigger did. */
export type OfferOutcome =
  | { fire: true; events: PendingEvents; pending: PendingEvents }
  | { fire: false; pending: PendingEvents; waitingFor: string[] };

/**
 * Offers a resolved dependency to a trigger that needs all of `required`
 * (Argo's default, with no `conditions`). With one dependency every event
 * fires; with several, the trigger keeps the latest event of each and fires
 * once all are there, then starts over. The input state is not changed.
 */
export function offerDependency(
  required: readonly string[],
  pending: PendingEvents,
  dependency: string,
  event: CloudEventJson,
): OfferOutcome {
  if (required.length <= 1) {
    return { fire: true, events: new Map([[dependency, event]]), pending };
  }
  const next = new Map(pending);
  next.set(dependency, event);
  const waitingFor = required.filter((name) => !next.has(name));
  if (waitingFor.length > 0) return { fire: false, pending: next, waitingFor };
  const events = new Map(required.map((name) => [name, next.get(name) as CloudEventJson]));
  return { fire: true, events, pending: new Map() };
}
