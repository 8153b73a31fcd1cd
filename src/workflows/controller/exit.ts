import { allowExpressionsOnly, substitute, type TagScope } from '../expressions/index.js';
import { podName } from '../model/names.js';
import type { TemplateScope } from '../model/resolve.js';
import {
  NodePhase,
  WorkflowPhase,
  type Arguments,
  type NodeStatus,
  type LifecycleHook,
  type WorkflowStep,
} from '../model/types.js';
import { execute } from './execute.js';
import { isFulfilled, type WorkflowRun } from './run.js';

/** A lifecycle hook: the template it runs, and its arguments. */
export type ExitHook = LifecycleHook;

/** The exit hook of a step, task or Workflow: `onExit`, or `hooks.exit`. */
export function exitHookOf(holder: Pick<WorkflowStep, 'onExit' | 'hooks'>): ExitHook | undefined {
  if (typeof holder.onExit === 'string' && holder.onExit !== '') return { template: holder.onExit };
  const exit = holder.hooks?.exit;
  return exit && (exit.template || exit.templateRef) ? exit : undefined;
}

/** Where an exit handler runs, and what it can see. */
export interface ExitContext {
  parent: NodeStatus;
  boundaryId?: string;
  scope: TemplateScope;
  /** Tags its arguments may use, including the parent step's own `steps.<name>.*`. */
  tags: TagScope;
  /** Whether the handler's node becomes a child of the parent (steps and tasks), or stands alone (the Workflow's). */
  attach: boolean;
}

/**
 * Runs an exit handler as the node `<parent>.onExit` once its parent has
 * finished; calls `onDone` when it has run (at once when there is none).
 * Arguments default to the Workflow's, as Argo passes them.
 */
export function runExitHook(
  run: WorkflowRun,
  hook: ExitHook | undefined,
  ctx: ExitContext,
  onDone: (node?: NodeStatus) => void,
): void {
  if (!hook || run.shutdown === 'Terminate') {
    onDone();
    return;
  }
  const nodeName = `${ctx.parent.name}.onExit`;
  const existing = run.nodeByName(nodeName);
  if (existing && isFulfilled(existing)) {
    onDone(existing);
    return;
  }
  let args: Arguments | undefined;
  let failure: string | undefined;
  try {
    args = substitute(hook.arguments ?? run.execSpec.arguments, ctx.tags, allowExpressionsOnly);
  } catch (err) {
    failure = (err as Error).message;
  }
  const node = execute(run, {
    nodeName,
    displayName: `${ctx.parent.displayName}.onExit`,
    ...(ctx.boundaryId ? { boundaryId: ctx.boundaryId } : {}),
    parents: ctx.attach ? [ctx.parent.id] : [],
    holder: {
      ...(hook.template ? { template: hook.template } : {}),
      ...(hook.templateRef ? { templateRef: hook.templateRef } : {}),
    },
    scope: ctx.scope,
    args: args?.parameters ?? [],
    hooked: true,
    nodeFlag: { hooked: true },
    onDone: (n) => onDone(n),
    ...(failure !== undefined ? { failure } : {}),
  });
  if (isFulfilled(node)) onDone(node);
}

/** Sets `workflow.status` and `workflow.failures` for the Workflow's exit handler. */
export function setExitVariables(run: WorkflowRun, root: NodeStatus): void {
  const phase =
    root.phase === NodePhase.Failed
      ? WorkflowPhase.Failed
      : root.phase === NodePhase.Error
        ? WorkflowPhase.Error
        : WorkflowPhase.Succeeded;
  const failures = Object.values(run.nodes)
    .filter((n) => n.phase === NodePhase.Failed || n.phase === NodePhase.Error)
    .map((n) => ({
      displayName: n.displayName,
      message: n.message ?? '',
      templateName: n.templateName ?? n.templateRef?.template ?? '',
      phase: n.phase,
      podName: podName(run.name, n.name, n.templateName ?? n.templateRef?.template),
      finishedAt: n.finishedAt ?? null,
    }));
  run.setGlobal('workflow.status', phase);
  run.setGlobal('workflow.failures', failures.length > 0 ? JSON.stringify(failures) : 'null');
  const started = Date.parse(run.wf.status?.startedAt ?? '');
  if (!Number.isNaN(started)) {
    run.setGlobal('workflow.duration', ((Date.now() - started) / 1000).toFixed(6));
  }
}
