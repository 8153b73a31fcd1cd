import type { EventBus } from '../eventbus/index.js';
import type { Logger } from '../logging/index.js';
import type { Store } from '../store/index.js';
import type { WorkflowEngine } from '../workflows/index.js';
import { createAuditService } from './audit.js';
import { createAuthService } from './auth.js';
import { createEnvironmentService } from './environments.js';
import { createEventService } from './events.js';
import { createStatusFollower } from './follow.js';
import { createIdempotencyService } from './idempotency.js';
import { createRequestService } from './requests.js';
import { createRunService } from './runs.js';
import { createAccessService } from './tokens.js';
import type { Dispatcher, Platform } from './types.js';

/** What the platform needs; the composition root provides it. */
export interface PlatformDeps {
  store: Store;
  engine: WorkflowEngine;
  dispatcher: Dispatcher;
  logger: Logger;
  /** Defaults to the system clock. */
  clock?: () => Date;
  /** The event bus, to replay stored events; without it a replay answers UNAVAILABLE. */
  bus?: EventBus;
}

/** Wires the platform's services over one store, engine and dispatcher. */
export function createPlatform(deps: PlatformDeps): Platform {
  const clock = deps.clock ?? (() => new Date());
  const logger = deps.logger.child({ component: 'platform' });
  const follower = createStatusFollower({ store: deps.store, engine: deps.engine, logger, clock });
  const audit = createAuditService({ store: deps.store, clock });
  const auth = createAuthService({ store: deps.store, clock, audit });
  return {
    environments: createEnvironmentService({
      store: deps.store,
      dispatcher: deps.dispatcher,
      logger,
      clock,
    }),
    requests: createRequestService({ store: deps.store }),
    runs: createRunService({ store: deps.store, engine: deps.engine }),
    auth,
    access: createAccessService({ store: deps.store, auth, clock }),
    audit,
    idempotency: createIdempotencyService({ store: deps.store, clock }),
    stats: { runsByPhase: () => deps.store.stats.workflowsByPhase() },
    events: createEventService({ store: deps.store, bus: deps.bus, clock }),
    start: () => follower.start(),
    stop: () => follower.stop(),
    settled: () => follower.settled(),
    async checkReady() {
      await deps.store.tokens.count();
    },
  };
}
