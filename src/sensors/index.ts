export type * from './types.js';
export {
  TriggerParameterOperation,
  KubernetesResourceOperation,
  ArgoWorkflowOperation,
  TriggerType,
} from './types.js';
export { parseSensor, type ParseSensorOptions } from './parse.js';
export {
  evaluateSensor,
  type SensorDecision,
  type DependencyDecision,
  type TriggerDecision,
} from './evaluate.js';
export {
  createSensorController,
  type SensorController,
  type SensorControllerDeps,
} from './controller.js';
