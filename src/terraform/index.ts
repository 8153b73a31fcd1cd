export { createTerraform, DEFAULT_PLAN_FILE } from './terraform.js';
export { runTerraformCommand, TERRAFORM_USAGE } from './command.js';
export type { TerraformCommandContext, Writer } from './command.js';
export { summarizePlan, formatPlanLine } from './summary.js';
export { workspaceDir } from './workspace.js';
export { ResourceAction, SENSITIVE_VALUE } from './types.js';
export type {
  ApplySummary,
  DriftResult,
  PlanOptions,
  PlanSummary,
  ResourceChange,
  Terraform,
  TerraformOptions,
  TerraformOutputs,
  TerraformProgress,
  TerraformVars,
} from './types.js';
