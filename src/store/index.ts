export type * from './types.js';
export { createSqliteStore, type SqliteStoreOptions } from './sqlite/index.js';
export { openStore } from './open.js';
export { migrations, type PortableMigration, type Dialect } from './migrations/index.js';
