import type { Kysely } from 'kysely';

/** The SQL dialect a migration runs against; column types differ in a few places. */
export type Dialect = 'sqlite' | 'postgres';

/** A migration written once for both dialects. */
export interface PortableMigration {
  readonly name: string;
  up(db: Kysely<unknown>, dialect: Dialect): Promise<void>;
}
