export type { StepRunner, StepSpec, StepResult, StepHandle, OutputStream } from './types.js';
export { createHostStepRunner, SCRIPT_FILE, type HostStepRunnerOptions } from './host.js';
export {
  hostPath,
  namespacesAvailable,
  planStepFilesystem,
  type StepFilesystem,
  type StepMount,
} from './filesystem.js';
