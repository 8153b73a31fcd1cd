import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Database, Statement } from 'better-sqlite3';
import { ConflictError, InputError, PlinthError } from '../../errors/index.js';
import type { Logger } from '../../logging/index.js';
import type {
  BusHandler,
  CloudEventJson,
  EventBus,
  SubscribeOptions,
  Subscription,
} from '../types.js';
import { DurableConsumer, type ConsumerState, type StoredEvent } from './consumer.js';
import { GroupCommit } from './group-commit.js';
import { schemaSql } from './schema.js';

/**
 * How commits reach the disk: `full` syncs the WAL on every commit and
 * survives an OS crash; `normal` survives a process crash. Either way the
 * writes submitted together share one commit. `normal` is the default: the
 * sync under `full` blocks the event loop for the length of an fsync, which
 * halves webhook ingest on a slow disk.
 */
export type SyncMode = 'full' | 'normal';

export interface EmbeddedEventBusOptions {
  /** Directory holding the bus's SQLite file (`eventbus.db`); created if missing. */
  dir: string;
  logger: Logger;
  /** Default `normal`. */
  syncMode?: SyncMode;
}

/** The bus file's name inside `dir`. */
export const embeddedBusFile = 'eventbus.db';

const defaultAckWaitMs = 30_000;
/**
 * Events kept in memory after their commit, so consumers that keep up read
 * them without a query (each consumer still parses its own copy).
 */
const tailSize = 4096;
/** At most this much JSON kept in memory; larger events are always read from the table. */
const tailBytes = 16 * 1024 * 1024;
const tailEventBytes = 64 * 1024;

interface DrainWaiter {
  upTo: number;
  resolve: () => void;
}

interface Statements {
  insertEvent: Statement<[string, string, string, string, string, string]>;
  readEvents: Statement<[number, number], { seq: number; body: string }>;
  maxSeq: Statement<[], { seq: number | null }>;
  upsertDelivery: Statement<[string, number, number]>;
  upsertAck: Statement<[string, number]>;
  setFloor: Statement<[number, string]>;
  trimBelowFloor: Statement<[string, number]>;
  createConsumer: Statement<[string, number, string]>;
  getConsumer: Statement<[string], { ack_floor: number }>;
  consumerMessages: Statement<
    [string, number],
    { seq: number; delivery_count: number; acked: number }
  >;
}

/**
 * The default event bus: durable on disk in its own SQLite file (WAL), with
 * at-least-once delivery to durable consumers that acknowledge each event.
 * `publish` resolves once the event is committed; consumers are woken in
 * process when a batch commits, so there is no polling.
 */
export class EmbeddedEventBus implements EventBus {
  readonly #db: Database;
  readonly #stmts: Statements;
  readonly #writer: GroupCommit;
  readonly #logger: Logger;
  readonly #consumers = new Map<string, DurableConsumer>();
  #drainWaiters: DrainWaiter[] = [];
  /** Committed events' JSON by sequence, the newest `tailSize` of them. */
  readonly #tail = new Map<number, string>();
  #tailLength = 0;
  /** The ack floor each consumer reached in the batch being written. */
  readonly #floors = new Map<string, number>();
  /** Events written in the batch being committed. */
  #pending: { seq: number; body: string }[] = [];
  #lastSeq: number;
  #closed = false;

  private constructor(db: Database, logger: Logger) {
    this.#db = db;
    this.#logger = logger;
    this.#stmts = prepare(db);
    this.#lastSeq = this.#stmts.maxSeq.get()?.seq ?? 0;
    this.#writer = new GroupCommit(db, {
      beforeCommit: () => this.#writeFloors(),
      afterCommit: () => this.#committed(),
      afterRollback: () => {
        this.#pending = [];
        this.#floors.clear();
      },
      afterSettle: () => this.#wakeAll(),
    });
  }

  /** Opens (or creates) the bus in `opts.dir`. */
  static async create(opts: EmbeddedEventBusOptions): Promise<EmbeddedEventBus> {
    await fs.promises.mkdir(opts.dir, { recursive: true });
    const file = path.join(opts.dir, embeddedBusFile);
    let db: Database | undefined;
    try {
      db = new BetterSqlite3(file, { timeout: 200 });
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${opts.syncMode === 'full' ? 'FULL' : 'NORMAL'}`);
      // One process owns the bus: a second one sharing the file would deliver
      // the same consumers' events twice over.
      db.pragma('locking_mode = EXCLUSIVE');
      db.exec(schemaSql);
      // Taking the write lock once keeps it until close (exclusive mode).
      db.exec('BEGIN IMMEDIATE; COMMIT;');
      return new EmbeddedEventBus(db, opts.logger);
    } catch (err) {
      db?.close();
      const busy = (err as { code?: string }).code === 'SQLITE_BUSY';
      const why = busy ? ': another Plinth process is using it' : '';
      throw new PlinthError('BUS_UNAVAILABLE', `cannot open the event bus in ${opts.dir}${why}`, {
        cause: err,
        details: { file },
      });
    }
  }

  publish(event: CloudEventJson): Promise<void> {
    let body: string;
    try {
      body = JSON.stringify(event);
    } catch (err) {
      return Promise.reject(
        new InputError('the event is not serializable as JSON', { cause: err }),
      );
    }
    return this.#writer.submit(() => {
      const { lastInsertRowid } = this.#stmts.insertEvent.run(
        String(event.id),
        String(event.source),
        String(event.subject),
        String(event.type),
        new Date().toISOString(),
        body,
      );
      this.#pending.push({ seq: Number(lastInsertRowid), body });
    });
  }

  async subscribe(handler: BusHandler, options: SubscribeOptions): Promise<Subscription> {
    this.#assertOpen();
    const name = options.durable;
    if (!name) throw new InputError('a subscription needs a durable consumer name');
    if (this.#consumers.has(name)) {
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
    // Acks still queued belong to the state this consumer resumes from.
    this.#writer.flush();
    const consumer = new DurableConsumer({
      name,
      handler,
      ackWaitMs,
      maxInFlight,
      storage: {
        readEvents: (fromSeq, limit) => this.#readEvents(fromSeq, limit),
        recordDelivery: (consumerName, seq, count) => {
          this.#writer
            .submit(() => this.#stmts.upsertDelivery.run(consumerName, seq, count))
            .catch((err: unknown) =>
              this.#logger.warn({ err, consumer: consumerName, seq }, 'delivery not recorded'),
            );
        },
        recordAck: (consumerName, seq, newFloor) =>
          this.#writer.submit(() => {
            // An ack the floor covers needs no row of its own: the floor says it.
            if (newFloor === undefined || newFloor < seq) {
              this.#stmts.upsertAck.run(consumerName, seq);
            }
            // Acks in one batch move a consumer's floor once, at its end.
            if (newFloor !== undefined) {
              this.#floors.set(
                consumerName,
                Math.max(newFloor, this.#floors.get(consumerName) ?? 0),
              );
            }
          }),
      },
      state: this.#loadConsumer(name, options.deliverPolicy ?? 'all'),
      logger: this.#logger,
      onFloor: () => this.#checkDrain(),
    });
    this.#consumers.set(name, consumer);
    consumer.pump();
    return {
      unsubscribe: async () => {
        consumer.stop();
        if (this.#consumers.get(name) === consumer) this.#consumers.delete(name);
        this.#checkDrain();
      },
    };
  }

  drain(): Promise<void> {
    this.#writer.flush();
    const upTo = this.#lastSeq;
    return new Promise((resolve) => {
      this.#drainWaiters.push({ upTo, resolve });
      this.#checkDrain();
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const consumer of this.#consumers.values()) consumer.stop();
    this.#consumers.clear();
    this.#writer.close();
    this.#tail.clear();
    this.#tailLength = 0;
    for (const waiter of this.#drainWaiters) waiter.resolve();
    this.#drainWaiters = [];
    this.#db.close();
  }

  #assertOpen(): void {
    if (this.#closed) throw new PlinthError('BUS_UNAVAILABLE', 'the event bus is closed');
  }

  #readEvents(fromSeq: number, limit: number): StoredEvent[] {
    if (this.#tail.has(fromSeq) || fromSeq > this.#lastSeq) {
      const out: StoredEvent[] = [];
      for (let seq = fromSeq; seq <= this.#lastSeq && out.length < limit; seq++) {
        const body = this.#tail.get(seq);
        // A gap (a sequence never committed): the table is the authority.
        if (body === undefined) return this.#readStored(fromSeq, limit);
        out.push({ seq, event: JSON.parse(body) as CloudEventJson });
      }
      return out;
    }
    return this.#readStored(fromSeq, limit);
  }

  #readStored(fromSeq: number, limit: number): StoredEvent[] {
    return this.#stmts.readEvents.all(fromSeq, limit).map((row) => ({
      seq: row.seq,
      event: JSON.parse(row.body) as CloudEventJson,
    }));
  }

  #loadConsumer(name: string, policy: 'all' | 'new'): ConsumerState {
    const start = policy === 'new' ? this.#lastSeq : 0;
    this.#stmts.createConsumer.run(name, start, new Date().toISOString());
    const ackFloor = this.#stmts.getConsumer.get(name)?.ack_floor ?? start;
    const acked = new Set<number>();
    const delivered = new Map<number, number>();
    for (const row of this.#stmts.consumerMessages.all(name, ackFloor)) {
      if (row.acked) acked.add(row.seq);
      else delivered.set(row.seq, row.delivery_count);
    }
    return { ackFloor, acked, delivered };
  }

  #writeFloors(): void {
    for (const [consumer, floor] of this.#floors) {
      this.#stmts.setFloor.run(floor, consumer);
      this.#stmts.trimBelowFloor.run(consumer, floor);
    }
    this.#floors.clear();
  }

  #committed(): void {
    for (const { seq, body } of this.#pending) {
      if (body.length <= tailEventBytes) {
        this.#tail.set(seq, body);
        this.#tailLength += body.length;
      }
      if (seq > this.#lastSeq) this.#lastSeq = seq;
    }
    this.#pending = [];
    for (const [seq, body] of this.#tail) {
      if (this.#tail.size <= tailSize && this.#tailLength <= tailBytes) break;
      this.#tail.delete(seq);
      this.#tailLength -= body.length;
    }
  }

  #wakeAll(): void {
    for (const consumer of this.#consumers.values()) consumer.pump();
  }

  #checkDrain(): void {
    if (this.#drainWaiters.length === 0) return;
    let lowest = Infinity;
    for (const consumer of this.#consumers.values()) lowest = Math.min(lowest, consumer.ackFloor);
    const still: DrainWaiter[] = [];
    for (const waiter of this.#drainWaiters) {
      if (lowest >= waiter.upTo) waiter.resolve();
      else still.push(waiter);
    }
    this.#drainWaiters = still;
  }
}

function prepare(db: Database): Statements {
  return {
    insertEvent: db.prepare(
      'INSERT INTO events (id, source, subject, type, published_at, body) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    readEvents: db.prepare('SELECT seq, body FROM events WHERE seq >= ? ORDER BY seq LIMIT ?'),
    maxSeq: db.prepare('SELECT MAX(seq) AS seq FROM events'),
    upsertDelivery: db.prepare(
      `INSERT INTO consumer_messages (consumer, seq, delivery_count) VALUES (?, ?, ?)
       ON CONFLICT (consumer, seq) DO UPDATE SET delivery_count = excluded.delivery_count`,
    ),
    upsertAck: db.prepare(
      `INSERT INTO consumer_messages (consumer, seq, acked) VALUES (?, ?, 1)
       ON CONFLICT (consumer, seq) DO UPDATE SET acked = 1`,
    ),
    setFloor: db.prepare('UPDATE consumers SET ack_floor = MAX(ack_floor, ?) WHERE name = ?'),
    trimBelowFloor: db.prepare('DELETE FROM consumer_messages WHERE consumer = ? AND seq <= ?'),
    createConsumer: db.prepare(
      'INSERT OR IGNORE INTO consumers (name, ack_floor, created_at) VALUES (?, ?, ?)',
    ),
    getConsumer: db.prepare('SELECT ack_floor FROM consumers WHERE name = ?'),
    consumerMessages: db.prepare(
      'SELECT seq, delivery_count, acked FROM consumer_messages WHERE consumer = ? AND seq > ?',
    ),
  };
}
