import type { CloudEventJson } from '../eventbus/index.js';
import { ManifestError, PlinthError } from '../errors/index.js';
import type { Workflow } from '../workflows/index.js';
import { matchDependency, offerDependency, type PendingEvents } from './dependencies/index.js';
import { toSensorEvent, type SensorEvent } from './events.js';
import { applyParams } from './parameters/resolve.js';
import type { JsonValue } from './parameters/sjson.js';
import {
  runnableTriggersText,
  triggerFor,
  type SensorRef,
  type Trigger,
} from './triggers/index.js';
import type { Sensor, Trigger as SensorTrigger, TriggerTemplate } from './types.js';

/** What a sensor decided about one dependency. */
export interface DependencyDecision {
  name: string;
  matched: boolean;
  /** Why the event did not resolve the dependency. */
  reason?: string;
}

/** What a sensor decided about one trigger. */
export interface TriggerDecision {
  name: string;
  /** True when the trigger ran (for `evaluateSensor`: would run, its resource resolved). */
  fired: boolean;
  /** The resolved resource (for k8s and argoWorkflow triggers, the Workflow). */
  resource?: unknown;
  /** Why the trigger failed: its resource or parameters could not be resolved, or executing it failed. */
  error?: string;
  /** The error's code, when it is one of Plinth's. */
  code?: string;
  /** Why the trigger did not fire, when nothing failed (waiting for other dependencies, no match). */
  reason?: string;
  /** The events the trigger fired with, by dependency. */
  events?: Record<string, string>;
}

/** A sensor's decisions about an event: the answer to "why did nothing run?". */
export interface SensorDecision {
  /** `<namespace>/<name>`. */
  sensor: string;
  eventId: string;
  dependencies: DependencyDecision[];
  triggers: TriggerDecision[];
}

/** The state a sensor keeps between events: each trigger's latest event per dependency. */
export type SensorState = ReadonlyMap<string, PendingEvents>;

/** A trigger ready to run: its resolved resource, or why it cannot be resolved. */
export interface Firing {
  trigger: SensorTrigger;
  /** The trigger's name after template parameters (Argo labels what it creates with it). */
  name: string;
  events: PendingEvents;
  implementation?: Trigger;
  resource?: Workflow;
  error?: PlinthError;
}

/** The outcome of offering one event to a sensor. */
export interface Offer {
  decision: SensorDecision;
  firings: Firing[];
  /** The sensor's state after the event; keep it only once the firings are handled. */
  state: SensorState;
}

export function sensorRef(sensor: Sensor): SensorRef {
  return { name: sensor.metadata.name, namespace: sensor.metadata.namespace ?? 'default' };
}

export function sensorKey(sensor: Sensor): string {
  const ref = sensorRef(sensor);
  return `${ref.namespace}/${ref.name}`;
}

/**
 * Offers one event to a sensor: matches it against every dependency, updates
 * each trigger's pending dependencies, and resolves the triggers that fire.
 * Pure: nothing is executed and the input state is not changed.
 */
export function offerEvent(sensor: Sensor, state: SensorState, event: CloudEventJson): Offer {
  const dependencies = sensor.spec.dependencies.map((dep) => ({
    name: dep.name,
    ...matchDependency(dep, event),
  }));
  const matched = dependencies.filter((d) => d.matched).map((d) => d.name);
  const required = sensor.spec.dependencies.map((dep) => dep.name);
  const next = new Map(state);
  const firings: Firing[] = [];
  const triggers: TriggerDecision[] = [];
  for (const trigger of sensor.spec.triggers) {
    const name = trigger.template.name;
    let pending = state.get(name) ?? new Map<string, CloudEventJson>();
    let waitingFor: string[] | undefined;
    const fired: Firing[] = [];
    for (const dependency of matched) {
      const outcome = offerDependency(required, pending, dependency, event);
      pending = outcome.pending;
      if (outcome.fire) {
        fired.push(resolveFiring(sensor, trigger, outcome.events));
        waitingFor = undefined;
      } else {
        waitingFor = outcome.waitingFor;
      }
    }
    next.set(name, pending);
    firings.push(...fired);
    if (fired.length > 0) {
      triggers.push(...fired.map(firingDecision));
    } else if (matched.length === 0) {
      triggers.push({ name, fired: false, reason: 'no dependency matched the event' });
    } else {
      triggers.push({
        name,
        fired: false,
        reason: `waiting for dependencies: ${(waitingFor ?? []).join(', ')}`,
      });
    }
  }
  return {
    decision: { sensor: sensorKey(sensor), eventId: event.id, dependencies, triggers },
    firings,
    state: next,
  };
}

function resolveFiring(sensor: Sensor, trigger: SensorTrigger, events: PendingEvents): Firing {
  const base = { trigger, name: trigger.template.name, events };
  const sensorEvents = new Map<string, SensorEvent>();
  try {
    for (const [dep, event] of events) sensorEvents.set(dep, toSensorEvent(event));
    const template = (
      trigger.parameters?.length
        ? applyParams(trigger.template as unknown as JsonValue, trigger.parameters, sensorEvents)
        : trigger.template
    ) as TriggerTemplate;
    const implementation = triggerFor(template);
    if (implementation === undefined) {
      throw new ManifestError(
        `trigger "${trigger.template.name}" cannot run in Plinth yet; Plinth runs ${runnableTriggersText}`,
      );
    }
    const resource = implementation.resolve(template, sensorEvents, sensorRef(sensor)) as Workflow;
    return { ...base, name: template.name, implementation, resource };
  } catch (err) {
    return { ...base, error: asPlinthError(err) };
  }
}

/** Wraps anything thrown into a PlinthError, keeping Plinth's own as they are. */
export function asPlinthError(err: unknown): PlinthError {
  if (err instanceof PlinthError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new PlinthError('INTERNAL', message, { cause: err });
}

/** The decision for a firing before it is executed. */
export function firingDecision(firing: Firing): TriggerDecision {
  const events = Object.fromEntries([...firing.events].map(([dep, e]) => [dep, e.id]));
  if (firing.error) {
    return {
      name: firing.trigger.template.name,
      fired: false,
      error: firing.error.message,
      code: firing.error.code,
      events,
    };
  }
  return { name: firing.trigger.template.name, fired: true, resource: firing.resource, events };
}

/**
 * Delivers events to a sensor offline, in order, and says what it would do:
 * whether each dependency matched any event (with the reason when none did)
 * and whether each trigger fires, with its resolved resource. The controller
 * runs the same code, then executes the triggers.
 */
export function evaluateSensor(sensor: Sensor, events: readonly CloudEventJson[]): SensorDecision {
  let state: SensorState = new Map();
  const dependencies = new Map<string, DependencyDecision>();
  const triggers = new Map<string, TriggerDecision>();
  for (const event of events) {
    const offer = offerEvent(sensor, state, event);
    state = offer.state;
    for (const dep of offer.decision.dependencies) {
      const seen = dependencies.get(dep.name);
      if (!seen?.matched) dependencies.set(dep.name, dep);
    }
    for (const trigger of offer.decision.triggers) {
      const seen = triggers.get(trigger.name);
      if (!seen?.fired) triggers.set(trigger.name, trigger);
      else if (trigger.fired) triggers.set(trigger.name, trigger);
    }
  }
  for (const dep of sensor.spec.dependencies) {
    if (!dependencies.has(dep.name))
      dependencies.set(dep.name, {
        name: dep.name,
        matched: false,
        reason: 'no event was delivered',
      });
  }
  for (const trigger of sensor.spec.triggers) {
    const name = trigger.template.name;
    if (!triggers.has(name))
      triggers.set(name, { name, fired: false, reason: 'no event was delivered' });
  }
  return {
    sensor: sensorKey(sensor),
    eventId: events.map((e) => e.id).join(','),
    dependencies: [...dependencies.values()],
    triggers: [...triggers.values()],
  };
}
