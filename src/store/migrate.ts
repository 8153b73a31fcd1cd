import { Migrator, type Kysely, type MigrationProvider } from 'kysely';
import { PlinthError } from '../errors/index.js';
import { type Dialect, migrationsFor } from './migrations/index.js';

/**
 * Brings the database to the newest migration; throws STORE_FAILURE naming the
 * one that failed. `schema` (PostgreSQL) keeps the Migrator's own tables in it:
 * without it, a table of that name in any other schema counts as present.
 */
export async function migrateToLatest(
  db: Kysely<unknown>,
  dialect: Dialect,
  schema?: string,
): Promise<string[]> {
  const provider: MigrationProvider = { getMigrations: async () => migrationsFor(dialect) };
  const migrator = new Migrator({
    db,
    provider,
    migrationTableName: 'plinth_migrations',
    migrationLockTableName: 'plinth_migrations_lock',
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new PlinthError(
      'STORE_FAILURE',
      `database migration ${failed} failed: ${String(error)}`,
      {
        cause: error,
        retryable: false,
      },
    );
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
