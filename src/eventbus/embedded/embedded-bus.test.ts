import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isPlinthError } from '../../errors/index.js';
import type { BusMessage, CloudEventJson } from '../types.js';
import { EmbeddedEventBus, embeddedBusFile } from './embedded-bus.js';

const logger = pino({ level: 'silent' });

describe('EmbeddedEventBus', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-embedded-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps its state in one SQLite file in the directory it is given', async () => {
    const nested = path.join(dir, 'a', 'b');
    const bus = await EmbeddedEventBus.create({ dir: nested, logger });
    await bus.close();
    expect(fs.existsSync(path.join(nested, embeddedBusFile))).toBe(true);
  });

  it('refuses a second bus on the same directory while the first is open', async () => {
    const first = await EmbeddedEventBus.create({ dir, logger });
    try {
      await expect(EmbeddedEventBus.create({ dir, logger })).rejects.toSatisfy(
        (err: unknown) =>
          isPlinthError(err, 'BUS_UNAVAILABLE') && /another Plinth process/.test(err.message),
      );
    } finally {
      await first.close();
    }
    const again = await EmbeddedEventBus.create({ dir, logger });
    await again.close();
  });

  it('delivers in order events too large to keep in memory, between small ones', async () => {
    const bus = await EmbeddedEventBus.create({ dir, logger });
    const seen: string[] = [];
    await bus.subscribe(
      async (m) => {
        seen.push(`${m.event.id}:${String((m.event.data as { s: string }).s.length)}`);
        await m.ack();
      },
      { durable: 'c', maxInFlight: 8 },
    );
    const sizes = [1, 200_000, 2, 300_000, 3];
    await Promise.all(
      sizes.map((n, i) =>
        bus.publish({
          specversion: '1.0',
          id: `e-${i}`,
          source: 's',
          subject: 'x',
          type: 'webhook',
          time: '2026-01-01T00:00:00Z',
          data: { s: 'x'.repeat(n) },
        }),
      ),
    );
    await bus.drain();
    await bus.close();
    expect(seen).toEqual(sizes.map((n, i) => `e-${i}:${n}`));
  });

  it('acknowledged in order, a consumer keeps only its floor: no row per event, nothing redelivered', async () => {
    const event = (n: number): CloudEventJson => ({
      specversion: '1.0',
      id: `e-${n}`,
      source: 'webhook',
      subject: 'environments',
      type: 'webhook',
      time: '2026-01-01T00:00:00Z',
      data: { n },
    });
    const bus = await EmbeddedEventBus.create({ dir, logger });
    const seen: number[] = [];
    await bus.subscribe(
      async (m: BusMessage) => {
        seen.push((m.event.data as { n: number }).n);
        await m.ack();
      },
      { durable: 'log', maxInFlight: 64 },
    );
    // Published together: one batch, served to the consumer from memory, acked in batches.
    await Promise.all(Array.from({ length: 100 }, (_, n) => bus.publish(event(n))));
    await bus.drain();
    await bus.close();
    expect(seen).toEqual(Array.from({ length: 100 }, (_, n) => n));

    const db = new BetterSqlite3(path.join(dir, embeddedBusFile), { readonly: true });
    try {
      const floor = db.prepare("SELECT ack_floor FROM consumers WHERE name = 'log'").get();
      expect(floor).toEqual({ ack_floor: 100 });
      const rows = db.prepare('SELECT COUNT(*) AS n FROM consumer_messages').get();
      expect(rows).toEqual({ n: 0 });
    } finally {
      db.close();
    }

    const reopened = await EmbeddedEventBus.create({ dir, logger });
    const again: number[] = [];
    await reopened.subscribe(
      async (m) => {
        again.push((m.event.data as { n: number }).n);
        await m.ack();
      },
      { durable: 'log' },
    );
    await reopened.publish(event(100));
    await reopened.drain();
    await reopened.close();
    expect(again).toEqual([100]);
  });
});
