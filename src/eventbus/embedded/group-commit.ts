import type { Database } from 'better-sqlite3';
import { PlinthError } from '../../errors/index.js';

interface QueuedWrite {
  write: () => void;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** What the bus learns about each batch. */
export interface GroupCommitHooks {
  /** Inside the transaction, after the batch's writes: what they left to write once. */
  beforeCommit: () => void;
  /** After a batch committed, before its writers hear of it. */
  afterCommit: () => void;
  /** After its writers heard of it. */
  afterSettle: () => void;
  /** After a batch was rolled back: whatever its writes noted down is void. */
  afterRollback: () => void;
}

/**
 * Batches the writes submitted during one turn of the event loop into a single
 * transaction, so N concurrent publishes cost one commit (one fsync under
 * synchronous=FULL) instead of N. Each write's promise settles with its batch.
 */
export class GroupCommit {
  readonly #db: Database;
  readonly #hooks: GroupCommitHooks;
  #queue: QueuedWrite[] = [];
  #scheduled = false;
  #closed = false;

  constructor(db: Database, hooks: GroupCommitHooks) {
    this.#db = db;
    this.#hooks = hooks;
  }

  /** Queues a write; resolves once the transaction holding it has committed. */
  submit(write: () => void): Promise<void> {
    if (this.#closed) {
      return Promise.reject(new PlinthError('BUS_UNAVAILABLE', 'the event bus is closed'));
    }
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ write, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        // setImmediate runs after the I/O callbacks of this turn: every request
        // that arrived together joins the same batch.
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits whatever is queued now, synchronously. */
  flush(): void {
    this.#scheduled = false;
    const batch = this.#queue;
    if (batch.length === 0) return;
    this.#queue = [];
    try {
      this.#db.transaction(() => {
        for (const item of batch) item.write();
        this.#hooks.beforeCommit();
      })();
    } catch (err) {
      this.#hooks.afterRollback();
      const failure = new PlinthError('BUS_UNAVAILABLE', 'the event bus could not record a write', {
        cause: err,
      });
      for (const item of batch) item.reject(failure);
      return;
    }
    this.#hooks.afterCommit();
    for (const item of batch) item.resolve();
    this.#hooks.afterSettle();
  }

  /** Commits what is queued and refuses later writes. */
  close(): void {
    this.flush();
    this.#closed = true;
  }
}
