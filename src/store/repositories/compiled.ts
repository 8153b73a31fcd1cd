import type { Compilable, Kysely } from 'kysely';

/**
 * A query built and compiled to its dialect's SQL once, then run with new
 * parameter values: building and compiling a Kysely query costs more than
 * SQLite takes to answer a small indexed one. The query is built with
 * stand-in values; each run gives the real ones in the same order.
 */
export function compileOnce<DB, Row>(
  db: Kysely<DB>,
  build: (db: Kysely<DB>) => Compilable<Row>,
): (...parameters: unknown[]) => Promise<Row[]> {
  let compiled: ReturnType<Compilable<Row>['compile']> | undefined;
  return async (...parameters) => {
    compiled ??= build(db).compile();
    if (parameters.length !== compiled.parameters.length) {
      throw new Error(
        `the query takes ${compiled.parameters.length} parameters, ${parameters.length} were given`,
      );
    }
    const result = await db.executeQuery<Row>({ ...compiled, parameters });
    return result.rows;
  };
}
