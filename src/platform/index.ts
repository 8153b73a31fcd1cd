export { createPlatform, type PlatformDeps } from './platform.js';
export { createHttpDispatcher, type HttpDispatcherOptions } from './dispatcher.js';
export {
  authorize,
  isAllowed,
  permissionsOf,
  Permission,
  type AuthzResource,
} from './authorization.js';
export { SYSTEM_ACTOR, type AuditInput, type AuditService } from './audit.js';
export {
  fingerprintOf,
  validateIdempotencyKey,
  IDEMPOTENCY_TTL_MS,
  type IdempotencyService,
  type IdempotencyDecision,
  type IdempotentRequest,
} from './idempotency.js';
export {
  parseLifetime,
  DEFAULT_TOKEN_LIFETIME,
  TOKEN_FIELDS,
  type AccessService,
  type CreatedToken,
  type TokenView,
  type TeamView,
} from './tokens.js';
export {
  createEventRecorder,
  EVENT_LOG_CONSUMER,
  REPLAY_OF_EXTENSION,
  type EventRecorder,
  type EventRecorderDeps,
  type EventService,
  type EventView,
  type EventSummaryView,
  type EventDecisionView,
  type TriggerDecisionView,
  type CreatedResource,
  type EventListQuery,
  type ReplayAccepted,
} from './events.js';
export {
  ENVIRONMENT_EVENT,
  ENVIRONMENT_FIELDS,
  ENVIRONMENT_NAME_PATTERN,
  validateCreateEnvironment,
  EnvironmentTier,
} from './environments.js';
export {
  Role,
  EnvironmentStatus,
  RequestStatus,
  Labels,
  type Dispatcher,
  type Platform,
  type Principal,
  type AuthService,
  type EnvironmentService,
  type RequestService,
  type RunService,
  type CreateEnvironmentInput,
  type EnvironmentView,
  type RequestAccepted,
  type RequestView,
  type RunRef,
  type RunSummary,
  type RunView,
  type RunNodeView,
  type RunListFilter,
  type PlanSummary,
  type LogOptions,
  type DecisionInput,
  type IssuedToken,
  type PlatformStats,
} from './types.js';
