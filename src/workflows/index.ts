export type * from './model/types.js';
export { WorkflowPhase, NodePhase, NodeType } from './model/types.js';
export type * from './engine.js';
export { createWorkflowEngine, type WorkflowEngineDeps } from './service.js';
export { createTemplateRegistry } from './registry.js';
export {
  createRunClaimKeeper,
  type RunClaims,
  type RunClaimKeeper,
  type RunClaimKeeperOptions,
} from './claims.js';
export { SharedSyncManager, type SharedSyncManagerOptions } from './controller/shared-sync.js';
export type { SyncManager } from './controller/sync.js';
export {
  createLeaderLease,
  type Leadership,
  type LeaderLease,
  type LeaderLeaseOptions,
} from './leader.js';
export {
  createRunOperationRelay,
  type RunOperation,
  type RunOperationName,
  type RunOperationRelay,
  type RunOperationRelayOptions,
} from './relay.js';
export { parseNodeFieldSelector, RESUBMITTED_FROM_LABEL } from './operations.js';
export {
  parseWorkflow,
  parseWorkflowTemplate,
  templateType,
  TEMPLATE_TYPES,
  type TemplateType,
} from './model/parse.js';
export { runToCompletion } from './run-to-completion.js';
export { writeConfigMaps } from './controller/configmaps.js';
export { nodeId, podName } from './model/names.js';
export { createHostStepRunner, type HostStepRunnerOptions } from './executor/index.js';
export type { StepRunner, StepSpec, StepResult, StepHandle } from './executor/index.js';
export {
  evaluateExpression,
  evaluateWhen,
  compileGovaluate,
  goValueText,
  goFloatText,
  type GovaluateExpression,
} from './expressions/index.js';
export { createExpressionLanguage } from './expressions/index.js';
export { parseDepends } from './model/depends.js';
