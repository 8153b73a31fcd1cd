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
    if (runtime.recentIds.has(event.id)) {
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
    const decision: SensorDecision = { ...offer.decision, triggers };
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
    for (const t of triggers) {
      if (t.error !== undefined) {
        logger.warn(
          { sensor: key, eventId: event.id, trigger: t.name, code: t.code, error: t.error },
          'trigger failed',
        );
      } else if (t.fired) {
        logger.info({ sensor: key, eventId: event.id, trigger: t.name }, 'trigger fired');
      }
    }
    runtime.state = offer.state;
    remember(runtime, event.id);
    await record(decision);
    await message.ack();
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
      for (const sensor of sensors) {
        const runtime: SensorRuntime = { sensor, state: new Map(), recentIds: new Set() };
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
