import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmbeddedEventBus, type EventBus } from '../eventbus/index.js';
import type { Clock } from './calendar/calendar-sources.js';
import { createEventSources } from './event-sources.js';
import { parseEventSource } from './parse.js';

const logger = pino({ level: 'silent' });

/** A clock that only counts the timers armed on it. */
class CountingClock implements Clock {
  private readonly timers = new Set<number>();
  private ids = 0;
  now = () => Date.parse('2026-01-01T00:00:00Z');
  setTimer(): unknown {
    const id = ++this.ids;
    this.timers.add(id);
    return id;
  }
  clearTimer(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  armed(): number {
    return this.timers.size;
  }
}

/** A leadership the test hands out and takes back. */
function leadership() {
  const watchers = new Set<(leading: boolean) => void | Promise<void>>();
  return {
    watch(fn: (leading: boolean) => void | Promise<void>) {
      watchers.add(fn);
      return () => watchers.delete(fn);
    },
    async set(leading: boolean) {
      await Promise.all([...watchers].map((fn) => fn(leading)));
    },
  };
}

describe('calendar EventSources under a leader lease', () => {
  let dir: string;
  let bus: EventBus;
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-leader-cal-'));
    bus = await EmbeddedEventBus.create({ dir: path.join(dir, 'bus'), logger });
  });
  afterEach(async () => {
    await bus.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('run only while this process leads', async () => {
    const clock = new CountingClock();
    const lead = leadership();
    const sources = createEventSources({
      eventSources: [
        parseEventSource({
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'EventSource',
          metadata: { name: 'ttl' },
          spec: { calendar: { tick: { interval: '1m' } } },
        }),
      ],
      bus,
      logger,
      host: '127.0.0.1',
      clock,
      leadership: lead,
    });
    await sources.start();
    expect(clock.armed()).toBe(0);
    await lead.set(true);
    expect(clock.armed()).toBe(1);
    await lead.set(false);
    expect(clock.armed()).toBe(0);
    // Leading again starts them again.
    await lead.set(true);
    expect(clock.armed()).toBe(1);
    await sources.stop();
    expect(clock.armed()).toBe(0);
  });
});
