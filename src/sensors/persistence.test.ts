import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EmbeddedEventBus } from '../eventbus/index.js';
import { PlinthError } from '../errors/index.js';
import type { Store } from '../store/index.js';
// eslint-disable-next-line no-restricted-imports -- the store's test-only dialect list (one suite, every backend)
import { testDialects } from '../store/testing/dialects.js';
import type { SubmitOptions, Workflow } from '../workflows/index.js';
import { createSensorController, type SensorController } from './controller.js';
import type { SensorDecision } from './evaluate.js';
import { CrashPoint, type FaultInjector } from './faults.js';
import { parseSensor } from './parse.js';
import { fixture, webhookEvent } from './testing/fixtures.js';
import type { Sensor } from './types.js';

const logger = pino({ level: 'silent' });

/** Creates one Workflow per idempotency key, as the engine does; can fail its next calls. */
class Engine {
  readonly created: Workflow[] = [];
  readonly calls: Workflow[] = [];
  private readonly byKey = new Map<string, Workflow>();
  failures = 0;

  submit(workflow: Workflow, options?: SubmitOptions): Promise<Workflow> {
    this.calls.push(workflow);
    if (this.failures > 0) {
      this.failures--;
      return Promise.reject(new PlinthError('INVALID_MANIFEST', 'the template is broken'));
    }
    const existing = this.byKey.get(options?.idempotencyKey ?? '');
    if (existing) return Promise.resolve(existing);
    const made = {
      ...workflow,
      metadata: { ...workflow.metadata, name: `wf-${this.created.length + 1}` },
    };
    this.created.push(made);
    if (options?.idempotencyKey) this.byKey.set(options.idempotencyKey, made);
    return Promise.resolve(made);
  }
}

const midnight = Date.parse('2024-06-01T00:00:00Z');
const hour = 3_600_000;

for (const dialect of await testDialects()) {
  describe(`sensor state across restarts (${dialect.name})`, () => {
    let dir: string;
    let bus: EmbeddedEventBus;
    let store: Store;
    let engine: Engine;
    let decisions: SensorDecision[];
    let controller: SensorController | undefined;
    let http: Server;
    let requests: IncomingHttpHeaders[];
    let sensor: Sensor;

    beforeAll(async () => {
      requests = [];
      http = createServer((req, res) => {
        requests.push(req.headers);
        req.resume();
        req.on('end', () => res.end('ok'));
      });
      await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
      const { port } = http.address() as AddressInfo;
      sensor = parseSensor(
        fixture('restart-sensor.yaml').replace('127.0.0.1:1/', `127.0.0.1:${port}/`),
      );
    });

    afterAll(async () => {
      await new Promise((resolve) => http.close(resolve));
    });

    beforeEach(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'plinth-sensor-state-'));
      bus = await EmbeddedEventBus.create({ dir, logger, syncMode: 'normal' });
      store = await dialect.open(dir);
      engine = new Engine();
      decisions = [];
      requests.length = 0;
    });

    afterEach(async () => {
      await controller?.stop();
      controller = undefined;
      await bus.close();
      await store.close();
      await dialect.destroy(dir);
      await rm(dir, { recursive: true, force: true });
    });

    /** A fresh controller, as a restarted process makes one: nothing in memory. */
    async function restart(
      at: number,
      options: { persist?: boolean; faults?: FaultInjector } = {},
    ): Promise<void> {
      await controller?.stop();
      controller = createSensorController({
        bus,
        workflows: engine,
        logger,
        onDecision: (d) => {
          decisions.push(d);
        },
        now: () => at,
        ...(options.persist === false ? {} : { state: store.sensorState }),
        ...(options.faults ? { faults: options.faults } : {}),
      });
      await controller.start([sensor]);
    }

    async function deliver(...events: ReturnType<typeof webhookEvent>[]): Promise<void> {
      for (const event of events) await bus.publish(event);
      await bus.drain?.();
    }

    const build = webhookEvent('b1', 'ci', 'build', { version: '2.0.0' });
    const approval = webhookEvent('a1', 'webhook', 'approvals', { by: 'ana' });

    it('fires a two-dependency trigger when the second event arrives after a restart', async () => {
      await restart(midnight + hour);
      await deliver(build);
      expect(engine.calls).toHaveLength(0);

      await restart(midnight + 2 * hour);
      await deliver(approval);
      expect(engine.created).toHaveLength(1);
      expect(engine.created[0]?.spec.arguments?.parameters).toEqual([
        { name: 'version', value: '2.0.0' },
        { name: 'approver', value: 'ana' },
      ]);
      expect(decisions.at(-1)?.triggers.find((t) => t.name === 'deploy')).toMatchObject({
        fired: true,
        events: { build: 'b1', approval: 'a1' },
      });

      // Fired: the held events are gone, for this process and the next.
      await restart(midnight + 3 * hour);
      await deliver(webhookEvent('a2', 'webhook', 'approvals', { by: 'bo' }));
      expect(engine.created).toHaveLength(1);
    });

    it('without the store, the restart forgets the first event (what the store fixes)', async () => {
      await restart(midnight + hour, { persist: false });
      await deliver(build);
      await restart(midnight + 2 * hour, { persist: false });
      await deliver(approval);
      expect(engine.calls).toHaveLength(0);
    });

    it('respects conditionsReset for what it kept: a held event from before the reset is dropped', async () => {
      await restart(midnight + hour);
      await deliver(build);
      await restart(midnight + 25 * hour);
      await deliver(approval);
      expect(engine.calls).toHaveLength(0);
      expect(decisions.at(-1)?.triggers.find((t) => t.name === 'deploy')?.reason).toContain(
        'received: approval',
      );
    });

    it('drops an event it finished with before the restart, by its id', async () => {
      await restart(midnight + hour);
      await deliver(build);
      await restart(midnight + 2 * hour);
      await deliver(build);
      expect(decisions.map((d) => d.eventId)).toEqual(['b1']);
      await deliver(approval);
      expect(engine.created).toHaveLength(1);
    });

    it('http and log triggers fire once per event when the handler dies after firing, and http sends an Idempotency-Key', async () => {
      let crashes = 1;
      let handled = 0;
      const faults: FaultInjector = (point) => {
        if (point !== CrashPoint.AfterSubmit) return Promise.resolve();
        handled++;
        if (crashes-- > 0) return Promise.reject(new Error('killed after the triggers ran'));
        return Promise.resolve();
      };
      await restart(midnight + hour, { faults });
      await deliver(webhookEvent('p1', 'webhook', 'ping', { n: 1 }));
      // The event came back (the first handling died before it was acknowledged) and was handled.
      expect(handled).toBe(2);
      expect(decisions).toHaveLength(1);
      expect(requests).toHaveLength(1);
      expect(requests[0]?.['idempotency-key']).toBe('plinth/restart/notify/p1');
      const triggers = decisions[0]?.triggers ?? [];
      expect(triggers.find((t) => t.name === 'notify')).toMatchObject({ fired: true });
      expect(triggers.find((t) => t.name === 'audit')).toMatchObject({
        fired: true,
        resource: { logged: true },
      });
      expect(await store.sensorState.firing('plinth/restart', 'audit', 'p1')).toEqual({
        result: { logged: true },
      });

      await deliver(webhookEvent('p2', 'webhook', 'ping', { n: 2 }));
      expect(requests).toHaveLength(2);
    });

    it('a crash before the triggers ran still fires them after the restart (at least once)', async () => {
      let crashes = 1;
      const faults: FaultInjector = (point) => {
        if (point === CrashPoint.BeforeTrigger && crashes-- > 0)
          return Promise.reject(new Error('killed before the triggers ran'));
        return Promise.resolve();
      };
      await restart(midnight + hour);
      await deliver(build);
      await restart(midnight + 2 * hour, { faults });
      await deliver(approval);
      expect(engine.created).toHaveLength(1);
      expect(decisions.map((d) => d.eventId)).toEqual(['b1', 'a1']);
    });
  });
}

describe('dlqTrigger', () => {
  let dir: string;
  let bus: EmbeddedEventBus;
  let controller: SensorController;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'plinth-sensor-dlq-'));
    bus = await EmbeddedEventBus.create({ dir, logger, syncMode: 'normal' });
  });

  afterEach(async () => {
    await controller.stop();
    await bus.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('fires with the same events once the trigger failed after its retries', async () => {
    const engine = new Engine();
    engine.failures = 2;
    const decisions: SensorDecision[] = [];
    controller = createSensorController({
      bus,
      workflows: engine,
      logger,
      onDecision: (d) => {
        decisions.push(d);
      },
    });
    await controller.start([parseSensor(fixture('dlq-sensor.yaml'))]);
    await bus.publish(webhookEvent('o1', 'webhook', 'orders', { id: 'A-7' }));
    await bus.drain?.();

    expect(engine.calls.map((w) => w.metadata.generateName)).toEqual([
      'order-',
      'order-',
      'order-failed-',
    ]);
    expect(engine.created[0]?.spec.arguments?.parameters).toEqual([{ name: 'id', value: 'A-7' }]);
    expect(decisions.at(-1)?.triggers).toMatchObject([
      { name: 'submit-order', fired: false, error: expect.stringContaining('after 2 attempts') },
      { name: 'order-failed', fired: true, dlqOf: 'submit-order', events: { order: 'o1' } },
    ]);
  });

  it('does not fire when the trigger succeeds', async () => {
    const engine = new Engine();
    controller = createSensorController({ bus, workflows: engine, logger });
    await controller.start([parseSensor(fixture('dlq-sensor.yaml'))]);
    await bus.publish(webhookEvent('o1', 'webhook', 'orders', { id: 'A-7' }));
    await bus.drain?.();
    expect(engine.created.map((w) => w.metadata.generateName)).toEqual(['order-']);
  });
});
