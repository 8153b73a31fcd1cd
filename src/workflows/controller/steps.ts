import { layered } from '../expressions/index.js';
import { NodePhase, NodeType, type NodeStatus, type WorkflowStep } from '../model/types.js';
import { applyCompositeArtifacts } from './artifacts.js';
import { stopDaemons } from './daemon.js';
import { exitHookOf, runExitHook } from './exit.js';
import { ExpressionHooks } from './hooks.js';
import { addSkippedOutputs } from './absent.js';
import {
  addNodeScope,
  compositeOutputs,
  execute,
  outboundNodes,
  skippedNode,
  type NodeContext,
} from './execute.js';
import { Gate, parallelismOf } from './gate.js';
import { aggregateOutputs, isLoop } from './loops.js';
import { planStep, type PlannedNode } from './plan.js';
import { isFailedOrError, isFulfilled, type WorkflowRun } from './run.js';

/** Argo's message when a template with `failFast: true` stops after a failed child. */
export const FAIL_FAST_MESSAGE = 'template has failed or errored children and failFast enabled';

interface StepsState {
  group: number;
  /** `steps.<name>.*` of finished steps. */
  scope: Map<string, string>;
  gate: Gate;
  /** Set when `failFast: true` stopped the template after a failed child. */
  failedFast: boolean;
}

/**
 * A steps template: its groups run one after the other, the steps of a
 * group in parallel (at most `parallelism` at once). Nodes as Argo builds
 * them: the Steps node, one StepGroup node per group (`name[i]`), and the
 * steps under it (`name[i].step`, loop copies `name[i].step(0:item)`).
 */
export function executeSteps(run: WorkflowRun, ctx: NodeContext): void {
  if (ctx.node.phase === NodePhase.Pending) run.markPhase(ctx.node, NodePhase.Running);
  advance(run, ctx, {
    group: 0,
    scope: new Map(),
    gate: new Gate(parallelismOf(ctx.template.parallelism)),
    failedFast: false,
  });
}

function advance(run: WorkflowRun, ctx: NodeContext, st: StepsState): void {
  const { node, template } = ctx;
  const groups = template.steps ?? [];
  let last: NodeStatus | undefined;
  while (st.group < groups.length) {
    const i = st.group;
    const group = groups[i] ?? [];
    const sgName = `${node.name}[${i}]`;
    let sg = run.nodeByName(sgName);
    if (!sg) {
      if (run.shutdown && !ctx.hooked) {
        finish(run, ctx, st, last, NodePhase.Failed, `Stopped with strategy '${run.shutdown}'`);
        return;
      }
      sg = run.createNode({
        name: sgName,
        displayName: `[${i}]`,
        type: NodeType.StepGroup,
        templateScope: ctx.scope,
        phase: NodePhase.Running,
        boundaryID: node.id,
      });
      const parents = last
        ? (last.children ?? []).flatMap((c) => outboundNodes(run, c))
        : [node.id];
      for (const p of parents) run.addChild(p, sg.id);
      if (last && parents.length === 0) run.addChild(last.id, sg.id);
    }
    if (!isFulfilled(sg)) {
      const groupNode = sg;
      const finishedNow = runGroup(run, ctx, st, group, groupNode, () => advance(run, ctx, st));
      if (!finishedNow) return;
    }
    collectScope(run, st, group, sg);
    last = sg;
    if (isFailedOrError(sg)) {
      finish(run, ctx, st, sg, NodePhase.Failed, sg.message);
      return;
    }
    st.group++;
  }
  finish(run, ctx, st, last, NodePhase.Succeeded);
}

/** Starts a group's steps; returns true when it completed at once, else calls `onComplete` later. */
function runGroup(
  run: WorkflowRun,
  ctx: NodeContext,
  st: StepsState,
  group: WorkflowStep[],
  sg: NodeStatus,
  onComplete: () => void,
): boolean {
  const entries: { step: WorkflowStep; planned: PlannedNode<WorkflowStep> }[] = [];
  const tags = layered(st.scope, ctx.tags);
  for (const step of group) {
    for (const planned of planStep(step, tags, 'steps.name').nodes) entries.push({ step, planned });
  }
  const stepOf = new Map<string, WorkflowStep>();
  let pending = entries.length;
  let launching = true;
  const done = () => {
    pending--;
    if (pending === 0 && !launching) {
      completeGroup(run, ctx, st, sg, stepOf);
      onComplete();
    }
  };
  for (const entry of entries) {
    st.gate.run(() =>
      launch(run, ctx, st, entry.step, entry.planned, sg, stepOf, (node) => {
        if (
          ctx.template.failFast === true &&
          isFailedOrError(node) &&
          !continues(entry.step, node)
        ) {
          st.failedFast = true;
          pending -= st.gate.drop();
        }
        st.gate.release();
        done();
      }),
    );
  }
  launching = false;
  if (pending > 0) return false;
  completeGroup(run, ctx, st, sg, stepOf);
  return true;
}

function launch(
  run: WorkflowRun,
  ctx: NodeContext,
  st: StepsState,
  step: WorkflowStep,
  planned: PlannedNode<WorkflowStep>,
  sg: NodeStatus,
  stepOf: Map<string, WorkflowStep>,
  finished: (node: NodeStatus) => void,
): void {
  const base = {
    nodeName: `${sg.name}.${planned.name}`,
    displayName: planned.name,
    boundaryId: ctx.node.id,
    parents: [sg.id],
    scope: ctx.scope,
  };
  let hooks: ExpressionHooks | undefined;
  const watchHooks = (node: NodeStatus) =>
    ExpressionHooks.watch(run, step.hooks, {
      parent: node,
      displayName: node.displayName,
      boundaryId: ctx.node.id,
      scope: ctx.scope,
      tags: () => {
        const own = new Map<string, string>();
        addNodeScope(own, 'steps', node);
        return layered(own, st.scope, ctx.tags);
      },
    });
  const afterNode = (node: NodeStatus) => {
    stepOf.set(node.id, step);
    const stepScope = new Map<string, string>();
    addNodeScope(stepScope, 'steps', node, step.name);
    const runExit = () =>
      runExitHook(
        run,
        exitHookOf(step),
        {
          parent: node,
          boundaryId: ctx.node.id,
          scope: ctx.scope,
          tags: layered(stepScope, st.scope, ctx.tags),
          attach: true,
        },
        () => finished(node),
      );
    hooks ??= watchHooks(node);
    if (hooks) hooks.settle(runExit);
    else runExit();
  };
  if (planned.error !== undefined || planned.skipped !== undefined) {
    const node = skippedNode(
      run,
      base,
      planned.error !== undefined ? NodePhase.Error : NodePhase.Skipped,
      planned.error ?? planned.skipped ?? '',
      step.template,
    );
    stepOf.set(node.id, step);
    finished(node);
    return;
  }
  const resolved = planned.step as WorkflowStep;
  const stopped = run.shutdown && !ctx.hooked && !run.nodeByName(base.nodeName);
  const node = execute(run, {
    ...base,
    holder: resolved,
    holderName: { tag: 'steps.name', name: resolved.name },
    args: resolved.arguments?.parameters ?? [],
    hooked: ctx.hooked,
    onDone: afterNode,
    ...(stopped ? { failure: `Stopped with strategy '${run.shutdown}'` } : {}),
  });
  if (!isFulfilled(node)) hooks ??= watchHooks(node);
  else afterNode(node);
}

function continues(step: WorkflowStep | undefined, node: NodeStatus): boolean {
  return Boolean(
    (node.phase === NodePhase.Failed && step?.continueOn?.failed) ||
    (node.phase === NodePhase.Error && step?.continueOn?.error),
  );
}

function completeGroup(
  run: WorkflowRun,
  ctx: NodeContext,
  st: StepsState,
  sg: NodeStatus,
  stepOf: Map<string, WorkflowStep>,
): void {
  if (st.failedFast) {
    run.markPhase(sg, NodePhase.Failed, FAIL_FAST_MESSAGE);
    return;
  }
  for (const childId of sg.children ?? []) {
    const child = run.nodes[childId];
    if (!child || !isFailedOrError(child)) continue;
    const step =
      stepOf.get(childId) ??
      ctx.template.steps
        ?.flat()
        .find((s) => child.displayName === s.name || child.displayName.startsWith(`${s.name}(`));
    if (!continues(step, child)) {
      run.markPhase(sg, NodePhase.Failed, `child '${childId}' failed`);
      return;
    }
  }
  run.markPhase(sg, NodePhase.Succeeded);
}

/** Adds a finished group's `steps.<name>.*` tags, aggregating loops as Argo does. */
function collectScope(
  run: WorkflowRun,
  st: StepsState,
  group: WorkflowStep[],
  sg: NodeStatus,
): void {
  const own = new Map<string, NodeStatus>();
  const copies = new Map<string, NodeStatus[]>();
  for (const id of sg.children ?? []) {
    const child = run.nodes[id];
    if (!child) continue;
    own.set(child.displayName, child);
    const open = child.displayName.indexOf('(');
    if (open > 0 && child.type !== NodeType.Skipped) {
      const base = child.displayName.slice(0, open);
      const list = copies.get(base) ?? [];
      list.push(child);
      copies.set(base, list);
    }
  }
  for (const step of group) {
    const single = own.get(step.name);
    if (single || !isLoop(step)) {
      if (single) {
        addNodeScope(st.scope, 'steps', single, step.name);
        addSkippedOutputs(run, st.scope, 'steps', single, step.name);
      }
      continue;
    }
    const list = copies.get(step.name) ?? [];
    if (list.length > 0) aggregateOutputs(st.scope, `steps.${step.name}`, list);
    addNodeScope(st.scope, 'steps', sg, step.name);
  }
}

function finish(
  run: WorkflowRun,
  ctx: NodeContext,
  st: StepsState,
  lastGroup: NodeStatus | undefined,
  phase: NodePhase,
  message?: string,
): void {
  const { node } = ctx;
  node.outboundNodes = (lastGroup?.children ?? []).flatMap((c) => outboundNodes(run, c));
  if (phase === NodePhase.Succeeded) {
    const params = compositeOutputs(ctx.template, layered(st.scope, ctx.tags));
    if (params.length > 0) {
      node.outputs = { parameters: params };
      run.exportGlobals(params);
    }
    applyCompositeArtifacts(run, node, ctx.template, layered(st.scope, ctx.tags));
  }
  stopDaemons(run, node);
  run.markPhase(node, phase, message);
}
