import type { Kysely, Migration } from 'kysely';
import { m0001Initial } from './0001-initial.js';
import { m0002Events } from './0002-events.js';
import { m0003Access } from './0003-access.js';
import { m0004Memo } from './0004-memo.js';
import { m0005Applications } from './0005-applications.js';
import { m0006Environments } from './0006-environments.js';
import { m0007Resources } from './0007-resources.js';
import { m0008SensorState } from './0008-sensor-state.js';
import { m0009Notifications } from './0009-notifications.js';
import { m0010Claims } from './0010-claims.js';
import { m0012RequestPriorStatus } from './0012-request-prior-status.js';
import { m0013RunOperations } from './0013-run-operations.js';
import { m0014SyncLocks } from './0014-sync-locks.js';

import type { Dialect, PortableMigration } from './types.js';

export type { Dialect, PortableMigration } from './types.js';

/** Every migration, in order. Append only: never edit or remove one that has shipped. */
export const migrations: readonly PortableMigration[] = [
  m0001Initial,
  m0002Events,
  m0003Access,
  m0004Memo,
  m0005Applications,
  m0006Environments,
  m0007Resources,
  m0008SensorState,
  m0009Notifications,
  m0010Claims,
  m0012RequestPriorStatus,
  m0013RunOperations,
  m0014SyncLocks,
];

/** The migrations in the shape Kysely's Migrator takes, bound to a dialect. */
export function migrationsFor(dialect: Dialect): Record<string, Migration> {
  return Object.fromEntries(
    migrations.map((m) => [m.name, { up: (db: Kysely<unknown>) => m.up(db, dialect) }]),
  );
}
