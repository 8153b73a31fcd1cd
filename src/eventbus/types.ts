/**
 * The event bus port: EventSources publish CloudEvents, Sensors consume them.
 * The embedded bus (durable on disk) implements it; a NATS JetStream bus
 * implements the same interface beside it.
 */

/**
 * A CloudEvent 1.0 in structured JSON form, as Argo Events puts it on its
 * bus. The payload is `data` (parsed JSON) or, as Argo's Go SDK writes it,
 * `data_base64`; readers accept both.
 */
export interface CloudEventJson {
  specversion: '1.0';
  id: string;
  /** The EventSource's name. */
  source: string;
  /** The event's name within its EventSource (e.g. `environments`). */
  subject: string;
  /** The EventSource type, e.g. `webhook`. */
  type: string;
  time: string;
  datacontenttype?: string;
  data?: unknown;
  data_base64?: string;
  [extension: string]: unknown;
}

/** One delivery of an event to a consumer. */
export interface BusMessage {
  readonly event: CloudEventJson;
  /** Position of the event on the bus; grows with each publish. */
  readonly seq: number;
  /** 1 on first delivery, more on redelivery. */
  readonly deliveryCount: number;
  /** Marks the event handled for this consumer; it is not delivered again. */
  ack(): Promise<void>;
  /** Gives the event back for redelivery after `delayMs` (default: at once). */
  nak(delayMs?: number): Promise<void>;
}

export type BusHandler = (message: BusMessage) => Promise<void>;

export interface SubscribeOptions {
  /** Durable consumer name: each name gets every event once acknowledged, and resumes where it left off. */
  durable: string;
  /** Redeliver an unacknowledged message after this long (ms). */
  ackWaitMs?: number;
  /** Messages in flight to this consumer at once (default 1: in order). */
  maxInFlight?: number;
  /**
   * Where a durable consumer seen for the first time starts: `all` (the
   * default, as JetStream's) from the first event kept, `new` from the next
   * event published (what Argo's sensors ask for). A known consumer always
   * resumes where it left off.
   */
  deliverPolicy?: DeliverPolicy;
}

/** Where a new durable consumer starts reading the stream. */
export type DeliverPolicy = 'all' | 'new';

export interface Subscription {
  /** Stops delivering; unacknowledged messages stay on the bus. */
  unsubscribe(): Promise<void>;
}

export interface EventBus {
  /** Resolves only once the event is durable; rejects (retryable) when it could not be recorded. */
  publish(event: CloudEventJson): Promise<void>;
  subscribe(handler: BusHandler, options: SubscribeOptions): Promise<Subscription>;
  /** Resolves when every consumer has acknowledged everything published so far. */
  drain?(): Promise<void>;
  close(): Promise<void>;
}
