export { createPlatform, type PlatformDeps } from './platform.js';
export { createHttpDispatcher, type HttpDispatcherOptions } from './dispatcher.js';
export {
  ENVIRONMENT_EVENT,
  ENVIRONMENT_FIELDS,
  ENVIRONMENT_NAME_PATTERN,
  validateCreateEnvironment,
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
} from './types.js';
