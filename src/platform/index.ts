export { createPlatform, type Platform, type PlatformDeps } from './platform.js';
export { createHttpDispatcher, type HttpDispatcherOptions } from './dispatcher.js';
export {
  authorize,
  isAllowed,
  permissionsOf,
  readPermissionFor,
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
export { createEventBacklog, type EventBacklog } from './event-backlog.js';
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
  createWorkflowService,
  parseParameters,
  parseLabelSelector,
  TEAM_LABEL,
  type WorkflowService,
  type SubmitWorkflowInput,
  type WorkflowListQuery,
  type WorkflowOperation,
  type WorkflowOperationInput,
  type ParameterInput,
} from './workflows.js';
export {
  ENVIRONMENT_KIND,
  ENVIRONMENT_NAME_PATTERN,
  validateCreateEnvironment,
  validateUpdateEnvironment,
  TTL_REQUESTER,
  parseTtl,
  EnvironmentTier,
} from './environments.js';
export {
  createNotifier,
  loadNotificationTargets,
  parseNotificationTargets,
  signatureOf,
  SIGNATURE_HEADER,
  NotificationEvent,
  NotificationFormat,
  type Notifier,
  type NotifierDeps,
  type NotificationTarget,
  type NotificationInput,
  type Notification,
} from './notifications.js';
export {
  createTtlKeeper,
  DEFAULT_EXPIRY_WARNING_MS,
  type TtlKeeper,
  type TtlKeeperDeps,
  type TtlTick,
} from './ttl.js';
export {
  createDriftService,
  DRIFT_TEMPLATE,
  DRIFT_ACTION,
  DRIFT_REQUESTER,
  type DriftService,
  type DriftServiceDeps,
} from './drift.js';
export {
  Role,
  EnvironmentStatus,
  RequestStatus,
  Labels,
  type Dispatcher,
  type Principal,
  type AuthService,
  type EnvironmentService,
  type RequestService,
  type RunService,
  type CreateEnvironmentInput,
  type UpdateEnvironmentInput,
  type UpdateEnvironmentResult,
  type DriftView,
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
export {
  RESOURCE_LABEL,
  ChangeMode,
  type InfrastructureService,
  type ResourceView,
} from './infrastructure.js';
export {
  DomainKind,
  changeSchemaOf,
  createCatalogService,
  isDomainKind,
  resourcePath,
  type CatalogService,
  type KindSummary,
  type KindView,
} from './kinds.js';
export { createKindRequests, type KindRequests, type KindSubmission } from './kind-requests.js';
export {
  APPLICATION_KIND,
  DeploymentAction,
  DeploymentStatus,
  validateDeployApplication,
  type ApplicationService,
  type ApplicationView,
  type DeployApplicationInput,
  type DeploymentView,
} from './applications.js';
export {
  resolveConfiguration,
  type ConfigurationChange,
  type ConfigurationDiff,
  type ConfigurationService,
  type ConfigurationView,
  type ResolvedConfiguration,
} from './configuration.js';
export {
  createSecretBox,
  loadSecretKey,
  secretContext,
  SECRET_KEY_FILE,
  type SecretBox,
} from './crypto.js';
export {
  DeployTarget,
  deliverApplication,
  runDeployCommand,
  type DeployStepInput,
} from './delivery.js';
export { REVISION_OUTPUT } from './application-status.js';
