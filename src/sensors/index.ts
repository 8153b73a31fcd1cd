export type * from './types.js';
export {
  TriggerParameterOperation,
  KubernetesResourceOperation,
  ArgoWorkflowOperation,
  TriggerType,
  LogicalOperator,
  Comparator,
  JSONType,
} from './types.js';
export { parseSensor, type ParseSensorOptions } from './parse.js';
export { checkConditions, checkFilters } from './dependencies/check.js';
export {
  evaluateSensor,
  type SensorDecision,
  type DependencyDecision,
  type TriggerDecision,
  type EvaluateOptions,
} from './evaluate.js';
export {
  createSensorController,
  type SensorController,
  type SensorControllerDeps,
} from './controller.js';
export { CRASH_AT_ENV, CrashPoint, createFaultInjector, type FaultInjector } from './faults.js';
export {
  createSecretResolver,
  RateLimitUnit,
  type SecretResolver,
  type SecretRef,
  type SecretResolverOptions,
  type TriggerWorkflows,
} from './triggers/index.js';
export {
  renderGoTemplate,
  renderJsonTemplate,
  parseGoTemplate,
} from './parameters/gotemplate/index.js';
export { gjsonGet, type GjsonResult } from './parameters/gjson.js';
