import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import type { Store } from './types.js';
import type { RepositoryDeps } from './repositories/shared.js';
import { createWorkflowRepository } from './repositories/workflows.js';
import { createLogRepository } from './repositories/logs.js';
import { createRequestRepository } from './repositories/requests.js';
import { createEnvironmentRepository } from './repositories/environments.js';
import { createTokenRepository } from './repositories/tokens.js';
import { createEventRepository } from './repositories/events.js';
import { createAuditRepository } from './repositories/audit.js';
import { createIdempotencyRepository } from './repositories/idempotency.js';
import { createStatsRepository } from './repositories/stats.js';
import { createMemoRepository } from './repositories/memo.js';
import { createApplicationRepository } from './repositories/applications.js';
import { createResourceRepository } from './repositories/resources.js';
import { createClaimRepository } from './repositories/claims.js';
import { createRunOperationRepository } from './repositories/run-operations.js';
import { createSyncLockRepository } from './repositories/sync-locks.js';
import { createSensorStateRepository } from './repositories/sensor-state.js';
import { createNotificationRepository } from './repositories/notifications.js';

/** Assembles the repositories over a migrated Kysely instance of either dialect. */
export function assembleStore(
  dialect: Store['dialect'],
  db: Kysely<Database>,
  isUniqueViolation: RepositoryDeps['isUniqueViolation'],
  close: () => Promise<void>,
  sqlite?: RepositoryDeps['sqlite'],
): Store {
  const deps: RepositoryDeps = { db, isUniqueViolation, ...(sqlite ? { sqlite } : {}) };
  return {
    dialect,
    workflows: createWorkflowRepository(deps),
    logs: createLogRepository(deps),
    requests: createRequestRepository(deps),
    environments: createEnvironmentRepository(deps),
    tokens: createTokenRepository(deps),
    events: createEventRepository(deps),
    audit: createAuditRepository(deps),
    idempotency: createIdempotencyRepository(deps),
    stats: createStatsRepository(deps),
    memos: createMemoRepository(deps),
    applications: createApplicationRepository(deps),
    resources: createResourceRepository(deps),
    claims: createClaimRepository(deps),
    runOperations: createRunOperationRepository(deps),
    syncLocks: createSyncLockRepository(deps),
    sensorState: createSensorStateRepository(deps),
    notifications: createNotificationRepository(deps),
    close,
  };
}
