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
import { createSensorStateRepository } from './repositories/sensor-state.js';
import { createNotificationRepository } from './repositories/notifications.js';

/** Assembles the repositories over a migrated Kysely instance of either dialect. */
export function assembleStore(
  dialect: Store['dialect'],
  db: Kysely<Database>,
  isUniqueViolation: RepositoryDeps['isUniqueViolation'],
  close: () => Promise<void>,
): Store {
  const deps: RepositoryDeps = { db, isUniqueViolation };
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
    sensorState: createSensorStateRepository(deps),
    notifications: createNotificationRepository(deps),
    close,
  };
}
