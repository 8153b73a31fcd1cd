import type { EventBus } from '../../eventbus/index.js';
import { ManifestError } from '../../errors/index.js';
import type { Logger } from '../../logging/index.js';
import { goStringMap, sourceCloudEvent } from '../cloud-event.js';
import { passesFilter, type FilterEvaluator } from '../filter.js';
import type { CalendarEventSource, EventSource } from '../types.js';
import { openPersistence, type CalendarPersistence } from './persistence.js';
import { calendarSchedule, type NextFire } from './schedule.js';
import { goTimeString, parseDurationMs, parseGoTimeString } from '../../time/index.js';

/** The payload Argo Events puts in a calendar event. */
export interface CalendarEventData {
  /** The time the event fired, as Go's `time.Time.String()` writes it. */
  eventTime: string;
  metadata?: Record<string, string>;
}

/** Time and timers, injectable so tests can drive a fake clock. */
export interface Clock {
  now(): number;
  /** Calls `fn` after `ms`; the real clock's timers do not keep the process alive. */
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

/** The process's clock, with unref'd timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(fn, ms) {
    const handle = setTimeout(fn, ms);
    handle.unref();
    return handle;
  },
  clearTimer(handle) {
    clearTimeout(handle as NodeJS.Timeout);
  },
};

export interface CalendarEventSourcesOptions {
  eventSources: readonly EventSource[];
  bus: EventBus;
  logger: Logger;
  /** Directory of the files that stand for `persistence.configMap`s; without it persistence is off. */
  persistenceDir?: string;
  /** Needed when a calendar source has a `filter`. */
  evaluateFilter?: FilterEvaluator;
  clock?: Clock;
}

/** One calendar event being scheduled. */
export interface CalendarSchedule {
  eventSourceName: string;
  eventName: string;
  /** The next time it fires (ms since the epoch), once started. */
  next: number | undefined;
}

export interface CalendarEventSources {
  /** Catches up missed events (when persistence asks for it) and arms the timers. */
  start(): Promise<void>;
  /** Disarms the timers and waits for an event being published. */
  stop(): Promise<void>;
  schedules(): CalendarSchedule[];
}

/** Longest delay a Node timer takes; longer waits are re-armed. */
const maxTimer = 2_147_483_647;
const retryAfterFailureMs = 100;

interface Entry {
  eventSource: EventSource;
  eventName: string;
  spec: CalendarEventSource;
  timeZone: string;
  next: NextFire;
  persistence: CalendarPersistence | undefined;
  nextAt: number | undefined;
  timer: unknown;
}

/**
 * Runs the calendar event sources of the given EventSources with Argo's
 * semantics: cron `schedule` or `interval`, `exclusionDates`, `timezone`,
 * `metadata`, `filter`, and `persistence` with catch-up of the events missed
 * while Plinth was down.
 */
export function createCalendarEventSources(
  opts: CalendarEventSourcesOptions,
): CalendarEventSources {
  const clock = opts.clock ?? systemClock;
  const log = opts.logger;
  const entries: Entry[] = [];
  for (const eventSource of opts.eventSources) {
    for (const [eventName, spec] of Object.entries(eventSource.spec.calendar ?? {})) {
      const where = `EventSource ${eventSource.metadata.name}, spec.calendar.${eventName}`;
      if (spec.filter?.expression && opts.evaluateFilter === undefined) {
        throw new ManifestError(`${where}.filter: event source filters are not supported yet`);
      }
      const timeZone = spec.timezone || 'UTC';
      let next: NextFire;
      try {
        next = calendarSchedule(spec, timeZone);
      } catch (err) {
        throw new ManifestError(`${where}: ${(err as Error).message}`, {}, { cause: err });
      }
      entries.push({
        eventSource,
        eventName,
        spec,
        timeZone,
        next,
        persistence: undefined,
        nextAt: undefined,
        timer: undefined,
      });
    }
  }
  let running = false;
  const inFlight = new Set<Promise<void>>();

  const keyOf = (e: Entry) => `${e.eventSource.metadata.name}.${e.eventName}`;

  async function openAll(): Promise<void> {
    const byName = new Map<string, Promise<CalendarPersistence>>();
    for (const e of entries) {
      const cm = e.spec.persistence?.configMap;
      if (cm === undefined) continue;
      if (opts.persistenceDir === undefined) {
        log.warn({ event: keyOf(e) }, 'calendar persistence needs a data directory; it is off');
        continue;
      }
      const name = cm.name || 'calendar';
      let opened = byName.get(name);
      if (opened === undefined) {
        opened = openPersistence(opts.persistenceDir, name, cm.createIfNotExist === true);
        byName.set(name, opened);
      }
      try {
        e.persistence = await opened;
      } catch (err) {
        log.error({ err, event: keyOf(e) }, 'calendar persistence unavailable; it is off');
      }
    }
  }

  /** Where the schedule resumes: now, or the last event kept when catch-up is on. */
  async function startTime(e: Entry): Promise<number> {
    const now = clock.now();
    const catchup = e.spec.persistence?.catchup;
    if (e.persistence === undefined || catchup?.enabled !== true) return now;
    let last = now;
    try {
      const payload = await e.persistence.get(keyOf(e));
      if (payload) {
        const kept = parseGoTimeString((JSON.parse(payload) as CalendarEventData).eventTime);
        if (kept !== undefined) last = kept;
      }
    } catch (err) {
      log.error({ err, event: keyOf(e) }, 'cannot read the last calendar event; not catching up');
    }
    const maxDuration = catchup.maxDuration ? parseDurationMs(catchup.maxDuration) : undefined;
    if (maxDuration !== undefined && maxDuration < now - last) last = now - maxDuration;
    return last;
  }

  /** Publishes one event; true when it is on the bus or was filtered out. */
  async function fire(e: Entry, at: number): Promise<boolean> {
    const data: CalendarEventData = { eventTime: goTimeString(at, e.timeZone) };
    const metadata = goStringMap(e.spec.metadata);
    if (metadata !== undefined) data.metadata = metadata;
    if (!passesFilter(e.spec.filter?.expression, data, opts.evaluateFilter, log)) return true;
    const event = sourceCloudEvent('calendar', e.eventSource.metadata.name, e.eventName, data);
    try {
      await opts.bus.publish(event);
    } catch (err) {
      log.error({ err, event: keyOf(e) }, 'failed to dispatch a calendar event');
      return false;
    }
    log.debug({ event: keyOf(e), eventId: event.id }, 'calendar event published');
    if (e.persistence !== undefined) {
      await e.persistence.save(keyOf(e), JSON.stringify(data)).catch((err: unknown) => {
        log.error({ err, event: keyOf(e) }, 'failed to persist the calendar event');
      });
    }
    return true;
  }

  /** Fires what is due (catching up), then arms the timer for the next event. */
  async function advance(e: Entry, last: number): Promise<void> {
    let cursor = last;
    while (running) {
      const at = e.next(cursor);
      e.nextAt = at;
      if (at === undefined) {
        log.warn({ event: keyOf(e) }, 'calendar schedule never fires again');
        return;
      }
      const now = clock.now();
      if (at > now) {
        arm(e, at, cursor);
        return;
      }
      const ok = await fire(e, at);
      if (!ok && e.persistence !== undefined) {
        // With persistence Argo retries the same time rather than lose it.
        e.timer = clock.setTimer(() => track(advance(e, cursor)), retryAfterFailureMs);
        return;
      }
      cursor = at;
    }
  }

  function arm(e: Entry, at: number, cursor: number): void {
    const wait = Math.min(at - clock.now(), maxTimer);
    e.timer = clock.setTimer(
      () => {
        e.timer = undefined;
        if (!running) return;
        const now = clock.now();
        if (now < at) return arm(e, at, cursor);
        track(
          fire(e, now).then((ok) => {
            if (!ok && e.persistence !== undefined) {
              e.timer = clock.setTimer(() => track(advance(e, cursor)), retryAfterFailureMs);
              return;
            }
            return advance(e, now);
          }),
        );
      },
      Math.max(0, wait),
    );
  }

  function track(p: Promise<void>): void {
    const tracked = p.catch((err: unknown) => {
      log.error({ err }, 'calendar event source failed');
    });
    inFlight.add(tracked);
    void tracked.finally(() => inFlight.delete(tracked));
  }

  return {
    async start() {
      if (running) return;
      running = true;
      await openAll();
      for (const e of entries) {
        const last = await startTime(e);
        log.info(
          { event: keyOf(e), from: new Date(last).toISOString() },
          'calendar event source started',
        );
        // Catching up runs beside the other calendars and does not hold up the start.
        track(advance(e, last));
      }
    },
    async stop() {
      running = false;
      for (const e of entries) {
        if (e.timer !== undefined) clock.clearTimer(e.timer);
        e.timer = undefined;
      }
      await Promise.all([...inFlight]);
    },
    schedules() {
      return entries.map((e) => ({
        eventSourceName: e.eventSource.metadata.name,
        eventName: e.eventName,
        next: e.nextAt,
      }));
    },
  };
}
