import type { CloudEventJson } from '../../eventbus/index.js';
import type { Sensor, Trigger } from '../types.js';
import { parseConditions, type Conditions } from './conditions.js';
import { parseCron, type CronSchedule } from './cron.js';

/** The events a trigger fires with, by dependency name. */
export type PendingEvents = ReadonlyMap<string, CloudEventJson>;

/** A dependency's event a trigger holds, and when it received it (epoch ms). */
export interface HeldEvent {
  event: CloudEventJson;
  at: number;
}

/** What a trigger holds between events: the latest event of each dependency that has not fired yet. */
export type TriggerHeld = ReadonlyMap<string, HeldEvent>;

/** How a trigger combines its dependencies. */
export interface TriggerPlan {
  /** The dependencies the trigger listens to: those its conditions name, or all. */
  readonly dependencies: readonly string[];
  /** Undefined without `conditions` (all dependencies are needed). */
  readonly conditions?: Conditions;
  /** Whether events are held until the expression holds (it has an `&&`), as Argo decides. */
  readonly holdsEvents: boolean;
  readonly resets: readonly CronSchedule[];
}

/** Builds a trigger's plan; throws InputError for bad conditions or reset schedules. */
export function planTrigger(sensor: Sensor, trigger: Trigger): TriggerPlan {
  const all = sensor.spec.dependencies.map((d) => d.name);
  const resets = (trigger.template.conditionsReset ?? []).flatMap((c) =>
    c.byTime ? [parseCron(c.byTime.cron, c.byTime.timezone ?? '')] : [],
  );
  const source = trigger.template.conditions;
  if (source === undefined || source === '') {
    return { dependencies: all, holdsEvents: all.length > 1, resets };
  }
  const conditions = parseConditions(source, all);
  return { dependencies: conditions.names, conditions, holdsEvents: source.includes('&'), resets };
}

/** What offering one dependency's event to a trigger did. */
export type OfferOutcome =
  | { fire: true; events: PendingEvents; held: TriggerHeld }
  | { fire: false; held: TriggerHeld; waitingFor: string[] };

/**
 * Drops what a trigger holds from before its latest `conditionsReset` time:
 * Argo clears the held dependencies at each cron activation.
 */
export function resetHeld(plan: TriggerPlan, held: TriggerHeld, now: number): TriggerHeld {
  if (plan.resets.length === 0 || held.size === 0) return held;
  const kept = new Map<string, HeldEvent>();
  for (const [name, entry] of held) {
    const reset = plan.resets.some((cron) => {
      const next = cron.next(entry.at);
      return next !== undefined && next <= now;
    });
    if (!reset) kept.set(name, entry);
  }
  return kept.size === held.size ? held : kept;
}

/**
 * Offers a dependency's event (one that passed its filters) to a trigger, as
 * Argo's sensor does: without an `&&` every event fires alone; otherwise the
 * trigger holds the latest event of each dependency until its conditions (or,
 * without conditions, all dependencies) hold, then fires with everything it
 * holds and starts over. The input is not changed.
 */
export function offerDependency(
  plan: TriggerPlan,
  held: TriggerHeld,
  dependency: string,
  event: CloudEventJson,
  now: number,
): OfferOutcome {
  if (!plan.holdsEvents) return { fire: true, events: new Map([[dependency, event]]), held };
  const next = new Map(held);
  next.set(dependency, { event, at: now });
  const resolved = new Set(next.keys());
  const holds = plan.conditions
    ? plan.conditions.holds(resolved)
    : plan.dependencies.every((d) => resolved.has(d));
  if (!holds) {
    const waitingFor = plan.dependencies.filter((name) => !resolved.has(name));
    return { fire: false, held: next, waitingFor };
  }
  const events = new Map<string, CloudEventJson>();
  for (const name of plan.dependencies) {
    const entry = next.get(name);
    if (entry) events.set(name, entry.event);
  }
  return { fire: true, events, held: new Map() };
}
