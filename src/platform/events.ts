import { randomUUID } from 'node:crypto';
import { CloudEvent } from 'cloudevents';
import { InputError, NotFoundError, PlinthError } from '../errors/index.js';
import type { BusMessage, CloudEventJson, EventBus, Subscription } from '../eventbus/index.js';
import type { Logger } from '../logging/index.js';
import type { DependencyDecision, SensorDecision, TriggerDecision } from '../sensors/index.js';
import type {
  EventDecisionRecord,
  EventListFilter,
  EventRecord,
  EventSummaryRecord,
  Page,
  Store,
} from '../store/index.js';
import { Permission, authorize } from './authorization.js';
import type { Principal } from './types.js';
import type { EventBacklog } from './event-backlog.js';

/** The durable bus consumer that keeps every event. */
export const EVENT_LOG_CONSUMER = 'plinth:event-log';

/** The CloudEvents extension attribute a replayed event carries: the id of the event it replays. */
export const REPLAY_OF_EXTENSION = 'plinthreplayof';

/** What a trigger created, read from its resource (for a Workflow: kind, namespace, name). */
export interface CreatedResource {
  kind: string | null;
  namespace: string | null;
  name: string | null;
}

/** A trigger's decision as the event log shows it. */
export interface TriggerDecisionView extends TriggerDecision {
  /** What the trigger created, when it fired and its resource has a name. */
  created?: CreatedResource;
}

/** One decision of one sensor about an event. */
export interface EventDecisionView {
  /** `<namespace>/<name>`. */
  sensor: string;
  dependencies: DependencyDecision[];
  triggers: TriggerDecisionView[];
  decidedAt: string;
}

/** An event as lists show it: its context and every decision about it (triggers without their resources). */
export interface EventSummaryView {
  id: string;
  source: string;
  subject: string;
  type: string;
  time: string | null;
  receivedAt: string;
  /** The event this one replays, if it is a replay. */
  replayOf: string | null;
  decisions: EventDecisionView[];
}

/** An event with its payload and every decision in full. */
export interface EventView extends EventSummaryView {
  datacontenttype: string | null;
  /** The payload: parsed JSON, or its text when it is not JSON. */
  data: unknown;
}

/** Filters of the event list; see the store's EventListFilter. */
export type EventListQuery = EventListFilter;

/** The answer to a replay (202): the new event's id. */
export interface ReplayAccepted {
  id: string;
  replayOf: string;
  links: { self: string; original: string };
}

/** The event log: "why did nothing run?", and replay. */
export interface EventService {
  /** Keeps an event (idempotent on its id); answers whether it was new. */
  record(event: CloudEventJson): Promise<boolean>;
  /** Appends a sensor's decision; wire it as the sensor controller's `onDecision`. */
  recordDecision(decision: SensorDecision): Promise<void>;
  list(filter?: EventListQuery): Promise<Page<EventSummaryView>>;
  get(id: string): Promise<EventView>;
  /** Publishes the stored event again as a new event, so sensors decide about it afresh. */
  replay(id: string, actor: Principal): Promise<ReplayAccepted>;
}

/** Header values never kept, whatever the event source did with them. */
const secretHeaders = new Set(['authorization', 'proxy-authorization', 'cookie', 'x-gitlab-token']);
/** The text Argo's webhook puts in place of an Authorization header. */
const MASKED = '*** Masked Auth Secret ***';

function isJsonMediaType(contentType: string | undefined): boolean {
  if (contentType === undefined) return true;
  const base = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return base === 'application/json' || base.endsWith('+json') || base.endsWith('/json');
}

/** The payload of a structured CloudEvent: `data_base64` decoded (and parsed when JSON), or `data`. */
function payloadOf(event: CloudEventJson): unknown {
  if (typeof event.data_base64 !== 'string') return event.data;
  const text = Buffer.from(event.data_base64, 'base64').toString('utf8');
  if (!isJsonMediaType(event.datacontenttype)) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A webhook payload (`{header, ...}`) with secret header values masked. */
function withoutSecrets(data: unknown): unknown {
  if (!isRecord(data) || !isRecord(data['header'])) return data;
  const header: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(data['header'])) {
    header[name] = secretHeaders.has(name.toLowerCase())
      ? Array.isArray(value)
        ? value.map(() => MASKED)
        : MASKED
      : value;
  }
  return { ...data, header };
}

/** The record the event log keeps for a CloudEvent. */
export function eventRecordOf(event: CloudEventJson, receivedAt: string): EventRecord {
  const replayOf = event[REPLAY_OF_EXTENSION];
  return {
    id: String(event.id),
    source: String(event.source),
    subject: String(event.subject ?? ''),
    type: String(event.type),
    time: typeof event.time === 'string' ? event.time : null,
    datacontenttype: event.datacontenttype ?? null,
    data: withoutSecrets(payloadOf(event)),
    replayOf: typeof replayOf === 'string' ? replayOf : null,
    receivedAt,
  };
}

function createdBy(resource: unknown): CreatedResource | undefined {
  if (!isRecord(resource) || !isRecord(resource['metadata'])) return undefined;
  const meta = resource['metadata'];
  const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
  const name = text(meta['name']);
  if (name === null) return undefined;
  return { kind: text(resource['kind']), namespace: text(meta['namespace']), name };
}

function decisionView(record: EventDecisionRecord, withResources: boolean): EventDecisionView {
  const d = record.decision;
  const dependencies = Array.isArray(d['dependencies'])
    ? (d['dependencies'] as DependencyDecision[])
    : [];
  const triggers = (Array.isArray(d['triggers']) ? (d['triggers'] as TriggerDecision[]) : []).map(
    (t): TriggerDecisionView => {
      const created = t.fired ? createdBy(t.resource) : undefined;
      const { resource, ...rest } = t;
      return {
        ...rest,
        ...(withResources && resource !== undefined ? { resource } : {}),
        ...(created ? { created } : {}),
      };
    },
  );
  return { sensor: record.sensor, dependencies, triggers, decidedAt: record.decidedAt };
}

function summaryView(
  record: EventSummaryRecord,
  decisions: EventDecisionRecord[],
  withResources: boolean,
): EventSummaryView {
  return {
    id: record.id,
    source: record.source,
    subject: record.subject,
    type: record.type,
    time: record.time,
    receivedAt: record.receivedAt,
    replayOf: record.replayOf,
    decisions: decisions.map((d) => decisionView(d, withResources)),
  };
}

/** The CloudEvent that replays a stored one: a new id, the same context and payload. */
function replayEvent(stored: EventRecord, time: Date): CloudEventJson {
  const textInJson =
    typeof stored.data === 'string' && isJsonMediaType(stored.datacontenttype ?? undefined);
  const event = new CloudEvent<unknown>({
    id: randomUUID().replaceAll('-', ''),
    source: stored.source,
    subject: stored.subject,
    type: stored.type,
    time: time.toISOString(),
    ...(stored.datacontenttype === null ? {} : { datacontenttype: stored.datacontenttype }),
    // A JSON event whose payload was not JSON goes back as the bytes it came with.
    ...(textInJson
      ? { data_base64: Buffer.from(stored.data as string).toString('base64') }
      : stored.data === null
        ? {}
        : { data: stored.data }),
    [REPLAY_OF_EXTENSION]: stored.id,
  });
  return event.toJSON() as unknown as CloudEventJson;
}

/** A time filter as stored times are written (UTC, milliseconds), so text order is time order. */
function isoTime(field: string, value: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) {
    throw new InputError(`${field} is not a time`, {
      errors: [
        {
          field,
          message: `${JSON.stringify(value)} is not a time`,
          fix: 'give an RFC 3339 time, e.g. 2026-03-01T10:00:00Z',
        },
      ],
    });
  }
  return new Date(ms).toISOString();
}

/** The event log over the store; `bus` is needed only to replay. */
export function createEventService(deps: {
  store: Store;
  bus?: EventBus | undefined;
  clock: () => Date;
}): EventService {
  const { store, clock } = deps;

  async function decisionsByEvent(ids: string[]): Promise<Map<string, EventDecisionRecord[]>> {
    const byEvent = new Map<string, EventDecisionRecord[]>();
    for (const d of await store.events.decisions(ids)) {
      const list = byEvent.get(d.eventId);
      if (list) list.push(d);
      else byEvent.set(d.eventId, [d]);
    }
    return byEvent;
  }

  async function load(id: string): Promise<EventRecord> {
    const record = await store.events.get(id);
    if (!record)
      throw new NotFoundError(`event "${id}" does not exist`, { details: { event: id } });
    return record;
  }

  return {
    record: (event) => store.events.insert(eventRecordOf(event, clock().toISOString())),

    async recordDecision(decision) {
      await store.events.appendDecision({
        eventId: decision.eventId,
        sensor: decision.sensor,
        fired: decision.triggers.some((t) => t.fired),
        decision: { dependencies: decision.dependencies, triggers: decision.triggers },
        decidedAt: clock().toISOString(),
      });
    },

    async list(filter = {}) {
      const page = await store.events.list({
        ...filter,
        ...(filter.since === undefined ? {} : { since: isoTime('since', filter.since) }),
        ...(filter.until === undefined ? {} : { until: isoTime('until', filter.until) }),
      });
      const decisions = await decisionsByEvent(page.items.map((e) => e.id));
      return {
        items: page.items.map((e) => summaryView(e, decisions.get(e.id) ?? [], false)),
        ...(page.nextCursor === undefined ? {} : { nextCursor: page.nextCursor }),
      };
    },

    async get(id) {
      const record = await load(id);
      const decisions = await store.events.decisions([id]);
      return {
        ...summaryView(record, decisions, true),
        datacontenttype: record.datacontenttype,
        data: record.data,
      };
    },

    async replay(id, actor) {
      authorize(actor, Permission.EventsReplay, { kind: 'event', name: id });
      const stored = await load(id);
      if (!deps.bus) {
        throw new PlinthError('UNAVAILABLE', 'events cannot be replayed: no event bus is wired', {
          details: { event: id },
        });
      }
      const now = clock();
      const event = replayEvent(stored, now);
      await deps.bus.publish(event);
      // Kept at once, so the new id can be read back before the event log's consumer reaches it.
      await store.events.insert(eventRecordOf(event, now.toISOString()));
      return {
        id: event.id,
        replayOf: id,
        links: {
          self: `/api/v1/events/${encodeURIComponent(event.id)}`,
          original: `/api/v1/events/${encodeURIComponent(id)}`,
        },
      };
    },
  };
}

/** The bus consumer that keeps every event in the event log. */
export interface EventRecorder {
  /** Subscribes; events published before the first start are kept too. */
  start(): Promise<void>;
  /** Unsubscribes and waits for the events being stored. */
  stop(): Promise<void>;
}

export interface EventRecorderDeps {
  bus: EventBus;
  store: Store;
  logger: Pick<Logger, 'warn' | 'error'>;
  clock?: () => Date;
  /** Events stored at once (default 16); the log is idempotent on ids, so order does not matter. */
  maxInFlight?: number;
  /** Told of each stored event, for the queue depth and event lag metrics. */
  backlog?: Pick<EventBacklog, 'received'>;
}

/** Delay before a failed store is retried: 100 ms doubling up to 10 s. */
function retryDelayMs(deliveryCount: number): number {
  return Math.min(10_000, 100 * 2 ** Math.max(0, deliveryCount - 1));
}

/**
 * Keeps every CloudEvent on the bus in the event log, through the durable
 * consumer `plinth:event-log`: an event is acknowledged once it is stored,
 * and redelivered (with backoff) while the store fails.
 */
export function createEventRecorder(deps: EventRecorderDeps): EventRecorder {
  const { bus, store, logger } = deps;
  const clock = deps.clock ?? (() => new Date());
  const inFlight = new Set<Promise<void>>();
  let subscription: Subscription | undefined;
  let batch: { message: BusMessage; done: () => void }[] = [];

  // Events that arrive in the same turn share one insert: one commit per event
  // would cap webhook ingest (DESIGN.md, "Numbers worth knowing").
  async function flush(): Promise<void> {
    const taken = batch;
    batch = [];
    const receivedAt = clock().toISOString();
    try {
      let stored = true;
      try {
        await store.events.insertMany(taken.map((t) => eventRecordOf(t.message.event, receivedAt)));
      } catch (err) {
        stored = false;
        logger.error(
          { err, events: taken.length },
          'the event log could not store events; they will be redelivered',
        );
      }
      if (stored && deps.backlog) {
        for (const { message } of taken) {
          deps.backlog.received(message.event.id, message.event.time || receivedAt);
        }
      }
      await Promise.all(
        taken.map((t) =>
          stored ? t.message.ack() : t.message.nak(retryDelayMs(t.message.deliveryCount)),
        ),
      );
    } finally {
      taken.forEach((t) => t.done());
    }
  }

  function handle(message: BusMessage): Promise<void> {
    return new Promise<void>((done) => {
      if (batch.length === 0)
        setImmediate(
          () =>
            void flush().catch((err: unknown) =>
              logger.warn({ err }, 'acknowledging events failed'),
            ),
        );
      batch.push({ message, done });
    });
  }

  return {
    async start() {
      if (subscription) return;
      subscription = await bus.subscribe(
        (message) => {
          const work = handle(message).catch((err: unknown) => {
            logger.warn({ err, eventId: message.event.id }, 'acknowledging an event failed');
          });
          inFlight.add(work);
          return work.finally(() => inFlight.delete(work));
        },
        { durable: EVENT_LOG_CONSUMER, maxInFlight: deps.maxInFlight ?? 256, deliverPolicy: 'all' },
      );
    },
    async stop() {
      const current = subscription;
      subscription = undefined;
      await current?.unsubscribe();
      await Promise.all([...inFlight]);
    },
  };
}
