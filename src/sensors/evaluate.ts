import type { CloudEventJson } from '../eventbus/index.js';
import { ManifestError, PlinthError } from '../errors/index.js';
import type { Workflow } from '../workflows/index.js';
import {
  createScriptRunner,
  matchDependency,
  offerDependency,
  planTrigger,
  renderFilterTemplate,
  resetHeld,
  type FilterTools,
  type PendingEvents,
  type TemplateRenderer,
  type TriggerHeld,
} from './dependencies/index.js';
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
  /** For a dlqTrigger: the trigger whose failure fired it. */
  dlqOf?: string;
}

/** A sensor's decisions about an event: the answer to "why did nothing run?". */
export interface SensorDecision {
  /** `<namespace>/<name>`. */
  sensor: string;
  eventId: string;
  dependencies: DependencyDecision[];
  triggers: TriggerDecision[];
}

/** The state a sensor keeps between events: what each trigger holds, by trigger name. */
export type SensorState = ReadonlyMap<string, TriggerHeld>;

/** What evaluating an event needs beyond the sensor and its state. */
export interface OfferContext {
  tools: FilterTools;
  /** When the event is handled (epoch ms): held events expire by `conditionsReset` against it. */
  now: number;
}

/** A trigger ready to run: its resolved resource, or why it cannot be resolved. */
export interface Firing {
  trigger: SensorTrigger;
  /** The trigger's name after template parameters (Argo labels what it creates with it). */
  name: string;
  events: PendingEvents;
  implementation?: Trigger;
  resource?: Workflow;
  error?: PlinthError;
  /** For a dlqTrigger's firing: the trigger that failed. */
  dlqOf?: string;
}

/** The outcome of offering one event to a sensor. */
export interface Offer {
  decision: SensorDecision;
  firings: Firing[];
  /** The sensor's state after the event; keep it only once the firings are handled. */
  state: SensorState;
  /** The dependencies whose source and name the event had (their reason, if any, is a filter's). */
  reachedFilters: ReadonlySet<string>;
}

export function sensorRef(sensor: Sensor): SensorRef {
  return { name: sensor.metadata.name, namespace: sensor.metadata.namespace ?? 'default' };
}

export function sensorKey(sensor: Sensor): string {
  const ref = sensorRef(sensor);
  return `${ref.namespace}/${ref.name}`;
}

/**
 * Offers one event to a sensor: matches it against every dependency (source,
 * name, filters), gives each trigger the dependencies it listens to, and
 * resolves the triggers that fire. Nothing is executed and the input state is
 * not changed.
 */
export async function offerEvent(
  sensor: Sensor,
  state: SensorState,
  event: CloudEventJson,
  context: OfferContext,
): Promise<Offer> {
  const dependencies: DependencyDecision[] = [];
  const reachedFilters = new Set<string>();
  const seen = new Map<string, CloudEventJson>();
  for (const dep of sensor.spec.dependencies) {
    if (event.source === dep.eventSourceName && event.subject === dep.eventName)
      reachedFilters.add(dep.name);
    const { event: transformed, ...match } = await matchDependency(dep, event, context.tools);
    if (transformed) seen.set(dep.name, transformed);
    dependencies.push({ name: dep.name, ...match });
  }
  const matched = dependencies.filter((d) => d.matched).map((d) => d.name);
  const next = new Map(state);
  const firings: Firing[] = [];
  const triggers: TriggerDecision[] = [];
  for (const trigger of sensor.spec.triggers) {
    const name = trigger.template.name;
    let plan;
    try {
      plan = planTrigger(sensor, trigger);
    } catch (err) {
      const error = asPlinthError(err);
      triggers.push({ name, fired: false, error: error.message, code: error.code });
      continue;
    }
    const listened = matched.filter((dep) => plan.dependencies.includes(dep));
    let held = resetHeld(plan, state.get(name) ?? new Map(), context.now);
    let waitingFor: string[] | undefined;
    const fired: Firing[] = [];
    for (const dependency of listened) {
      const outcome = offerDependency(
        plan,
        held,
        dependency,
        seen.get(dependency) ?? event,
        context.now,
      );
      held = outcome.held;
      if (outcome.fire) {
        const firing = resolveFiring(sensor, trigger, outcome.events);
        fired.push(firing);
        // A trigger that cannot even be resolved has failed for good: its dlqTrigger fires now.
        const dlq = firing.error ? resolveDlq(sensor, firing) : undefined;
        if (dlq) fired.push(dlq);
        waitingFor = undefined;
      } else {
        waitingFor = outcome.waitingFor;
      }
    }
    next.set(name, held);
    firings.push(...fired);
    if (fired.length > 0) {
      triggers.push(...fired.map(firingDecision));
    } else if (listened.length === 0) {
      triggers.push({ name, fired: false, reason: 'no dependency matched the event' });
    } else if (plan.conditions) {
      const received = [...held.keys()].join(', ');
      triggers.push({
        name,
        fired: false,
        reason: `waiting for conditions "${plan.conditions.source}" (received: ${received})`,
      });
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
    reachedFilters,
  };
}

/**
 * The firing of a failed trigger's `dlqTrigger`, with the same events, as
 * Argo fires it once the trigger has failed after its retries; undefined
 * without one.
 */
export function resolveDlq(sensor: Sensor, failed: Firing): Firing | undefined {
  const dlq = failed.trigger.dlqTrigger;
  if (!dlq) return undefined;
  return { ...resolveFiring(sensor, dlq, failed.events), dlqOf: failed.trigger.template.name };
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
  const dlqOf = firing.dlqOf === undefined ? {} : { dlqOf: firing.dlqOf };
  if (firing.error) {
    return {
      name: firing.trigger.template.name,
      fired: false,
      error: firing.error.message,
      code: firing.error.code,
      events,
      ...dlqOf,
    };
  }
  return {
    name: firing.trigger.template.name,
    fired: true,
    resource: firing.resource,
    events,
    ...dlqOf,
  };
}

/**
 * Which of a trigger's decisions over several events `evaluateSensor` reports:
 * the latest firing, else the latest failure, else the latest wait.
 */
function rank(decision: TriggerDecision): number {
  if (decision.fired) return 3;
  if (decision.error !== undefined) return 2;
  return decision.reason?.startsWith('waiting') ? 1 : 0;
}

/** Options of `evaluateSensor`. */
export interface EvaluateOptions {
  /** Runs Lua filter scripts; by default one is made for the call. */
  tools?: Partial<FilterTools>;
  renderTemplate?: TemplateRenderer;
}

/**
 * Delivers events to a sensor offline, in order, and says what it would do:
 * whether each dependency matched any event (with the reason when none did,
 * a filter's reason before a source or name mismatch) and whether each
 * trigger fires, with its resolved resource. Each event's `time` is the
 * clock, for `conditionsReset`. The controller runs the same code, then
 * executes the triggers.
 */
export async function evaluateSensor(
  sensor: Sensor,
  events: readonly CloudEventJson[],
  options: EvaluateOptions = {},
): Promise<SensorDecision> {
  const tools: FilterTools = {
    scripts: options.tools?.scripts ?? createScriptRunner(),
    renderTemplate: options.tools?.renderTemplate ?? options.renderTemplate ?? renderFilterTemplate,
  };
  let state: SensorState = new Map();
  let now = 0;
  const dependencies = new Map<string, DependencyDecision>();
  const filterReasons = new Set<string>();
  const triggers = new Map<string, TriggerDecision>();
  for (const event of events) {
    const time = Date.parse(event.time);
    if (!Number.isNaN(time)) now = time;
    const offer = await offerEvent(sensor, state, event, { tools, now });
    state = offer.state;
    for (const dep of offer.decision.dependencies) {
      const seen = dependencies.get(dep.name);
      const fromFilters = offer.reachedFilters.has(dep.name);
      if (seen?.matched) continue;
      if (seen === undefined || dep.matched || fromFilters || !filterReasons.has(dep.name)) {
        dependencies.set(dep.name, dep);
        if (fromFilters) filterReasons.add(dep.name);
      }
    }
    for (const trigger of offer.decision.triggers) {
      const seen = triggers.get(trigger.name);
      if (seen === undefined || rank(trigger) >= rank(seen)) triggers.set(trigger.name, trigger);
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
