import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

/** What every repository needs: the database and how its dialect reports a duplicate key. */
export interface RepositoryDeps {
  db: Kysely<Database>;
  isUniqueViolation(err: unknown): boolean;
  /** The SQLite database under `db` (the SQLite store only), for a hot path's own prepared statements. */
  sqlite?: SqliteNative;
}

/** A prepared statement, as far as a hot path uses better-sqlite3's. */
export interface SqliteStatement {
  run(...parameters: unknown[]): { changes: number };
  get(...parameters: unknown[]): unknown;
}

/**
 * The SQLite database Kysely drives, for writes so frequent that building and
 * compiling a Kysely query per call costs more than SQLite's own work.
 */
export interface SqliteNative {
  /** Prepares a statement once; keep it for the store's lifetime. */
  prepare(sql: string): SqliteStatement;
  /**
   * Runs `work` synchronously in one transaction while holding Kysely's only
   * connection, so no other query (or another transaction) interleaves.
   */
  transaction<T>(work: () => T): Promise<T>;
}

export function toJson(value: unknown): string {
  return JSON.stringify(value ?? null);
}

export function fromJson<T>(text: string | null | undefined, fallback: T): T {
  if (text === null || text === undefined || text === '') return fallback;
  return JSON.parse(text) as T;
}

/** Opaque cursor over (createdAt, id), newest first. */
export function encodeCursor(createdAt: string, id: string): string {
  return Buffer.from(JSON.stringify([createdAt, id])).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): [string, string] | undefined {
  if (!cursor) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(parsed) &&
      parsed.length === 2 &&
      typeof parsed[0] === 'string' &&
      typeof parsed[1] === 'string'
    ) {
      return [parsed[0], parsed[1]];
    }
  } catch {
    // fall through: an unreadable cursor is the caller's mistake
  }
  return undefined;
}

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

export function clampLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit) || limit <= 0) return DEFAULT_LIMIT;
  return Math.min(Math.floor(limit), MAX_LIMIT);
}
