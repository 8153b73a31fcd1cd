import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isPlinthError } from '../errors/index.js';
import { createEventBus, EmbeddedEventBus, JetStreamEventBus } from './index.js';
import type { BusMessage, CloudEventJson, EventBus } from './index.js';
import { deleteStream, listening, machineNatsUrl } from './jetstream/testing/nats.js';

const logger = pino({ level: 'silent' });

// Under CI the NATS cases always run (and fail when NATS is down); elsewhere
// they are skipped when nothing listens on 4222.
const natsUp = process.env['CI'] === 'true' || (await listening(4222));
if (!natsUp) console.warn(`skipping the JetStream bus cases: nothing listens at ${machineNatsUrl}`);

/** Each test's own stream, named after its temp dir so a restart finds it again. */
const streamFor = (dir: string) => `plinth-test-${path.basename(dir)}`;

/**
 * A bus implementation under test. `open` must give a bus over the same
 * durable state each time it is called with the same `dir`, so restarts can
 * be tested.
 */
interface BusKind {
  name: string;
  open(dir: string): Promise<EventBus>;
  /** Removes what `open` left outside `dir`. */
  cleanup?(dir: string): Promise<void>;
  skip?: boolean;
}

const busKinds: BusKind[] = [
  { name: 'embedded', open: (dir) => EmbeddedEventBus.create({ dir, logger }) },
  {
    name: 'embedded (synchronous=FULL)',
    open: (dir) => EmbeddedEventBus.create({ dir, logger, syncMode: 'full' }),
  },
  {
    name: 'NATS JetStream',
    open: (dir) =>
      JetStreamEventBus.create({ url: machineNatsUrl, stream: streamFor(dir), logger }),
    cleanup: (dir) => deleteStream(machineNatsUrl, streamFor(dir)),
    skip: !natsUp,
  },
];

function event(n: number): CloudEventJson {
  return {
    specversion: '1.0',
    id: `id-${n}`,
    source: 'webhook',
    subject: 'environments',
    type: 'webhook',
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    data: { header: {}, body: { n } },
  };
}

/** Collects deliveries and lets a test wait for a count of them. */
function collector(onMessage: (m: BusMessage) => Promise<void> | void = (m) => m.ack()) {
  const messages: BusMessage[] = [];
  let waiters: Array<{ count: number; resolve: () => void }> = [];
  return {
    messages,
    handler: async (m: BusMessage) => {
      messages.push(m);
      waiters = waiters.filter((w) => (messages.length >= w.count ? (w.resolve(), false) : true));
      await onMessage(m);
    },
    waitFor(count: number, timeoutMs = 5_000): Promise<void> {
      if (messages.length >= count) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`got ${messages.length} of ${count} messages`)),
          timeoutMs,
        );
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
  };
}

const bodyN = (m: BusMessage) => (m.event.data as { body: { n: number } }).body.n;

for (const kind of busKinds) {
  describe.skipIf(kind.skip === true)(`event bus: ${kind.name}`, () => {
    let dir: string;
    let open: EventBus[];
    const openBus = async () => {
      const bus = await kind.open(dir);
      open.push(bus);
      return bus;
    };

    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-bus-'));
      open = [];
    });
    afterEach(async () => {
      for (const bus of open) await bus.close();
      await kind.cleanup?.(dir);
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('delivers a published event, whole, to a subscriber', async () => {
      const bus = await openBus();
      const c = collector();
      await bus.subscribe(c.handler, { durable: 'sensor-a' });
      const sent = event(1);
      await bus.publish(sent);
      await c.waitFor(1);
      expect(c.messages[0]?.event).toEqual(sent);
      expect(c.messages[0]?.deliveryCount).toBe(1);
      expect(c.messages[0]?.seq).toBeGreaterThan(0);
    });

    it('delivers in publish order, one at a time by default', async () => {
      const bus = await openBus();
      let inHandler = 0;
      let maxSeen = 0;
      const c = collector(async (m) => {
        inHandler += 1;
        maxSeen = Math.max(maxSeen, inHandler);
        await new Promise((r) => setTimeout(r, 1));
        inHandler -= 1;
        await m.ack();
      });
      await bus.subscribe(c.handler, { durable: 'ordered' });
      await Promise.all(Array.from({ length: 50 }, (_, i) => bus.publish(event(i))));
      await c.waitFor(50);
      expect(c.messages.map(bodyN)).toEqual(Array.from({ length: 50 }, (_, i) => i));
      expect(maxSeen).toBe(1);
      const seqs = c.messages.map((m) => m.seq);
      expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    });

    it('keeps up to maxInFlight unacknowledged messages out at once', async () => {
      const bus = await openBus();
      const c = collector(() => undefined);
      await bus.subscribe(c.handler, { durable: 'wide', maxInFlight: 3 });
      for (let i = 0; i < 5; i++) await bus.publish(event(i));
      await c.waitFor(3);
      await new Promise((r) => setTimeout(r, 20));
      expect(c.messages.map(bodyN)).toEqual([0, 1, 2]);
      await c.messages[1]?.ack();
      await c.waitFor(4);
      expect(bodyN(c.messages[3]!)).toBe(3);
    });

    it('gives every durable consumer every event', async () => {
      const bus = await openBus();
      const a = collector();
      const b = collector();
      await bus.subscribe(a.handler, { durable: 'a' });
      await bus.subscribe(b.handler, { durable: 'b' });
      for (let i = 0; i < 10; i++) await bus.publish(event(i));
      await Promise.all([a.waitFor(10), b.waitFor(10)]);
      expect(a.messages.map(bodyN)).toEqual(b.messages.map(bodyN));
      expect(a.messages).toHaveLength(10);
    });

    it('refuses a second subscriber on the same durable consumer', async () => {
      const bus = await openBus();
      await bus.subscribe(async () => undefined, { durable: 'once' });
      await expect(bus.subscribe(async () => undefined, { durable: 'once' })).rejects.toSatisfy(
        (err: unknown) => isPlinthError(err, 'CONFLICT'),
      );
    });

    it('redelivers an unacknowledged event after ackWaitMs', async () => {
      const bus = await openBus();
      const c = collector((m) => (m.deliveryCount >= 2 ? m.ack() : undefined));
      await bus.subscribe(c.handler, { durable: 'slow', ackWaitMs: 50 });
      await bus.publish(event(1));
      await c.waitFor(2);
      expect(c.messages.map((m) => [bodyN(m), m.deliveryCount])).toEqual([
        [1, 1],
        [1, 2],
      ]);
    });

    it('redelivers on nak, and after a handler throws', async () => {
      const bus = await openBus();
      const c = collector(async (m) => {
        if (m.deliveryCount === 1) return m.nak();
        if (m.deliveryCount === 2) throw new Error('handler failed');
        await m.ack();
      });
      await bus.subscribe(c.handler, { durable: 'picky', ackWaitMs: 50 });
      await bus.publish(event(7));
      await bus.publish(event(8));
      await c.waitFor(4);
      expect(c.messages.map((m) => [bodyN(m), m.deliveryCount])).toEqual([
        [7, 1],
        [7, 2],
        [7, 3],
        [8, 1],
      ]);
    });

    it('nak with a delay holds the event back that long', async () => {
      const bus = await openBus();
      const c = collector((m) => (m.deliveryCount === 1 ? m.nak(80) : m.ack()));
      await bus.subscribe(c.handler, { durable: 'later' });
      await bus.publish(event(1));
      await c.waitFor(1);
      const first = Date.now();
      await c.waitFor(2);
      expect(Date.now() - first).toBeGreaterThanOrEqual(70);
    });

    it('keeps published events across a restart', async () => {
      const first = await openBus();
      await first.publish(event(1));
      await first.publish(event(2));
      await first.close();
      const bus = await openBus();
      const c = collector();
      await bus.subscribe(c.handler, { durable: 'late' });
      await c.waitFor(2);
      expect(c.messages.map(bodyN)).toEqual([1, 2]);
    });

    it('redelivers after a restart what was not acknowledged, and only that', async () => {
      const first = await openBus();
      const before = collector((m) => (bodyN(m) === 1 ? m.ack() : undefined));
      await first.subscribe(before.handler, { durable: 'resumer', maxInFlight: 2 });
      for (let i = 1; i <= 3; i++) await first.publish(event(i));
      await before.waitFor(3);
      await first.close();

      const bus = await openBus();
      const after = collector();
      await bus.subscribe(after.handler, { durable: 'resumer', maxInFlight: 2 });
      await after.waitFor(2);
      await bus.publish(event(4));
      await after.waitFor(3);
      expect(after.messages.map((m) => [bodyN(m), m.deliveryCount])).toEqual([
        [2, 2],
        [3, 2],
        [4, 1],
      ]);
    });

    it('resumes where a consumer left off after unsubscribing', async () => {
      const bus = await openBus();
      const a = collector();
      const sub = await bus.subscribe(a.handler, { durable: 'resume' });
      await bus.publish(event(1));
      await a.waitFor(1);
      await sub.unsubscribe();
      await bus.publish(event(2));
      const b = collector();
      await bus.subscribe(b.handler, { durable: 'resume' });
      await b.waitFor(1);
      expect(b.messages.map(bodyN)).toEqual([2]);
    });

    it('starts a new consumer at the next event with deliverPolicy new', async () => {
      const bus = await openBus();
      await bus.publish(event(1));
      const c = collector();
      await bus.subscribe(c.handler, { durable: 'fresh', deliverPolicy: 'new' });
      await bus.publish(event(2));
      await c.waitFor(1);
      await bus.drain?.();
      expect(c.messages.map(bodyN)).toEqual([2]);
    });

    it('drain resolves once every consumer has acknowledged everything', async () => {
      const bus = await openBus();
      const c = collector(async (m) => {
        await new Promise((r) => setTimeout(r, 2));
        await m.ack();
      });
      await bus.subscribe(c.handler, { durable: 'drainer' });
      for (let i = 0; i < 5; i++) void bus.publish(event(i));
      await bus.drain?.();
      expect(c.messages).toHaveLength(5);
    });

    it('rejects publish once closed', async () => {
      const bus = await openBus();
      await bus.close();
      await expect(bus.publish(event(1))).rejects.toSatisfy((err: unknown) =>
        isPlinthError(err, 'BUS_UNAVAILABLE'),
      );
    });
  });
}

describe('createEventBus', () => {
  it('opens the embedded bus in the data directory', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-bus-'));
    try {
      const bus = await createEventBus({ bus: 'embedded', dataDir, logger });
      await bus.publish(event(1));
      await bus.close();
      expect(fs.existsSync(path.join(dataDir, 'eventbus', 'eventbus.db'))).toBe(true);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it.skipIf(!natsUp)('opens the JetStream bus for a nats:// URL', async () => {
    const stream = `plinth-test-create-${process.pid}-${Date.now()}`;
    const bus = await createEventBus({ bus: machineNatsUrl, dataDir: os.tmpdir(), logger, stream });
    try {
      expect(bus).toBeInstanceOf(JetStreamEventBus);
      await bus.publish(event(1));
    } finally {
      await bus.close();
      await deleteStream(machineNatsUrl, stream);
    }
  });

  it('refuses a bus it does not know, without showing credentials', async () => {
    const err: unknown = await createEventBus({
      bus: 'kafka://user:hunter2@x',
      dataDir: os.tmpdir(),
      logger,
    }).catch((e: unknown) => e);
    expect(isPlinthError(err, 'INVALID_INPUT')).toBe(true);
    expect(JSON.stringify(err) + String(err)).not.toContain('hunter2');
  });
});
