export type * from './types.js';
export { createSqliteStore, type SqliteStoreOptions } from './sqlite/index.js';
export { createPostgresStore, type PostgresStoreOptions } from './postgres/index.js';
export { openStore, type StoreOptions } from './open.js';
export { migrations, type PortableMigration, type Dialect } from './migrations/index.js';
