import type { BusMessage, EventBus, Subscription } from '../eventbus/index.js';
import type { Logger } from '../logging/index.js';
import {
  createTriggerRunner,
  type SecretResolver,
  type TriggerWorkflows,
} from './triggers/index.js';
import {
  asPlinthError,
  firingDecision,
  offerEvent,
  resolveDlq,
  sensorKey,
  type Firing,
  type SensorDecision,
  type SensorState,
  type TriggerDecision,
} from './evaluate.js';
import {
  createScriptRunner,
  renderFilterTemplate,
  type FilterTools,
  type TemplateRenderer,
} from './dependencies/index.js';
import { CrashPoint, createFaultInjector, type FaultInjector } from './faults.js';
import { changedRecords, stateFromRecords, type SensorStateStore } from './persistence.js';
import { defaultMaxDeliveries, maxDeliveries, retryDelayMs } from './retry.js';
import type { Sensor } from './types.js';

/** What the sensor controller needs. */
export interface SensorControllerDeps {
  bus: EventBus;
  /** The engine's operations triggers use (`submit`; resume, terminate, ... when offered). */
  workflows: TriggerWorkflows;
  /** Secrets for http triggers (secureHeaders, basicAuth, TLS). */
  secrets?: SecretResolver;
  logger: Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;
  /** Called with every decision (each delivery of each event to each sensor), for "why did nothing run?". */
  onDecision?: (decision: SensorDecision) => void | Promise<void>;
  /** The clock, for the `events.argoproj.io/action-timestamp` label and `conditionsReset`. */
  now?: () => number;
  /** Go templates for data filters' `template`; Plinth's text/template with sprig by default. */
  renderTemplate?: TemplateRenderer;
  /** Crash points for tests; by default armed only by `PLINTH_TEST_CRASH_AT` in the environment. */
  faults?: FaultInjector;
  /**
   * Keeps held events, handled event ids and trigger firings across restarts
   * (the store's `sensorState`); without it they live in memory only.
   */
  state?: SensorStateStore;
}

/** Runs sensors against the bus: each sensor is a durable consumer `sensor:<namespace>/<name>`. */
export interface SensorController {
  /** Subscribes each sensor; resolves once all are subscribed. */
  start(sensors: readonly Sensor[]): Promise<void>;
  /** Unsubscribes and waits for the events being handled. */
  stop(): Promise<void>;
}

/** How many event ids a sensor remembers to drop a redelivered duplicate, as Argo's sensor does. */
const recentIdLimit = 1000;

/** How long kept event ids and firings outlive their event: far beyond any redelivery. */
const keptForMs = 7 * 24 * 3600_000;

interface SensorRuntime {
  sensor: Sensor;
  state: SensorState;
  recentIds: Set<string>;
  subscription?: Subscription;
}

export function createSensorController(deps: SensorControllerDeps): SensorController {
  const { bus, workflows, logger } = deps;
  const now = deps.now ?? Date.now;
  const fault = deps.faults ?? createFaultInjector(process.env);
  const runner = createTriggerRunner({
    ...(deps.secrets ? { secrets: deps.secrets } : {}),
    logger,
    now,
  });
  const tools: FilterTools = {
    scripts: createScriptRunner(),
    renderTemplate: deps.renderTemplate ?? renderFilterTemplate,
  };
  const runtimes: SensorRuntime[] = [];
  const inFlight = new Set<Promise<void>>();
  let stopped = false;

  async function record(decision: SensorDecision): Promise<void> {
    if (!deps.onDecision) return;
    try {
      await deps.onDecision(decision);
    } catch (err) {
      logger.error(
        { err, sensor: decision.sensor, eventId: decision.eventId },
        'recording a sensor decision failed',
      );
    }
  }

  async function execute(
    runtime: SensorRuntime,
    firing: Firing,
  ): Promise<{ decision: TriggerDecision; retry: boolean }> {
    const decision = firingDecision(firing);
    if (firing.error || !firing.implementation || !firing.resource)
      return { decision, retry: false };
    const { sensor } = runtime;
    const ids = [...firing.events.values()].map((e) => e.id).join('+');
    const name = firing.trigger.template.name;
    // Workflows are deduplicated by the engine; only the others need their firings kept.
    const kept = firing.implementation.idempotent ? undefined : deps.state;
    const before = await kept?.firing(sensorKey(sensor), name, ids);
    if (before) {
      logger.info(
        { sensor: sensorKey(sensor), trigger: name, events: ids },
        'trigger already fired with these events before a restart; not firing again',
      );
      return { decision: { ...decision, resource: before.result }, retry: false };
    }
    try {
      const workflow = await runner.run({
        key: `${sensorKey(sensor)}/${firing.trigger.template.name}`,
        trigger: firing.trigger,
        implementation: firing.implementation,
        resource: firing.resource,
        execution: {
          workflows,
          idempotencyKey: `${sensorKey(sensor)}/${firing.trigger.template.name}/${ids}`,
          labels: {
            'events.argoproj.io/sensor': sensor.metadata.name,
            'events.argoproj.io/trigger': firing.name,
            'events.argoproj.io/action-timestamp': String(now()),
          },
        },
      });
      await kept?.recordFiring(sensorKey(sensor), name, ids, workflow ?? null, now());
      return { decision: { ...decision, resource: workflow }, retry: false };
    } catch (caught) {
      const err = asPlinthError(caught);
      return {
        decision: { ...decision, fired: false, error: err.message, code: err.code },
        retry: err.retryable,
      };
    }
  }

  async function handle(runtime: SensorRuntime, message: BusMessage): Promise<void> {
    const { event } = message;
    const key = sensorKey(runtime.sensor);
    await fault(CrashPoint.BeforeHandle);
    if (runtime.recentIds.has(event.id) || (await deps.state?.isHandled(key, event.id))) {
      logger.debug({ sensor: key, eventId: event.id }, 'dropping an event already handled');
      await message.ack();
      return;
    }
    const offer = await offerEvent(runtime.sensor, runtime.state, event, { tools, now: now() });
    if (offer.firings.length > 0) await fault(CrashPoint.BeforeTrigger);
    const results = await Promise.all(offer.firings.map((firing) => execute(runtime, firing)));
    if (offer.firings.length > 0) await fault(CrashPoint.AfterSubmit);
    let next = 0;
    const triggers = offer.decision.triggers.map((t) =>
      t.events === undefined ? t : (results[next++]?.decision ?? t),
    );
    let decision: SensorDecision = { ...offer.decision, triggers };
    const retry = results.some((r) => r.retry);
    if (retry && message.deliveryCount < maxDeliveries(runtime.sensor, offer.firings, results)) {
      const delay = retryDelayMs(offer.firings, results, message.deliveryCount);
      logger.warn(
        { sensor: key, eventId: event.id, delayMs: delay },
        'a trigger failed and will be retried',
      );
      await record(decision);
      await message.nak(delay);
      return;
    }
    const dlqs = await fireDlqs(runtime, offer.firings, results);
    if (dlqs.length > 0) decision = { ...decision, triggers: [...triggers, ...dlqs] };
    for (const t of decision.triggers) {
      if (t.error !== undefined) {
        logger.warn(
          { sensor: key, eventId: event.id, trigger: t.name, code: t.code, error: t.error },
          'trigger failed',
        );
      } else if (t.fired) {
        logger.info({ sensor: key, eventId: event.id, trigger: t.name }, 'trigger fired');
      }
    }
    // Only an event that changed what triggers hold must not be handled twice; redelivering any
    // other decides the same again, and its firings are deduplicated.
    const changed = changedRecords(runtime.state, offer.state);
    if (deps.state && changed.triggers.length > 0)
      await deps.state.commit(key, event.id, changed.triggers, changed.records, now());
    runtime.state = offer.state;
    remember(runtime, event.id);
    await record(decision);
    await message.ack();
  }

  /** Fires the dlqTrigger of each trigger that failed for good after executing. */
  async function fireDlqs(
    runtime: SensorRuntime,
    firings: readonly Firing[],
    results: readonly { decision: TriggerDecision }[],
  ): Promise<TriggerDecision[]> {
    const out: TriggerDecision[] = [];
    for (const [i, firing] of firings.entries()) {
      // Unresolvable triggers had their dlqTrigger resolved with the offer already.
      if (firing.error || firing.dlqOf !== undefined) continue;
      if (results[i]?.decision.error === undefined) continue;
      const dlq = resolveDlq(runtime.sensor, firing);
      if (dlq) out.push((await execute(runtime, dlq)).decision);
    }
    return out;
  }

  function remember(runtime: SensorRuntime, id: string): void {
    runtime.recentIds.add(id);
    if (runtime.recentIds.size > recentIdLimit) {
      const [oldest] = runtime.recentIds;
      if (oldest !== undefined) runtime.recentIds.delete(oldest);
    }
  }

  return {
    async start(sensors) {
      stopped = false;
      await deps.state?.purge(now() - keptForMs);
      for (const sensor of sensors) {
        const kept = deps.state ? await deps.state.held(sensorKey(sensor)) : [];
        const runtime: SensorRuntime = {
          sensor,
          state: stateFromRecords(kept),
          recentIds: new Set(),
        };
        runtimes.push(runtime);
        runtime.subscription = await bus.subscribe(
          (message) => {
            if (stopped) return Promise.resolve();
            const work = handle(runtime, message).catch(async (err: unknown) => {
              logger.error(
                { err, sensor: sensorKey(sensor), eventId: message.event.id },
                'sensor failed to handle an event',
              );
              // A sensor bug must not hold the consumer forever: give up after a few deliveries.
              const settle =
                message.deliveryCount >= defaultMaxDeliveries
                  ? message.ack()
                  : message.nak(retryDelayMs([], [], message.deliveryCount));
              await settle.catch(() => undefined);
            });
            inFlight.add(work);
            return work.finally(() => inFlight.delete(work));
          },
          { durable: `sensor:${sensorKey(sensor)}`, maxInFlight: 1 },
        );
        logger.info({ sensor: sensorKey(sensor) }, 'sensor started');
      }
    },
    async stop() {
      stopped = true;
      const all = runtimes.splice(0);
      await Promise.all(all.map((r) => r.subscription?.unsubscribe()));
      await Promise.all([...inFlight]);
    },
  };
}
