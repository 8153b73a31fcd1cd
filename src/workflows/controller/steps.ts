import { allowExpressionsOnly, layered, substitute } from '../expressions/index.js';
import { NodePhase, NodeType, type NodeStatus, type WorkflowStep } from '../model/types.js';
import {
  addNodeScope,
  compositeOutputs,
  execute,
  outboundNodes,
  type NodeContext,
} from './execute.js';
import { isFailedOrError, isFulfilled, type WorkflowRun } from './run.js';

interface StepsState {
  group: number;
  pending: number;
  /** `steps.<name>.*` of finished steps. */
  scope: Map<string, string>;
}

/**
 * A steps template: its groups run one after the other, the steps of a
 * group in parallel. Nodes as Argo builds them: the Steps node, one StepGroup
 * node per group (`name[i]`), and the steps under it (`name[i].step`).
 */
export function executeSteps(run: WorkflowRun, ctx: NodeContext): void {
  if (ctx.node.phase === NodePhase.Pending) run.markPhase(ctx.node, NodePhase.Running);
  advance(run, ctx, { group: 0, pending: 0, scope: new Map() });
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
      if (run.shutdown) {
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
      st.pending = 0;
      for (const step of group) {
        const child = launch(run, ctx, st, step, groupNode, () => {
          st.pending--;
          if (st.pending === 0) {
            completeGroup(run, groupNode, group);
            advance(run, ctx, st);
          }
        });
        if (!isFulfilled(child)) st.pending++;
      }
      if (st.pending > 0) return;
      completeGroup(run, sg, group);
    }
    for (const childId of sg.children ?? []) {
      const child = run.nodes[childId];
      if (child) addNodeScope(st.scope, 'steps', child);
    }
    last = sg;
    if (isFailedOrError(sg)) {
      finish(run, ctx, st, sg, NodePhase.Failed, sg.message);
      return;
    }
    st.group++;
  }
  finish(run, ctx, st, last, NodePhase.Succeeded);
}

function launch(
  run: WorkflowRun,
  ctx: NodeContext,
  st: StepsState,
  step: WorkflowStep,
  sg: NodeStatus,
  onDone: () => void,
): NodeStatus {
  const nodeName = `${sg.name}.${step.name}`;
  const base = {
    nodeName,
    displayName: step.name,
    boundaryId: ctx.node.id,
    parents: [sg.id],
    scope: ctx.scope,
    onDone,
  };
  let resolved: WorkflowStep;
  try {
    resolved = substitute(step, layered(st.scope, ctx.tags), allowExpressionsOnly);
  } catch (err) {
    return execute(run, {
      ...base,
      holder: { template: '' },
      args: [],
      failure: (err as Error).message,
    });
  }
  return execute(run, { ...base, holder: resolved, args: resolved.arguments?.parameters ?? [] });
}

function completeGroup(run: WorkflowRun, sg: NodeStatus, steps: WorkflowStep[]): void {
  for (const childId of sg.children ?? []) {
    const child = run.nodes[childId];
    if (!child || !isFailedOrError(child)) continue;
    const step = steps.find((s) => s.name === child.displayName);
    const continues =
      (child.phase === NodePhase.Failed && step?.continueOn?.failed) ||
      (child.phase === NodePhase.Error && step?.continueOn?.error);
    if (!continues) {
      run.markPhase(sg, NodePhase.Failed, `child '${childId}' failed`);
      return;
    }
  }
  run.markPhase(sg, NodePhase.Succeeded);
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
  }
  run.markPhase(node, phase, message);
}
