import type { ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import { PlinthError } from '../../errors/index.js';
import type { Logger } from '../../logging/index.js';
import type { BusHandler, BusMessage, CloudEventJson } from '../types.js';

const stopNakDelayMs = 100;
const reopenMinMs = 250;
const reopenMaxMs = 5_000;

/** What a running subscription needs. */
export interface PullSubscriptionOptions {
  durable: string;
  /** Opens the consumer's message stream; called again when the server ends it. */
  open: () => Promise<ConsumerMessages>;
  handler: BusHandler;
  logger: Logger;
}

/**
 * Hands each message of a durable pull consumer to the handler as it
 * arrives; the consumer's `max_ack_pending` bounds how many are out at once.
 * When the server ends the stream (a restart, a lost consumer), it reopens
 * it. Messages it was given and did not settle are nak'ed on stop, so the
 * next subscriber gets them at once instead of after the ack wait.
 */
export class PullSubscription {
  readonly durable: string;
  readonly #opts: PullSubscriptionOptions;
  readonly #unsettled = new Set<JsMsg>();
  #messages: ConsumerMessages;
  #stopped = false;
  #wake: () => void = () => undefined;
  readonly #loop: Promise<void>;

  private constructor(opts: PullSubscriptionOptions, messages: ConsumerMessages) {
    this.durable = opts.durable;
    this.#opts = opts;
    this.#messages = messages;
    this.#loop = this.#run();
  }

  /** Opens the stream once (so a bad consumer fails the subscribe) and starts delivering. */
  static async start(opts: PullSubscriptionOptions): Promise<PullSubscription> {
    return new PullSubscription(opts, await opts.open());
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#wake();
    // Stop pulling first: a nak while this pull is still open would hand the
    // message straight back to it instead of to the next subscriber.
    await this.#messages.close();
    await this.#loop;
    // The short delay gives a resubscriber time to pull: a redelivery that
    // comes due while no pull waits is mishandled by nats-server 2.9 (the
    // message then waits out its ack wait, and the next one is sent twice).
    for (const m of this.#unsettled) m.nak(stopNakDelayMs);
    this.#unsettled.clear();
  }

  async #run(): Promise<void> {
    let backoff = reopenMinMs;
    for (;;) {
      try {
        for await (const m of this.#messages) {
          backoff = reopenMinMs;
          if (this.#stopped) m.nak();
          else this.#dispatch(m);
        }
      } catch (err) {
        if (!this.#stopped) {
          this.#opts.logger.warn({ err, consumer: this.durable }, 'the NATS consumer stopped');
        }
      }
      if (this.#stopped) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, backoff);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      if (this.#stopped) return;
      backoff = Math.min(backoff * 2, reopenMaxMs);
      try {
        const messages = await this.#opts.open();
        if (this.#stopped) {
          await messages.close();
          return;
        }
        this.#messages = messages;
        this.#opts.logger.info({ consumer: this.durable }, 'resumed the NATS consumer');
      } catch (err) {
        this.#opts.logger.warn(
          { err, consumer: this.durable },
          'cannot reopen the NATS consumer yet',
        );
      }
    }
  }

  #dispatch(m: JsMsg): void {
    let event: CloudEventJson;
    try {
      event = m.json<CloudEventJson>();
    } catch (err) {
      // Redelivering what cannot be read would only repeat the failure.
      this.#opts.logger.error(
        { err, consumer: this.durable, seq: m.seq },
        'dropping a bus message that is not a JSON CloudEvent',
      );
      m.term();
      return;
    }
    this.#unsettled.add(m);
    // An ack after stop still counts (the work is done); whatever is unsettled
    // when stop gets there is nak'ed.
    const settle = (): boolean => this.#unsettled.delete(m);
    const message: BusMessage = {
      event,
      seq: m.seq,
      deliveryCount: m.info.deliveryCount,
      ack: async () => {
        if (!settle()) return;
        let confirmed = false;
        try {
          confirmed = await m.ackAck();
        } catch (err) {
          throw notAcked(this.durable, m.seq, err);
        }
        if (!confirmed) throw notAcked(this.durable, m.seq, undefined);
      },
      nak: async (delayMs?: number) => {
        if (settle()) m.nak(delayMs);
      },
    };
    void this.#handle(message);
  }

  async #handle(message: BusMessage): Promise<void> {
    try {
      await this.#opts.handler(message);
    } catch (err) {
      // Not acknowledged: the ack wait brings it back, as on the embedded bus.
      this.#opts.logger.warn(
        { err, consumer: this.durable, seq: message.seq, deliveryCount: message.deliveryCount },
        'event handler failed; the event will be redelivered',
      );
    }
  }
}

function notAcked(durable: string, seq: number, cause: unknown): PlinthError {
  return new PlinthError(
    'BUS_UNAVAILABLE',
    `NATS did not confirm the ack of event ${seq} for ${durable}; it will be redelivered`,
    { cause },
  );
}
