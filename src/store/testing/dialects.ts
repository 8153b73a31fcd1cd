import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createPostgresStore } from '../postgres/index.js';
import { createSqliteStore } from '../sqlite/index.js';
import type { Store } from '../types.js';

/** The machine's PostgreSQL, which tests use unless PLINTH_TEST_POSTGRES names another. */
export const TEST_POSTGRES_URL =
  process.env['PLINTH_TEST_POSTGRES'] ?? 'postgres://postgres@127.0.0.1:5432/test';

/** One store implementation as a test suite opens it. */
export interface TestDialect {
  readonly name: 'sqlite' | 'postgres';
  /**
   * A migrated store, empty unless `dir` was opened before (a reopen). Without
   * `dir` it is in memory (SQLite) or dropped by its `close()` (PostgreSQL).
   */
  open(dir?: string): Promise<Store>;
  /** Removes what the stores opened with `dir` kept (PostgreSQL: their schema). */
  destroy(dir: string): Promise<void>;
}

async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A schema name no other test run uses. */
export function freshSchemaName(prefix = 'plinth_test'): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** Drops a schema made for a test, with everything in it. */
export async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}

/**
 * Whether PostgreSQL tests run: always under CI=true (an unreachable server
 * then fails them), elsewhere only when the server answers.
 */
export async function postgresAvailable(url = TEST_POSTGRES_URL): Promise<boolean> {
  return process.env['CI'] === 'true' || (await reachable(url));
}

const sqlite: TestDialect = {
  name: 'sqlite',
  open: (dir) =>
    createSqliteStore({ filename: dir === undefined ? ':memory:' : path.join(dir, 'plinth.db') }),
  destroy: async () => undefined,
};

/** The schema of each test directory, so that a reopen finds the same data. */
const schemas = new Map<string, string>();

const postgres: TestDialect = {
  name: 'postgres',
  async open(dir) {
    const schema = (dir === undefined ? undefined : schemas.get(dir)) ?? freshSchemaName();
    if (dir !== undefined) schemas.set(dir, schema);
    const store = await createPostgresStore({
      connectionString: TEST_POSTGRES_URL,
      schema,
      poolMax: 4,
    });
    if (dir !== undefined) return store;
    return {
      ...store,
      async close() {
        await store.close();
        await dropSchema(TEST_POSTGRES_URL, schema);
      },
    };
  },
  async destroy(dir) {
    const schema = schemas.get(dir);
    schemas.delete(dir);
    if (schema) await dropSchema(TEST_POSTGRES_URL, schema);
  },
};

/** Every store implementation a suite runs against (Kysely's `for (const dialect of DIALECTS)`). */
export async function testDialects(): Promise<TestDialect[]> {
  return (await postgresAvailable()) ? [sqlite, postgres] : [sqlite];
}
