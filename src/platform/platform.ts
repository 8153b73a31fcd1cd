import path from 'node:path';
import { readRequestKindsSync, type RequestKind } from '../catalog/index.js';
import { packageRoot } from '../config/index.js';
import type { EventBus } from '../eventbus/index.js';
import type { SecretResolver } from '../sensors/index.js';
import { PlinthError } from '../errors/index.js';
import type { Logger } from '../logging/index.js';
import type { Store } from '../store/index.js';
import type { Leadership, WorkflowEngine } from '../workflows/index.js';
import { createApplicationFollower } from './application-status.js';
import { createApplicationService, createDeploymentStarter } from './applications.js';
import { createAuditService } from './audit.js';
import { createConfigurationService } from './configuration.js';
import { createSecretBox, type SecretBox } from './crypto.js';
import { createAuthService } from './auth.js';
import { createAccessService } from './tokens.js';
import { createDriftService } from './drift.js';
import { createEnvironmentService } from './environments.js';
import { createNotifier, type NotificationTarget } from './notifications.js';
import type { TierPolicy } from '../catalog/index.js';
import { createTtlKeeper } from './ttl.js';
import { createEventService } from './events.js';
import { createStatusFollower } from './follow.js';
import { createIdempotencyService } from './idempotency.js';
import { createInfrastructureService } from './infrastructure.js';
import { createKindRequests } from './kind-requests.js';
import { DomainKind, createCatalogService, type CatalogService } from './kinds.js';
import { createRequestService } from './requests.js';
import { createRunService } from './runs.js';
import { createWorkflowService } from './workflows.js';
import type { AuditService } from './audit.js';
import type { IdempotencyService } from './idempotency.js';
import type { AccessService } from './tokens.js';
import type { EventService } from './events.js';
import type { DriftService } from './drift.js';
import type { Notifier } from './notifications.js';
import type { TtlKeeper } from './ttl.js';
import type { ApplicationService } from './applications.js';
import type { ConfigurationService } from './configuration.js';
import type { WorkflowService } from './workflows.js';
import type { InfrastructureService } from './infrastructure.js';
import type {
  AuthService,
  Dispatcher,
  EnvironmentService,
  PlatformStats,
  RequestService,
  RunService,
} from './types.js';

/** The platform's domain services; knows nothing of HTTP. */
export interface Platform {
  readonly environments: EnvironmentService;
  /** Expiry of environments whose TTL ended (a pass runs on a timer; `tick` runs one now). */
  readonly ttl: TtlKeeper;
  /** Drift checks, on demand and scheduled. */
  readonly drift: DriftService;
  /** Outgoing notifications (webhooks). */
  readonly notifications: Notifier;
  /** Applications deployed to environments: deploy, history, rollback. */
  readonly applications: ApplicationService;
  /** Applications' configuration: immutable versions, secrets sealed. */
  readonly configuration: ConfigurationService;
  readonly requests: RequestService;
  readonly runs: RunService;
  readonly auth: AuthService;
  /** Tokens and teams (admins manage tokens). */
  readonly access: AccessService;
  /** The append-only audit log. */
  readonly audit: AuditService;
  /** `Idempotency-Key` bookkeeping for writes. */
  readonly idempotency: IdempotencyService;
  /** Counts for `/metrics`, computed on demand. */
  readonly stats: PlatformStats;
  /** Every event with each sensor's decision about it, and replay. */
  readonly events: EventService;
  /** Argo Workflows submitted and operated through the API. */
  readonly workflows: WorkflowService;
  /** The catalog's request kinds and their input schemas. */
  readonly catalog: CatalogService;
  /** Requests of the catalog's kinds (compute, storage, database, ...) and their resources. */
  readonly infrastructure: InfrastructureService;
  /** Subscribes to Workflow changes and applies what was missed while the process was down. */
  start(): Promise<void>;
  /** Unsubscribes and waits for status updates in flight. */
  stop(): Promise<void>;
  /** Resolves when status updates seen so far are applied (for tests and shutdown). */
  settled(): Promise<void>;
  /** Throws when the store does not answer. */
  checkReady(): Promise<void>;
}

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
  /**
   * The catalog's request kinds (`Catalog.kinds`). The domain kinds
   * (environment, application, configuration) the catalog does not define
   * come from the package's own catalog.
   */
  kinds?: readonly RequestKind[];
  /** The tier policy (`loadTierPolicy(catalog/policies/tiers.json)`); the default policy when absent. */
  tierPolicy?: TierPolicy;
  /** Outgoing webhooks (config `notifications`); none when absent. */
  notifications?: NotificationTarget[];
  /** Resolves the notification targets' signing secrets (`createSecretResolver`). */
  secrets?: SecretResolver;
  /** How often expired environments are looked for (ms); 0 turns it off. Default 60 s. */
  ttlCheckIntervalMs?: number;
  /** How long before its expiry an environment's owners are warned (ms). Default 1 h. */
  expiryWarningMs?: number;
  /** How often every Ready environment is checked for drift (ms); 0 (the default) turns it off. */
  driftCheckIntervalMs?: number;
  /**
   * With several processes on one store: TTL expiry and drift checks run only
   * while this process leads (`createLeaderLease`); without it they always run.
   */
  leadership?: Leadership;
  /** The AES-256 key configuration secrets are sealed with (`loadSecretKey`); without it secrets are refused. */
  secretKey?: Buffer;
}

/** A box that refuses to seal or open: no key was configured. */
const noKeyBox: SecretBox = {
  seal() {
    throw new PlinthError('UNAVAILABLE', 'no secret key is configured (set PLINTH_SECRET_KEY)');
  },
  open() {
    throw new PlinthError('UNAVAILABLE', 'no secret key is configured (set PLINTH_SECRET_KEY)');
  },
};

/** The given kinds, with the package catalog's entry for each domain kind they lack. */
function withDomainKinds(kinds: readonly RequestKind[]): RequestKind[] {
  const missing = Object.values(DomainKind).filter((d) => !kinds.some((k) => k.name === d));
  if (missing.length === 0) return [...kinds];
  return [...kinds, ...readRequestKindsSync(path.join(packageRoot, 'catalog'), missing)];
}

/** Wires the platform's services over one store, engine and dispatcher. */
export function createPlatform(deps: PlatformDeps): Platform {
  const clock = deps.clock ?? (() => new Date());
  const logger = deps.logger.child({ component: 'platform' });
  const follower = createStatusFollower({ store: deps.store, engine: deps.engine, logger, clock });
  const audit = createAuditService({ store: deps.store, clock });
  const auth = createAuthService({ store: deps.store, clock, audit });
  const catalog = createCatalogService(withDomainKinds(deps.kinds ?? []));
  const notifier = createNotifier({
    targets: deps.notifications ?? [],
    logger,
    clock,
    store: deps.store,
    ...(deps.secrets ? { secrets: deps.secrets } : {}),
  });
  const requests = createKindRequests({
    store: deps.store,
    dispatcher: deps.dispatcher,
    catalog,
    logger,
    notifier,
  });
  const environments = createEnvironmentService({
    store: deps.store,
    catalog,
    requests,
    clock,
    ...(deps.tierPolicy ? { policy: deps.tierPolicy } : {}),
  });
  const drift = createDriftService({
    store: deps.store,
    engine: deps.engine,
    logger,
    clock,
    notifier,
  });
  const ttl = createTtlKeeper({
    store: deps.store,
    expire: (name) => environments.expire(name),
    logger,
    clock,
    notifier,
    ...(deps.tierPolicy ? { policy: deps.tierPolicy } : {}),
    ...(deps.expiryWarningMs === undefined ? {} : { warnBeforeMs: deps.expiryWarningMs }),
  });
  const unwatch: (() => void)[] = [];
  const appFollower = createApplicationFollower({
    store: deps.store,
    engine: deps.engine,
    logger,
    clock,
  });
  const startDeployment = createDeploymentStarter({ store: deps.store, requests, clock });
  return {
    catalog,
    infrastructure: createInfrastructureService({ store: deps.store, catalog, requests, clock }),
    environments: { ...environments, driftCheck: (name, actor) => drift.check(name, actor) },
    ttl,
    drift,
    notifications: notifier,
    applications: createApplicationService({ store: deps.store, catalog, startDeployment }),
    configuration: createConfigurationService({
      store: deps.store,
      catalog,
      box: deps.secretKey ? createSecretBox(deps.secretKey) : noKeyBox,
      startDeployment,
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
    workflows: createWorkflowService({ store: deps.store, engine: deps.engine }),
    async start() {
      unwatch.push(drift.watch(), notifier.watch(deps.engine));
      await notifier.resume();
      const schedule = () => {
        ttl.schedule(deps.ttlCheckIntervalMs ?? 60_000);
        drift.schedule(deps.driftCheckIntervalMs ?? 0);
      };
      if (!deps.leadership) schedule();
      else {
        unwatch.push(
          deps.leadership.watch(async (leading) => {
            if (leading) return schedule();
            await Promise.all([ttl.stop(), drift.stop()]);
          }),
        );
      }
      await follower.start();
      await appFollower.start();
    },
    async stop() {
      for (const off of unwatch.splice(0)) off();
      await ttl.stop();
      await drift.stop();
      await appFollower.stop();
      await follower.stop();
      await notifier.stop();
    },
    async settled() {
      await follower.settled();
      await drift.settled();
      await appFollower.settled();
    },
    async checkReady() {
      await deps.store.tokens.count();
    },
  };
}
