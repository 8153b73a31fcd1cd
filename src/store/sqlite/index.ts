import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from '../schema.js';
import type { Store } from '../types.js';
import { assembleStore } from '../build.js';
import { migrateToLatest } from '../migrate.js';
import type { SqliteNative } from '../repositories/shared.js';
import { startCheckpointer } from './checkpointer.js';
import { withStatementCache } from './statement-cache.js';

/** Options of the embedded store. */
export interface SqliteStoreOptions {
  /** Database file, or `:memory:`. Its directory is created when missing. */
  filename: string;
}

function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/**
 * Opens (and migrates) the SQLite store: WAL, `synchronous=NORMAL` (a commit
 * survives the process being killed; DESIGN.md's numbers say why not FULL).
 */
export async function createSqliteStore(options: SqliteStoreOptions): Promise<Store> {
  if (options.filename !== ':memory:') {
    fs.mkdirSync(path.dirname(path.resolve(options.filename)), { recursive: true });
  }
  const database = new BetterSqlite3(options.filename);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: withStatementCache(database) }),
  });
  try {
    await migrateToLatest(db as unknown as Kysely<unknown>, 'sqlite');
  } catch (err) {
    await db.destroy();
    throw err;
  }
  const begin = database.prepare('BEGIN IMMEDIATE');
  const commit = database.prepare('COMMIT');
  const rollback = database.prepare('ROLLBACK');
  const native: SqliteNative = {
    prepare: (sql) => database.prepare(sql),
    // Kysely's SQLite driver has one connection behind a mutex: holding it keeps
    // every other query (and any transaction in progress) out of this one.
    transaction: (work) =>
      db.connection().execute(async () => {
        begin.run();
        try {
          const result = work();
          commit.run();
          return result;
        } catch (err) {
          if (database.inTransaction) rollback.run();
          throw err;
        }
      }),
  };
  const checkpointer =
    options.filename === ':memory:'
      ? undefined
      : startCheckpointer(database, path.resolve(options.filename));
  const close = async () => {
    await checkpointer?.stop();
    await db.destroy();
  };
  return assembleStore('sqlite', db, isUniqueViolation, close, native);
}
