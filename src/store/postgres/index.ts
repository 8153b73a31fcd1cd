import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import { InputError } from '../../errors/index.js';
import type { Database } from '../schema.js';
import type { Store } from '../types.js';
import { assembleStore } from '../build.js';
import { migrateToLatest } from '../migrate.js';

/** Options of the PostgreSQL store (the clustered shape). */
export interface PostgresStoreOptions {
  /** A `postgres://` URL; a `schema` query parameter overrides `schema`. */
  connectionString: string;
  /** Schema holding Plinth's tables; created when missing. Default `public`. */
  schema?: string;
  /** Most connections the pool opens. Default 10. */
  poolMax?: number;
  /** How long an idle connection stays open, in ms. Default 30 s. */
  idleTimeoutMs?: number;
  /** How long to wait for a connection, in ms. Default 10 s. */
  connectTimeoutMs?: number;
}

const INT8_OID = 20;
const NUMERIC_OID = 1700;
const UNIQUE_VIOLATION = '23505';
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === UNIQUE_VIOLATION;
}

/**
 * pg hands bigint and numeric back as strings (they may not fit a double);
 * the store's counters and sequences always do, so they come back as numbers,
 * as they do from SQLite. Set per pool, never on pg's global type table.
 */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID || oid === NUMERIC_OID) return (text: string) => Number(text);
    return pg.types.getTypeParser(oid, format ?? 'text');
  },
} as pg.CustomTypesConfig;

/** Splits Plinth's own `schema` parameter off the URL, which pg would not understand. */
export function parsePostgresUrl(url: string): { connectionString: string; schema?: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (err) {
    throw new InputError('the database URL is not a URL', {
      cause: err,
      errors: [{ field: 'db', message: 'not a URL', fix: 'write postgres://USER@HOST:PORT/DB' }],
    });
  }
  const schema = parsed.searchParams.get('schema') ?? undefined;
  parsed.searchParams.delete('schema');
  return { connectionString: parsed.toString(), ...(schema ? { schema } : {}) };
}

function checkSchema(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) {
    throw new InputError(`schema ${JSON.stringify(schema)} is not a plain identifier`, {
      errors: [
        {
          field: 'dbSchema',
          message: `${JSON.stringify(schema)} is not a lower-case identifier`,
          fix: 'use letters, digits and underscores, starting with a letter',
        },
      ],
    });
  }
  return schema;
}

/**
 * Creates the schema and runs the migrations while holding a session advisory
 * lock keyed on the schema: N processes starting at once migrate one at a time,
 * the first does the work, the others find nothing left to do. (Kysely's
 * Migrator locks too, but only after creating its own tables, which races.)
 */
async function migrateLocked(pool: pg.Pool, db: Kysely<Database>, schema: string): Promise<void> {
  const client = await pool.connect();
  const key = `plinth-migrate:${schema}`;
  try {
    await client.query('select pg_advisory_lock(hashtext($1))', [key]);
    try {
      await client.query(`create schema if not exists "${schema}"`);
      await migrateToLatest(db as unknown as Kysely<unknown>, 'postgres', schema);
    } finally {
      await client.query('select pg_advisory_unlock(hashtext($1))', [key]);
    }
  } finally {
    client.release();
  }
}

/** Opens (and migrates) the PostgreSQL store. */
export async function createPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const url = parsePostgresUrl(options.connectionString);
  const schema = checkSchema(url.schema ?? options.schema ?? 'public');
  const pool = new pg.Pool({
    connectionString: url.connectionString,
    max: options.poolMax ?? 10,
    idleTimeoutMillis: options.idleTimeoutMs ?? 30_000,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    options: `-c search_path=${schema}`,
    types,
  });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    await migrateLocked(pool, db, schema);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return assembleStore('postgres', db, isUniqueViolation, () => db.destroy());
}
