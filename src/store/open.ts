import path from 'node:path';
import { InputError } from '../errors/index.js';
import type { Store } from './types.js';
import { createSqliteStore } from './sqlite/index.js';
import { createPostgresStore, type PostgresStoreOptions } from './postgres/index.js';

/** Settings of the PostgreSQL pool, from configuration; SQLite ignores them. */
export type StoreOptions = Omit<PostgresStoreOptions, 'connectionString'>;

/**
 * Opens the store that `--db` names: `sqlite` (a file in the data directory),
 * `sqlite:PATH`, or a `postgres://` URL (the clustered shape).
 */
export async function openStore(
  db: string,
  dataDir: string,
  options: StoreOptions = {},
): Promise<Store> {
  if (db === 'sqlite') return createSqliteStore({ filename: path.join(dataDir, 'plinth.db') });
  if (db.startsWith('sqlite:')) {
    const file = db.slice('sqlite:'.length);
    return createSqliteStore({
      filename: file === ':memory:' ? file : path.resolve(dataDir, file),
    });
  }
  if (/^postgres(ql)?:\/\//.test(db))
    return createPostgresStore({ ...options, connectionString: db });
  throw new InputError(`unknown database ${JSON.stringify(db)}`, {
    errors: [
      {
        field: 'db',
        message: `PLINTH_DB / --db is ${JSON.stringify(db)}`,
        fix: 'use sqlite, sqlite:PATH or a postgres:// URL',
      },
    ],
  });
}
