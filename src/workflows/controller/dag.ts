import { allowExpressionsOnly, layered, substitute } from '../expressions/index.js';
import { dependencyNames, evaluateDepends, type DependsExpr } from '../model/depends.js';
import { taskDepends } from '../model/resolve.js';
import { NodePhase, NodeType, type DAGTask, type NodeStatus } from '../model/types.js';
import {
  addNodeScope,
  compositeOutputs,
  execute,
  outboundNodes,
  type NodeContext,
} from './execute.js';
import { isFulfilled, type WorkflowRun } from './run.js';

interface TaskState {
  task: DAGTask;
  expr: DependsExpr | undefined;
  deps: string[];
  dependents: string[];
  /** Dependencies not finished yet. */
  waiting: number;
  node?: NodeStatus;
  /** The phase this task's branch ended with: its own, or its dependencies' when it was omitted. */
  branch?: NodePhase;
}

interface DagState {
  tasks: Map<string, TaskState>;
  ready: TaskState[];
  unfinished: number;
  scope: Map<string, string>;
}

/**
 * A dag template: each task starts once its dependencies have finished and
 * its `depends` holds (else it is Omitted). Work per finished task is
 * proportional to its dependents, so large DAGs stay linear.
 */
export function executeDag(run: WorkflowRun, ctx: NodeContext): void {
  if (ctx.node.phase === NodePhase.Pending) run.markPhase(ctx.node, NodePhase.Running);
  const tasks = ctx.template.dag?.tasks ?? [];
  const st: DagState = { tasks: new Map(), ready: [], unfinished: tasks.length, scope: new Map() };
  for (const task of tasks) {
    const expr = taskDepends(task);
    const deps = dependencyNames(expr);
    st.tasks.set(task.name, { task, expr, deps, dependents: [], waiting: deps.length });
  }
  for (const t of st.tasks.values()) {
    for (const d of t.deps) st.tasks.get(d)?.dependents.push(t.task.name);
    if (t.waiting === 0) st.ready.push(t);
  }
  drain(run, ctx, st);
}

function drain(run: WorkflowRun, ctx: NodeContext, st: DagState): void {
  while (st.ready.length > 0) {
    const t = st.ready.shift() as TaskState;
    const node = start(run, ctx, st, t);
    if (isFulfilled(node)) settle(st, t, node);
  }
  if (st.unfinished === 0) finish(run, ctx, st);
}

function start(run: WorkflowRun, ctx: NodeContext, st: DagState, t: TaskState): NodeStatus {
  const nodeName = `${ctx.node.name}.${t.task.name}`;
  const depNodes = t.deps.map((d) => st.tasks.get(d)?.node).filter((n): n is NodeStatus => !!n);
  const parents =
    depNodes.length > 0 ? depNodes.flatMap((n) => outboundNodes(run, n.id)) : [ctx.node.id];
  const existing = run.nodeByName(nodeName);
  if (!existing && t.expr && !evaluateDepends(t.expr, (name) => dependencyState(st, name))) {
    const node = run.createNode({
      name: nodeName,
      displayName: t.task.name,
      type: NodeType.Skipped,
      templateScope: ctx.scope,
      phase: NodePhase.Omitted,
      message: 'omitted: depends condition not met',
      boundaryID: ctx.node.id,
    });
    for (const p of parents) run.addChild(p, node.id);
    return node;
  }
  const base = {
    nodeName,
    displayName: t.task.name,
    boundaryId: ctx.node.id,
    parents,
    scope: ctx.scope,
    onDone: (node: NodeStatus) => {
      settle(st, t, node);
      drain(run, ctx, st);
    },
  };
  if (!existing && run.shutdown) {
    return execute(run, {
      ...base,
      holder: {},
      args: [],
      failure: `Stopped with strategy '${run.shutdown}'`,
    });
  }
  let task: DAGTask;
  try {
    task = substitute(t.task, layered(st.scope, ctx.tags), allowExpressionsOnly);
  } catch (err) {
    return execute(run, { ...base, holder: {}, args: [], failure: (err as Error).message });
  }
  return execute(run, { ...base, holder: task, args: task.arguments?.parameters ?? [] });
}

function dependencyState(st: DagState, name: string) {
  const t = st.tasks.get(name);
  return {
    phase: t?.node?.phase ?? '',
    ...(t?.task.continueOn ? { continueOn: t.task.continueOn } : {}),
  };
}

function settle(st: DagState, t: TaskState, node: NodeStatus): void {
  t.node = node;
  st.unfinished--;
  if (node.phase === NodePhase.Omitted || node.phase === NodePhase.Skipped) {
    const inherited = t.deps.map((d) => st.tasks.get(d)?.branch);
    t.branch =
      inherited.find((p) => p === NodePhase.Failed || p === NodePhase.Error) ?? NodePhase.Succeeded;
  } else {
    t.branch = node.phase;
  }
  addNodeScope(st.scope, 'tasks', node);
  for (const name of t.dependents) {
    const d = st.tasks.get(name);
    if (d && --d.waiting === 0) st.ready.push(d);
  }
}

function finish(run: WorkflowRun, ctx: NodeContext, st: DagState): void {
  const { node, template } = ctx;
  const targets = template.dag?.target
    ? template.dag.target.split(/\s+/).filter(Boolean)
    : [...st.tasks.values()].filter((t) => t.dependents.length === 0).map((t) => t.task.name);
  let phase: NodePhase = NodePhase.Succeeded;
  for (const name of targets) {
    const t = st.tasks.get(name);
    if (!t?.branch) continue;
    const failed = t.branch === NodePhase.Failed || t.branch === NodePhase.Error;
    const continues =
      (t.branch === NodePhase.Failed && t.task.continueOn?.failed) ||
      (t.branch === NodePhase.Error && t.task.continueOn?.error);
    if (failed && !continues) {
      phase = t.branch as NodePhase;
      break;
    }
  }
  node.outboundNodes = targets.flatMap((name) => {
    const n = st.tasks.get(name)?.node;
    return n ? outboundNodes(run, n.id) : [];
  });
  if (phase === NodePhase.Succeeded) {
    const params = compositeOutputs(template, layered(st.scope, ctx.tags));
    if (params.length > 0) {
      node.outputs = { parameters: params };
      run.exportGlobals(params);
    }
  }
  run.markPhase(node, phase);
}
