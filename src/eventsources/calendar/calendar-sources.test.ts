import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmbeddedEventBus } from '../../eventbus/index.js';
import type { CloudEventJson, EventBus } from '../../eventbus/index.js';
import { parseEventSource } from '../parse.js';
import type { CalendarEventSource, EventSource } from '../types.js';
import {
  createCalendarEventSources,
  type CalendarEventSources,
  type Clock,
} from './calendar-sources.js';
import { payloadOf } from '../cloud-event.js';

const logger = pino({ level: 'silent' });

/** A clock whose time moves only when the test says so. */
class FakeClock implements Clock {
  private timers = new Map<number, { at: number; fn: () => void }>();
  private ids = 0;
  constructor(public time: number) {}
  now = () => this.time;
  setTimer(fn: () => void, ms: number): unknown {
    const id = ++this.ids;
    this.timers.set(id, { at: this.time + ms, fn });
    return id;
  }
  clearTimer(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  pending(): number {
    return this.timers.size;
  }
  /** Moves time forward, running each timer that falls due, in order. */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      const due = [...this.timers.entries()]
        .filter(([, t]) => t.at <= end)
        .sort((a, b) => a[1].at - b[1].at)[0];
      if (due === undefined) break;
      this.timers.delete(due[0]);
      this.time = Math.max(this.time, due[1].at);
      due[1].fn();
      await new Promise((r) => setTimeout(r, 5));
    }
    this.time = end;
  }
}

function calendar(events: Record<string, CalendarEventSource>): EventSource {
  return parseEventSource({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'EventSource',
    metadata: { name: 'cal' },
    spec: { calendar: events },
  });
}

describe('calendar EventSources', () => {
  let dir: string;
  let bus: EventBus;
  let received: CloudEventJson[];
  let running: CalendarEventSources[];

  const run = async (es: EventSource, clock: Clock | undefined, extra: object = {}) => {
    const sources = createCalendarEventSources({
      eventSources: [es],
      bus,
      logger,
      persistenceDir: path.join(dir, 'state'),
      ...(clock ? { clock } : {}),
      ...extra,
    });
    running.push(sources);
    await sources.start();
    return sources;
  };
  const settle = async (count: number) => {
    const deadline = Date.now() + 5_000;
    while (received.length < count && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 5));
    }
    return received;
  };

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-calendar-'));
    bus = await EmbeddedEventBus.create({ dir: path.join(dir, 'bus'), logger });
    received = [];
    running = [];
    await bus.subscribe(
      async (m) => {
        received.push(m.event);
        await m.ack();
      },
      { durable: 'test' },
    );
  });
  afterEach(async () => {
    for (const s of running) await s.stop();
    await bus.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('fires on its cron schedule with Argo’s payload, and nothing before', async () => {
    const clock = new FakeClock(Date.parse('2026-03-02T10:59:00Z'));
    const s = await run(
      calendar({ hourly: { schedule: '0 * * * *', metadata: { purpose: 'drift' } } }),
      clock,
    );
    expect(s.schedules()).toEqual([
      { eventSourceName: 'cal', eventName: 'hourly', next: Date.parse('2026-03-02T11:00:00Z') },
    ]);
    await clock.advance(59_000);
    expect(received).toHaveLength(0);
    await clock.advance(1_000);
    const [event] = await settle(1);
    expect(event).toMatchObject({
      specversion: '1.0',
      source: 'cal',
      subject: 'hourly',
      type: 'calendar',
      datacontenttype: 'application/json',
    });
    // Argo's Go SDK writes the payload bytes as data_base64.
    expect(event).not.toHaveProperty('data');
    expect(Buffer.from(event!.data_base64 as string, 'base64').toString()).toBe(
      '{"eventTime":"2026-03-02 11:00:00 +0000 UTC","metadata":{"purpose":"drift"}}',
    );
    expect(event!.id).toMatch(/^[0-9a-f]{32}$/);
    await clock.advance(2 * 3_600_000);
    await settle(3);
    expect(received.map((e) => (payloadOf(e) as { eventTime: string }).eventTime)).toEqual([
      '2026-03-02 11:00:00 +0000 UTC',
      '2026-03-02 12:00:00 +0000 UTC',
      '2026-03-02 13:00:00 +0000 UTC',
    ]);
  });

  it('fires an interval counted from the previous event, in its time zone', async () => {
    const clock = new FakeClock(Date.parse('2026-01-15T08:00:00.400Z'));
    await run(calendar({ tick: { interval: '90s', timezone: 'America/New_York' } }), clock);
    await clock.advance(90_000);
    await clock.advance(90_000);
    await settle(2);
    expect(received.map((e) => (payloadOf(e) as { eventTime: string }).eventTime)).toEqual([
      '2026-01-15 03:01:30 -0500 EST',
      '2026-01-15 03:03:00 -0500 EST',
    ]);
  });

  it('skips exclusion dates and drops events its filter rejects', async () => {
    const clock = new FakeClock(Date.parse('2026-12-24T13:00:00Z'));
    await run(
      calendar({
        noon: {
          schedule: '0 12 * * *',
          exclusionDates: ['EXDATE:20261225T000000Z'],
          metadata: { keep: 'no' },
          filter: { expression: 'metadata.keep == "yes"' },
        },
        other: { schedule: '0 12 * * *', exclusionDates: ['EXDATE:20261225T000000Z'] },
      }),
      clock,
      {
        evaluateFilter: (expression: string, env: Record<string, unknown>) =>
          expression === 'metadata.keep == "yes"' &&
          (env.metadata as Record<string, string>).keep === 'yes',
      },
    );
    await clock.advance(2 * 86_400_000);
    await settle(1);
    await new Promise((r) => setTimeout(r, 30));
    expect(
      received.map((e) => [e.subject, (payloadOf(e) as { eventTime: string }).eventTime]),
    ).toEqual([['other', '2026-12-26 12:00:00 +0000 UTC']]);
  });

  it('keeps its last event and catches up what it missed while stopped, up to maxDuration', async () => {
    const spec = {
      schedule: '*/10 * * * *',
      persistence: {
        catchup: { enabled: true, maxDuration: '25m' },
        configMap: { name: 'calendar-state', createIfNotExist: true },
      },
    };
    const clock = new FakeClock(Date.parse('2026-05-01T09:55:00Z'));
    const first = await run(calendar({ every10: spec }), clock);
    await clock.advance(5 * 60_000);
    await settle(1);
    await first.stop();
    expect(clock.pending()).toBe(0);
    const kept = JSON.parse(
      fs.readFileSync(path.join(dir, 'state', 'calendar-state.json'), 'utf8'),
    ) as Record<string, string>;
    expect(JSON.parse(kept['cal.every10']!)).toEqual({
      eventTime: '2026-05-01 10:00:00 +0000 UTC',
    });

    // Down for an hour: 10:10 .. 11:00 were missed; maxDuration keeps the last 25 minutes.
    const later = new FakeClock(Date.parse('2026-05-01T11:03:00Z'));
    await run(calendar({ every10: spec }), later);
    await settle(4);
    expect(received.map((e) => (payloadOf(e) as { eventTime: string }).eventTime)).toEqual([
      '2026-05-01 10:00:00 +0000 UTC',
      '2026-05-01 10:40:00 +0000 UTC',
      '2026-05-01 10:50:00 +0000 UTC',
      '2026-05-01 11:00:00 +0000 UTC',
    ]);
  });

  it('does not catch up without persistence', async () => {
    const clock = new FakeClock(Date.parse('2026-05-01T11:03:00Z'));
    const s = await run(calendar({ every10: { schedule: '*/10 * * * *' } }), clock);
    expect(received).toHaveLength(0);
    expect(s.schedules()[0]!.next).toBe(Date.parse('2026-05-01T11:10:00Z'));
  });

  it('fires on a real short interval and stops cleanly', async () => {
    const s = await run(calendar({ fast: { interval: '150ms' } }), undefined);
    const events = await settle(2);
    expect(events.length).toBeGreaterThanOrEqual(2);
    await s.stop();
    const count = received.length;
    await new Promise((r) => setTimeout(r, 350));
    expect(received).toHaveLength(count);
  });
});
