import { createHash } from 'node:crypto';
import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  jetstream,
  jetstreamManager,
  JetStreamApiCodes,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
} from '@nats-io/jetstream';
import type { JetStreamClient, JetStreamManager, StreamConfig } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { ConflictError, InputError, PlinthError } from '../../errors/index.js';
import type { Logger } from '../../logging/index.js';
import type {
  BusHandler,
  CloudEventJson,
  EventBus,
  SubscribeOptions,
  Subscription,
} from '../types.js';
import { connectNats, parseBusUrl, scrub, type NatsCredentials } from './connection.js';
import { readEventBus, type EventBusManifest } from './eventbus-spec.js';
import { parseStreamConfig, type StreamSettings } from './stream-config.js';
import { PullSubscription } from './subscription.js';

/** The stream's name when neither the options nor an EventBus give one. */
export const defaultStreamName = 'plinth-events';

export interface JetStreamEventBusOptions {
  /** `nats://host[:port]`, several separated by commas. Credentials in it are accepted and never shown. */
  url: string;
  /** Token auth (PLINTH_BUS_TOKEN); wins over credentials in the URL. */
  token?: string | undefined;
  /** User and password auth (PLINTH_BUS_USER, PLINTH_BUS_PASSWORD). */
  user?: string | undefined;
  password?: string | undefined;
  /**
   * The stream (and the first token of its subjects,
   * `<stream>.<eventSourceName>.<eventName>` as Argo lays them out under
   * `default`). Default: the EventBus's name, else `plinth-events`.
   */
  stream?: string | undefined;
  /** The EventBus manifest: `streamConfig` and which credentials it asks for. */
  eventBus?: EventBusManifest | undefined;
  logger: Logger;
  /** How long `publish` waits for JetStream's ack before rejecting (default 5000 ms). */
  publishTimeoutMs?: number | undefined;
  /** Keep trying to reach a server that is down at start instead of failing (default false). */
  waitOnFirstConnect?: boolean | undefined;
}

const defaultAckWaitMs = 30_000;
const drainPollMs = 10;
const closeTimeoutMs = 2_000;

/**
 * The event bus on a NATS JetStream server: one file-backed stream, events
 * deduplicated by their CloudEvent id (`Nats-Msg-Id`), and a durable pull
 * consumer with explicit acks per subscription. `publish` resolves only on
 * JetStream's ack, so an accepted event is on the server's disk.
 */
export class JetStreamEventBus implements EventBus {
  /** The stream's name. */
  readonly stream: string;
  readonly #nc: NatsConnection;
  readonly #js: JetStreamClient;
  readonly #jsm: JetStreamManager;
  readonly #logger: Logger;
  readonly #secrets: NatsCredentials;
  readonly #publishTimeoutMs: number;
  readonly #subscriptions = new Map<string, PullSubscription>();
  readonly #pending = new Set<Promise<unknown>>();
  #closed = false;

  private constructor(init: {
    nc: NatsConnection;
    jsm: JetStreamManager;
    stream: string;
    logger: Logger;
    secrets: NatsCredentials;
    publishTimeoutMs: number;
  }) {
    this.#nc = init.nc;
    this.#jsm = init.jsm;
    this.#js = jetstream(init.nc);
    this.stream = init.stream;
    this.#logger = init.logger;
    this.#secrets = init.secrets;
    this.#publishTimeoutMs = init.publishTimeoutMs;
  }

  /** Connects, and creates the stream when it does not exist yet. */
  static async create(opts: JetStreamEventBusOptions): Promise<JetStreamEventBus> {
    const url = parseBusUrl(opts.url);
    const explicit = Boolean(opts.token || opts.user);
    const credentials: NatsCredentials = explicit
      ? { token: opts.token || undefined, user: opts.user || undefined, password: opts.password }
      : url.credentials;
    const spec = readEventBus(opts.eventBus);
    const settings = parseStreamConfig(spec.streamConfig);
    const stream = natsName(opts.stream ?? spec.name ?? defaultStreamName);
    const nc = await connectNats({
      url,
      credentials,
      bus: spec,
      logger: opts.logger,
      waitOnFirstConnect: opts.waitOnFirstConnect ?? false,
      name: `plinth ${stream}`,
    });
    try {
      const jsm = await jetstreamManager(nc);
      await ensureStream(jsm, stream, settings, nc.info?.cluster !== undefined, opts.logger);
      opts.logger.info({ bus: url.display, stream }, 'connected to the NATS JetStream bus');
      return new JetStreamEventBus({
        nc,
        jsm,
        stream,
        logger: opts.logger,
        secrets: credentials,
        publishTimeoutMs: opts.publishTimeoutMs ?? 5_000,
      });
    } catch (err) {
      await nc.close().catch(() => undefined);
      if (err instanceof PlinthError) throw err;
      throw new PlinthError(
        'BUS_UNAVAILABLE',
        `cannot set up the JetStream stream ${stream} at ${url.display}: ${message(err, credentials)}`,
        { details: { stream } },
      );
    }
  }

  publish(event: CloudEventJson): Promise<void> {
    if (this.#closed) return Promise.reject(closedError());
    let body: string;
    try {
      body = JSON.stringify(event);
    } catch (err) {
      return Promise.reject(
        new InputError('the event is not serializable as JSON', { cause: err }),
      );
    }
    const subject = `${this.stream}.${subjectToken(event.source)}.${subjectToken(event.subject)}`;
    const acked = this.#js
      .publish(subject, body, { msgID: String(event.id), timeout: this.#publishTimeoutMs })
      .then(
        () => undefined,
        (err: unknown) => {
          throw new PlinthError(
            'BUS_UNAVAILABLE',
            `JetStream did not confirm event ${String(event.id)}: ${message(err, this.#secrets)}`,
            { details: { stream: this.stream } },
          );
        },
      );
    this.#pending.add(acked);
    const forget = () => this.#pending.delete(acked);
    acked.then(forget, forget);
    return acked;
  }

  async subscribe(handler: BusHandler, options: SubscribeOptions): Promise<Subscription> {
    if (this.#closed) throw closedError();
    const name = options.durable;
    if (!name) throw new InputError('a subscription needs a durable consumer name');
    if (this.#subscriptions.has(name)) {
      throw new ConflictError(
        `the durable consumer ${JSON.stringify(name)} already has a subscriber`,
      );
    }
    const maxInFlight = options.maxInFlight ?? 1;
    const ackWaitMs = options.ackWaitMs ?? defaultAckWaitMs;
    if (!Number.isInteger(maxInFlight) || maxInFlight < 1) {
      throw new InputError(`maxInFlight must be a positive integer, not ${maxInFlight}`);
    }
    if (!(ackWaitMs > 0)) throw new InputError(`ackWaitMs must be positive, not ${ackWaitMs}`);
    const durable = consumerName(name);
    try {
      await this.#ensureConsumer(durable, ackWaitMs, maxInFlight, options.deliverPolicy ?? 'all');
      const sub = await PullSubscription.start({
        durable,
        open: async () => {
          const consumer = await this.#js.consumers.get(this.stream, durable);
          return consumer.consume({ max_messages: Math.max(maxInFlight, 64) });
        },
        handler,
        logger: this.#logger,
      });
      this.#subscriptions.set(name, sub);
      return {
        unsubscribe: async () => {
          if (this.#subscriptions.get(name) === sub) this.#subscriptions.delete(name);
          await sub.stop();
        },
      };
    } catch (err) {
      throw new PlinthError(
        'BUS_UNAVAILABLE',
        `cannot subscribe ${JSON.stringify(name)} to the JetStream stream ${this.stream}: ${message(err, this.#secrets)}`,
      );
    }
  }

  async drain(): Promise<void> {
    await Promise.allSettled([...this.#pending]);
    if (this.#closed) return;
    const upTo = (await this.#jsm.streams.info(this.stream)).state.last_seq;
    for (;;) {
      if (this.#closed) return;
      let behind = false;
      for (const sub of this.#subscriptions.values()) {
        const info = await this.#jsm.consumers.info(this.stream, sub.durable);
        const caughtUp = info.num_pending === 0 && info.num_ack_pending === 0;
        if (info.ack_floor.stream_seq < upTo && !caughtUp) behind = true;
      }
      if (!behind) return;
      await new Promise((resolve) => setTimeout(resolve, drainPollMs));
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.allSettled([...this.#pending]);
    const subs = [...this.#subscriptions.values()];
    this.#subscriptions.clear();
    await Promise.allSettled(subs.map((sub) => sub.stop()));
    if (this.#nc.isClosed()) return;
    // drain() flushes the naks of unsettled messages; it waits on a server
    // that is down, so it gets a bound.
    let timer: NodeJS.Timeout | undefined;
    const bounded = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, closeTimeoutMs);
    });
    await Promise.race([this.#nc.drain().catch(() => undefined), bounded]);
    clearTimeout(timer);
    if (!this.#nc.isClosed()) await this.#nc.close().catch(() => undefined);
  }

  async #ensureConsumer(
    durable: string,
    ackWaitMs: number,
    maxInFlight: number,
    policy: 'all' | 'new',
  ): Promise<void> {
    const wanted = { ack_wait: nanos(ackWaitMs), max_ack_pending: maxInFlight };
    let existing;
    try {
      existing = await this.#jsm.consumers.info(this.stream, durable);
    } catch (err) {
      if (!isNotFound(err, JetStreamApiCodes.ConsumerNotFound)) throw err;
    }
    if (existing === undefined) {
      await this.#jsm.consumers.add(this.stream, {
        ...wanted,
        durable_name: durable,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: policy === 'new' ? DeliverPolicy.New : DeliverPolicy.All,
        max_deliver: -1,
      });
      return;
    }
    // A known consumer resumes where it left off; only its pacing follows the options.
    const cfg = existing.config;
    if (cfg.ack_wait !== wanted.ack_wait || cfg.max_ack_pending !== wanted.max_ack_pending) {
      await this.#jsm.consumers.update(this.stream, durable, wanted);
    }
  }
}

async function ensureStream(
  jsm: JetStreamManager,
  name: string,
  settings: StreamSettings,
  clustered: boolean,
  logger: Logger,
): Promise<void> {
  try {
    await jsm.streams.info(name);
    logger.debug({ stream: name }, 'the JetStream stream exists; keeping its settings');
    return;
  } catch (err) {
    if (!isNotFound(err, JetStreamApiCodes.StreamNotFound)) throw err;
  }
  // A single server cannot keep more than one replica: Argo's default of 3 would be refused.
  const replicas = clustered ? Math.max(1, settings.replicas) : 1;
  if (replicas !== settings.replicas) {
    logger.info(
      { stream: name, asked: settings.replicas },
      'the NATS server is not clustered; the stream keeps one replica',
    );
  }
  const maxAge = Math.max(0, settings.maxAgeMs);
  // JetStream refuses a duplicate window longer than the stream keeps messages.
  const window = maxAge > 0 ? Math.min(settings.duplicatesMs, maxAge) : settings.duplicatesMs;
  const config: Partial<StreamConfig> & { name: string } = {
    name,
    subjects: [`${name}.*.*`],
    storage: StorageType.File,
    retention: retentionPolicy(settings.retention),
    discard: settings.discard === 'new' ? DiscardPolicy.New : DiscardPolicy.Old,
    max_msgs: settings.maxMsgs > 0 ? settings.maxMsgs : -1,
    max_bytes: settings.maxBytes > 0 ? settings.maxBytes : -1,
    max_age: nanos(maxAge),
    num_replicas: replicas,
    duplicate_window: nanos(Math.max(0, window)),
  };
  await jsm.streams.add(config);
  logger.info({ stream: name }, 'created the JetStream stream');
}

function retentionPolicy(retention: StreamSettings['retention']): RetentionPolicy {
  if (retention === 'interest') return RetentionPolicy.Interest;
  if (retention === 'workqueue') return RetentionPolicy.Workqueue;
  return RetentionPolicy.Limits;
}

function isNotFound(err: unknown, code: number): boolean {
  return err instanceof JetStreamApiError && err.code === code;
}

/** A stream or consumer name: NATS refuses `.`, `*`, `>`, whitespace and path separators. */
function natsName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9_-]/g, '_');
  if (cleaned === '') throw new InputError('the JetStream stream name is empty');
  return cleaned;
}

/** A durable name NATS accepts, distinct for distinct inputs. */
export function consumerName(durable: string): string {
  const cleaned = durable.replace(/[^A-Za-z0-9_-]/g, '_');
  if (cleaned === durable) return durable;
  return `${cleaned}_${createHash('sha256').update(durable).digest('hex').slice(0, 10)}`;
}

/** One subject token: the names Argo puts there may hold characters NATS reserves. */
function subjectToken(value: unknown): string {
  const token = String(value ?? '').replace(/[\s.*>]/g, '_');
  return token === '' ? '_' : token;
}

function message(err: unknown, secrets: NatsCredentials): string {
  return scrub(err instanceof Error ? err.message : String(err), secrets);
}

function closedError(): PlinthError {
  return new PlinthError('BUS_UNAVAILABLE', 'the event bus is closed');
}
