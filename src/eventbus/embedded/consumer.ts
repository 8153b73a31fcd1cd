import type { Logger } from '../../logging/index.js';
import type { BusHandler, BusMessage, CloudEventJson } from '../types.js';

/** One stored event, as the consumer reads it. */
export interface StoredEvent {
  seq: number;
  event: CloudEventJson;
}

/** The consumer's view of the bus's storage (owned by the bus). */
export interface ConsumerStorage {
  readEvents(fromSeq: number, limit: number): StoredEvent[];
  /** Records a delivery count; failures are only logged (the count is advisory). */
  recordDelivery(consumer: string, seq: number, deliveryCount: number): void;
  /** Records an ack and, when given, a new ack floor; resolves once durable. */
  recordAck(consumer: string, seq: number, newFloor: number | undefined): Promise<void>;
}

/** What a consumer starts from, as loaded from disk. */
export interface ConsumerState {
  ackFloor: number;
  /** Events above the floor acknowledged out of order. */
  acked: Set<number>;
  /** Delivery counts of events above the floor delivered but not acknowledged. */
  delivered: Map<number, number>;
}

export interface DurableConsumerOptions {
  name: string;
  handler: BusHandler;
  ackWaitMs: number;
  maxInFlight: number;
  storage: ConsumerStorage;
  state: ConsumerState;
  logger: Logger;
  /** Called whenever the ack floor moves. */
  onFloor: () => void;
}

interface InFlight {
  event: CloudEventJson;
  deliveryCount: number;
  timer: NodeJS.Timeout | undefined;
}

const pageSize = 256;

/**
 * Delivers the stream to one durable consumer: at most `maxInFlight`
 * unacknowledged events at once, in sequence order, redelivering an event
 * when its ack wait runs out or when it is nak'ed.
 */
export class DurableConsumer {
  readonly name: string;
  readonly #opts: DurableConsumerOptions;
  #floor: number;
  #next: number;
  readonly #acked: Set<number>;
  readonly #priorDeliveries: Map<number, number>;
  readonly #inFlight = new Map<number, InFlight>();
  #buffer: StoredEvent[] = [];
  #active = true;
  #pumping = false;

  constructor(opts: DurableConsumerOptions) {
    this.name = opts.name;
    this.#opts = opts;
    this.#floor = opts.state.ackFloor;
    this.#next = opts.state.ackFloor + 1;
    this.#acked = opts.state.acked;
    this.#priorDeliveries = opts.state.delivered;
  }

  /** Every event at or below this sequence is acknowledged. */
  get ackFloor(): number {
    return this.#floor;
  }

  /** Delivers what it can now; called on start, on publish and on ack. */
  pump(): void {
    if (!this.#active || this.#pumping) return;
    this.#pumping = true;
    try {
      while (this.#active && this.#inFlight.size < this.#opts.maxInFlight) {
        const next = this.#take();
        if (next === undefined) break;
        this.#next = next.seq + 1;
        if (this.#acked.has(next.seq)) continue;
        const prior = this.#priorDeliveries.get(next.seq) ?? 0;
        this.#priorDeliveries.delete(next.seq);
        const entry: InFlight = { event: next.event, deliveryCount: prior, timer: undefined };
        this.#inFlight.set(next.seq, entry);
        this.#deliver(next.seq, entry);
      }
    } finally {
      this.#pumping = false;
    }
    this.#advanceFloor();
  }

  /** Stops delivering; what is unacknowledged stays on disk for the next subscriber. */
  stop(): void {
    this.#active = false;
    for (const entry of this.#inFlight.values()) clearTimeout(entry.timer);
    this.#inFlight.clear();
    this.#buffer = [];
  }

  #take(): StoredEvent | undefined {
    if (this.#buffer.length === 0) {
      this.#buffer = this.#opts.storage.readEvents(this.#next, pageSize);
    }
    return this.#buffer.shift();
  }

  #deliver(seq: number, entry: InFlight): void {
    entry.deliveryCount += 1;
    this.#opts.storage.recordDelivery(this.name, seq, entry.deliveryCount);
    this.#arm(seq, entry, this.#opts.ackWaitMs);
    const message: BusMessage = {
      event: entry.event,
      seq,
      deliveryCount: entry.deliveryCount,
      ack: () => this.#ack(seq),
      nak: (delayMs?: number) => {
        this.#nak(seq, delayMs ?? 0);
        return Promise.resolve();
      },
    };
    queueMicrotask(() => {
      this.#opts.handler(message).catch((err: unknown) => {
        // Not acknowledged: the ack wait brings it back, as a broker would.
        this.#opts.logger.warn(
          { err, consumer: this.name, seq, deliveryCount: message.deliveryCount },
          'event handler failed; the event will be redelivered',
        );
      });
    });
  }

  #arm(seq: number, entry: InFlight, delayMs: number): void {
    clearTimeout(entry.timer);
    entry.timer = setTimeout(() => {
      if (!this.#active || this.#inFlight.get(seq) !== entry) return;
      this.#deliver(seq, entry);
    }, delayMs);
    entry.timer.unref();
  }

  #nak(seq: number, delayMs: number): void {
    const entry = this.#inFlight.get(seq);
    if (!this.#active || entry === undefined) return;
    this.#arm(seq, entry, delayMs);
  }

  async #ack(seq: number): Promise<void> {
    if (seq <= this.#floor || this.#acked.has(seq)) return;
    if (!this.#active) {
      await this.#opts.storage.recordAck(this.name, seq, undefined);
      return;
    }
    const entry = this.#inFlight.get(seq);
    if (entry !== undefined) clearTimeout(entry.timer);
    this.#inFlight.delete(seq);
    this.#acked.add(seq);
    const floorMoved = this.#computeFloor() > this.#floor;
    const persisted = this.#opts.storage.recordAck(
      this.name,
      seq,
      floorMoved ? this.#computeFloor() : undefined,
    );
    this.pump();
    await persisted;
  }

  #computeFloor(): number {
    let lowest = this.#next;
    for (const seq of this.#inFlight.keys()) if (seq < lowest) lowest = seq;
    return lowest - 1;
  }

  #advanceFloor(): void {
    const floor = this.#computeFloor();
    if (floor <= this.#floor) return;
    this.#floor = floor;
    for (const seq of this.#acked) if (seq <= floor) this.#acked.delete(seq);
    this.#opts.onFloor();
  }
}
