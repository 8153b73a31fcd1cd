import fs from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Database as BetterSqlite3Database } from 'better-sqlite3';

/** The WAL size (bytes) at which checkpoints move to their own thread: SQLite's default threshold. */
const startAtBytes = 1000 * 4096;
/** How often the WAL's size is looked at until then. */
const pollMs = 500;
/** How often the thread checkpoints once started. */
const checkpointEveryMs = 100;

/**
 * The checkpointing thread. It opens the same file and runs passive
 * checkpoints, which copy committed pages from the WAL into the database
 * without blocking writers or readers. (Plain JavaScript, evaluated as the
 * thread's script, so it runs the same under tsx, vitest and the build.)
 */
const threadSource = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.filename, { fileMustExist: true });
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (err) {
    parentPort.postMessage({ failed: String(err && err.message ? err.message : err) });
  }
}, workerData.everyMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/** Moves a file database's WAL checkpoints off the event loop; see `startCheckpointer`. */
export interface Checkpointer {
  /** Stops the thread (its connection closed) before the database is closed. */
  stop(): Promise<void>;
}

/**
 * SQLite checkpoints its WAL inside whichever commit crosses 1,000 pages: that
 * commit copies the pages into the database file and syncs both files on the
 * event loop, the largest share of a commit under steady writes and a stall of
 * milliseconds for the unlucky caller. Once the WAL has reached that size (a
 * store with steady writes; tests mostly never do), a thread of its own takes
 * over: the store's connection stops checkpointing and the thread runs passive
 * checkpoints every 100 ms. Durability is unchanged: a commit is durable in the
 * WAL (`synchronous=NORMAL`) whoever copies it later. If the thread fails, the
 * connection checkpoints for itself again.
 */
export function startCheckpointer(database: BetterSqlite3Database, filename: string): Checkpointer {
  const walFile = `${filename}-wal`;
  let worker: Worker | undefined;
  let running = false;
  let stopped = false;
  const fallBack = () => {
    if (!stopped && database.open) database.pragma('wal_autocheckpoint = 1000');
  };
  const start = () => {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    worker = new Worker(threadSource, {
      eval: true,
      workerData: { driver, filename, everyMs: checkpointEveryMs },
    });
    worker.unref();
    worker.on('message', (m: { failed?: string }) => {
      if (m.failed !== undefined) fallBack();
    });
    worker.on('error', fallBack);
    running = true;
    worker.on('exit', (code) => {
      running = false;
      if (code !== 0) fallBack();
    });
    database.pragma('wal_autocheckpoint = 0');
  };
  let polling = false;
  const poll = setInterval(() => {
    if (polling || stopped) return;
    polling = true;
    fs.stat(walFile, (err, st) => {
      polling = false;
      if (stopped || err || st.size < startAtBytes) return;
      clearInterval(poll);
      start();
    });
  }, pollMs);
  poll.unref();
  return {
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(poll);
      const w = worker;
      if (w === undefined || !running) return;
      const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
      // Held until it has closed its connection: the caller awaits that.
      w.ref();
      w.postMessage('stop');
      await exited;
      // The connection checkpoints what is left when it closes, as it always did.
      database.pragma('wal_autocheckpoint = 1000');
    },
  };
}
