export type * from './model/types.js';
export { WorkflowPhase, NodePhase, NodeType } from './model/types.js';
export type * from './engine.js';
