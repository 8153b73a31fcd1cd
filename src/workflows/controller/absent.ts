import { NodePhase, type NodeStatus } from '../model/types.js';
import type { WorkflowRun } from './run.js';

/**
 * The value of a skipped or omitted node's output parameter that declares no
 * `valueFrom.default`: an absent optional, as Argo calls it. An argument that is
 * exactly a reference to one counts as not supplied (the input's own default
 * applies); any other use of it is an error.
 */
export const ABSENT_OUTPUT = '__plinth.absent-optional-output__';

/** Argo's message for an absent optional that nothing handled. */
export function absentOutputMessage(where: string): string {
  return `unable to substitute ${where}: output is an absent optional (skipped/omitted node with no default)`;
}

/** Whether a substituted value used an absent optional. */
export function usesAbsentOutput(value: unknown): boolean {
  if (typeof value === 'string') return value.includes(ABSENT_OUTPUT);
  return value !== undefined && JSON.stringify(value).includes(ABSENT_OUTPUT);
}

/**
 * The declared output parameters of a skipped or omitted node, as its siblings
 * see them: the producer's `valueFrom.default`, else the absent optional.
 */
export function addSkippedOutputs(
  run: WorkflowRun,
  scope: Map<string, string>,
  prefix: string,
  node: NodeStatus,
  name: string,
): void {
  if (node.outputs !== undefined) return;
  if (node.phase !== NodePhase.Skipped && node.phase !== NodePhase.Omitted) return;
  if (!node.templateName && !node.templateRef) return;
  const resolved = run.index.resolve(node.templateScope ?? `local/${run.name}`, {
    ...(node.templateName ? { template: node.templateName } : {}),
    ...(node.templateRef ? { templateRef: node.templateRef } : {}),
  });
  if (typeof resolved === 'string') return;
  for (const p of resolved.template.outputs?.parameters ?? []) {
    const key = `${prefix}.${name}.outputs.parameters.${p.name}`;
    if (!scope.has(key)) scope.set(key, p.valueFrom?.default ?? ABSENT_OUTPUT);
  }
}
