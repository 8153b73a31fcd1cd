import type { Database as BetterSqlite3Database, Statement } from 'better-sqlite3';
import type { SqliteDatabase } from 'kysely';

/** Distinct SQL texts kept prepared; queries are few and fixed, so this is never reached in practice. */
const CAPACITY = 500;

/**
 * The database as Kysely's dialect sees it, keeping each SQL text's prepared
 * statement for reuse: preparing costs more than running a small indexed
 * query. A statement still being iterated (a stream) is busy; another is
 * prepared for the overlapping query.
 */
export function withStatementCache(database: BetterSqlite3Database): SqliteDatabase {
  const statements = new Map<string, Statement>();
  return {
    prepare(sql) {
      const kept = statements.get(sql);
      if (kept && !kept.busy) return kept;
      const statement = database.prepare(sql);
      if (!kept) {
        if (statements.size >= CAPACITY) {
          const oldest = statements.keys().next();
          if (!oldest.done) statements.delete(oldest.value);
        }
        statements.set(sql, statement);
      }
      return statement;
    },
    close() {
      statements.clear();
      database.close();
    },
  };
}
