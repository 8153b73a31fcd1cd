import type { Logger } from '../logging/index.js';
import type { Store } from '../store/index.js';
import type { WorkflowEngine } from '../workflows/index.js';
import { createAuthService } from './auth.js';
import { createEnvironmentService } from './environments.js';
import { createStatusFollower } from './follow.js';
import { createRequestService } from './requests.js';
import { createRunService } from './runs.js';
import type { Dispatcher, Platform } from './types.js';

/** What the platform needs; the composition root provides it. */
export interface PlatformDeps {
  store: Store;
  engine: WorkflowEngine;
  dispatcher: Dispatcher;
  logger: Logger;
  /** Defaults to the system clock. */
  clock?: () => Date;
}

/** Wires the platform's services over one store, engine and dispatcher. */
export function createPlatform(deps: PlatformDeps): Platform {
  const clock = deps.clock ?? (() => new Date());
  const logger = deps.logger.child({ component: 'platform' });
  const follower = createStatusFollower({ store: deps.store, engine: deps.engine, logger, clock });
  return {
    environments: createEnvironmentService({
      store: deps.store,
      dispatcher: deps.dispatcher,
      logger,
      clock,
    }),
    requests: createRequestService({ store: deps.store }),
    runs: createRunService({ store: deps.store, engine: deps.engine }),
    auth: createAuthService({ store: deps.store, clock }),
    start: () => follower.start(),
    stop: () => follower.stop(),
    settled: () => follower.settled(),
    async checkReady() {
      await deps.store.tokens.count();
    },
  };
}
