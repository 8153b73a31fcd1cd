import type { EventBus } from '../eventbus/index.js';
import type { Logger } from '../logging/index.js';
import {
  createCalendarEventSources,
  type CalendarSchedule,
  type Clock,
} from './calendar/calendar-sources.js';
import type { FilterEvaluator } from './filter.js';
import type { EventSource } from './types.js';
import {
  createWebhookEventSources,
  type SecretResolver,
  type WebhookEndpoint,
} from './webhook/webhook-sources.js';

export interface EventSourcesOptions {
  eventSources: readonly EventSource[];
  bus: EventBus;
  logger: Logger;
  /** Interface the HTTP event sources bind to. */
  host: string;
  /** Manifest port → port to bind; 0 picks a free port. */
  portMap?: ReadonlyMap<number, number>;
  /** Secrets named by the manifests (auth, TLS, HMAC, GitHub and GitLab secrets). */
  resolveSecret?: SecretResolver;
  /** Evaluates `filter.expression` (expr language) over an event's payload. */
  evaluateFilter?: FilterEvaluator;
  /** Where calendar sources keep their last event (`persistence`), e.g. `<dataDir>/eventsources`. */
  persistenceDir?: string;
  /** Time and timers for calendar sources; the system clock by default. */
  clock?: Clock;
  /**
   * With several processes sharing one bus: the calendars run only while
   * this process leads (a leader lease), so each tick is published once.
   */
  leadership?: {
    watch(fn: (leading: boolean) => void | Promise<void>): () => void;
  };
}

/** Every event source of the catalog, running. */
export interface EventSources {
  /** Binds the HTTP servers, then starts the calendars (catching up missed events). */
  start(): Promise<void>;
  /** Stops the calendars, then closes the servers. */
  stop(): Promise<void>;
  /** The HTTP endpoints (webhook, github, gitlab). */
  endpoints(): WebhookEndpoint[];
  /** The calendar events and when each fires next. */
  schedules(): CalendarSchedule[];
}

/**
 * Builds every event source type Plinth runs (webhook, calendar, github,
 * gitlab) from parsed EventSources; throws a ManifestError for one it cannot
 * run with the options given (a secret without a resolver, a filter without
 * an evaluator, a bad schedule, two endpoints on one path and port).
 */
export function createEventSources(opts: EventSourcesOptions): EventSources {
  const optional = {
    ...(opts.resolveSecret ? { resolveSecret: opts.resolveSecret } : {}),
    ...(opts.evaluateFilter ? { evaluateFilter: opts.evaluateFilter } : {}),
  };
  const http = createWebhookEventSources({
    eventSources: opts.eventSources,
    bus: opts.bus,
    host: opts.host,
    logger: opts.logger,
    ...(opts.portMap ? { portMap: opts.portMap } : {}),
    ...optional,
  });
  const calendars = createCalendarEventSources({
    eventSources: opts.eventSources,
    bus: opts.bus,
    logger: opts.logger,
    ...(opts.persistenceDir ? { persistenceDir: opts.persistenceDir } : {}),
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.evaluateFilter ? { evaluateFilter: opts.evaluateFilter } : {}),
  });
  let unwatch: (() => void) | undefined;
  let turn: Promise<void> = Promise.resolve();
  return {
    async start() {
      await http.start();
      if (opts.leadership) {
        unwatch = opts.leadership.watch((leading) => {
          turn = turn
            .then(() => (leading ? calendars.start() : calendars.stop()))
            .catch((err: unknown) => opts.logger.error({ err }, 'calendar event sources failed'));
          return turn;
        });
        return;
      }
      try {
        await calendars.start();
      } catch (err) {
        await http.stop();
        throw err;
      }
    },
    async stop() {
      unwatch?.();
      await turn;
      await calendars.stop();
      await http.stop();
    },
    endpoints: () => http.endpoints(),
    schedules: () => calendars.schedules(),
  };
}

/** What the sensors' secret resolver looks like (files, then environment variables). */
export interface KeyedSecretStore {
  resolve(ref: { kind: 'secret'; name: string; key: string }): Promise<string>;
}

/**
 * Adapts a resolver that throws when a secret is missing (the sensors' one)
 * to the event sources' `SecretResolver`, which answers `undefined`.
 */
export function secretResolverFrom(store: KeyedSecretStore): SecretResolver {
  return async (ref) => {
    try {
      return await store.resolve({ kind: 'secret', name: ref.name, key: ref.key });
    } catch (err) {
      if ((err as { code?: unknown }).code === 'NOT_FOUND') return undefined;
      throw err;
    }
  };
}
