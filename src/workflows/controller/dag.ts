import { allowAll, layered, substituteString } from '../expressions/index.js';
import { dependencyNames, evaluateDepends, type DependsExpr } from '../model/depends.js';
import { taskDepends } from '../model/resolve.js';
import { NodePhase, NodeType, type DAGTask, type NodeStatus } from '../model/types.js';
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
import { aggregateOutputs } from './loops.js';
import { planStep, type PlannedNode } from './plan.js';
import { isFailedOrError, isFulfilled, type WorkflowRun } from './run.js';
import { FAIL_FAST_MESSAGE } from './steps.js';

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
  /** Tasks started (or queued for parallelism) and not finished. */
  active: number;
  scope: Map<string, string>;
  gate: Gate;
  /** Set when `failFast: true` on the template stopped it after a failed task. */
  failedFast: boolean;
  done: boolean;
}

/**
 * A dag template: each task starts once its dependencies have finished and
 * its `depends` holds (else it is Omitted); only the `target` tasks and what
 * they depend on run when a target is set. Work per finished task is
 * proportional to its dependents, so large DAGs stay linear.
 */
export function executeDag(run: WorkflowRun, ctx: NodeContext): void {
  if (ctx.node.phase === NodePhase.Pending) run.markPhase(ctx.node, NodePhase.Running);
  const dag = ctx.template.dag;
  const all = new Map((dag?.tasks ?? []).map((t) => [t.name, t]));
  const st: DagState = {
    tasks: new Map(),
    ready: [],
    active: 0,
    scope: new Map(),
    gate: new Gate(parallelismOf(ctx.template.parallelism)),
    failedFast: false,
    done: false,
  };
  const include = (name: string): void => {
    const task = all.get(name);
    if (!task || st.tasks.has(name)) return;
    const expr = taskDepends(task);
    const deps = dependencyNames(expr);
    st.tasks.set(name, { task, expr, deps, dependents: [], waiting: deps.length });
    for (const d of deps) include(d);
  };
  for (const name of targetsOf(ctx)) include(name);
  for (const t of st.tasks.values()) {
    for (const d of t.deps) st.tasks.get(d)?.dependents.push(t.task.name);
    if (t.waiting === 0) st.ready.push(t);
  }
  drain(run, ctx, st);
}

function targetsOf(ctx: NodeContext): string[] {
  const dag = ctx.template.dag;
  // The target may name its tasks through tags (`{{workflow.parameters.target}}`).
  const target =
    typeof dag?.target === 'string' ? substituteString(dag.target, ctx.tags, allowAll).trim() : '';
  if (target) return target.split(/\s+/);
  return (dag?.tasks ?? []).map((t) => t.name);
}

function drain(run: WorkflowRun, ctx: NodeContext, st: DagState): void {
  while (st.ready.length > 0) {
    const t = st.ready.shift() as TaskState;
    st.active++;
    st.gate.run(() =>
      start(run, ctx, st, t, (node) => {
        if (ctx.template.failFast === true && isFailedOrError(node) && !continues(t.task, node)) {
          st.failedFast = true;
          st.active -= st.gate.drop();
        }
        st.gate.release();
        st.active--;
        settle(run, st, t, node);
        drain(run, ctx, st);
      }),
    );
  }
  if (st.active === 0 && !st.done) {
    st.done = true;
    finish(run, ctx, st);
  }
}

function start(
  run: WorkflowRun,
  ctx: NodeContext,
  st: DagState,
  t: TaskState,
  done: (node: NodeStatus) => void,
): void {
  const nodeName = `${ctx.node.name}.${t.task.name}`;
  const depNodes = t.deps.map((d) => st.tasks.get(d)?.node).filter((n): n is NodeStatus => !!n);
  const parents =
    depNodes.length > 0 ? depNodes.flatMap((n) => outboundNodes(run, n.id)) : [ctx.node.id];
  const existing = run.nodeByName(nodeName);
  const base = {
    nodeName,
    displayName: t.task.name,
    boundaryId: ctx.node.id,
    parents,
    scope: ctx.scope,
  };
  if (existing && isFulfilled(existing) && existing.type !== NodeType.TaskGroup) {
    done(existing);
    return;
  }
  if (!existing && t.expr && !evaluateDepends(t.expr, (name) => dependencyState(run, st, name))) {
    done(
      skippedNode(
        run,
        base,
        NodePhase.Omitted,
        'omitted: depends condition not met',
        t.task.template,
      ),
    );
    return;
  }
  if (!existing && run.shutdown && !ctx.hooked) {
    const node = execute(run, {
      ...base,
      holder: {},
      args: [],
      failure: `Stopped with strategy '${run.shutdown}'`,
      onDone: done,
    });
    if (isFulfilled(node)) done(node);
    return;
  }
  const plan = planStep(t.task, layered(st.scope, ctx.tags), 'tasks.name');
  if (!plan.loop) {
    runTask(run, ctx, st, t, plan.nodes[0] as PlannedNode<DAGTask>, base, done);
    return;
  }
  const group =
    existing ??
    run.createNode({
      name: nodeName,
      displayName: t.task.name,
      type: NodeType.TaskGroup,
      ...(t.task.template ? { templateName: t.task.template } : {}),
      templateScope: ctx.scope,
      phase: NodePhase.Running,
      boundaryID: ctx.node.id,
    });
  if (!existing) for (const p of parents) run.addChild(p, group.id);
  let pending = plan.nodes.length;
  let failed: NodePhase | undefined;
  const copyDone = (node: NodeStatus) => {
    if (isFailedOrError(node)) failed = node.phase;
    if (--pending > 0) return;
    run.markPhase(group, failed ?? NodePhase.Succeeded);
    done(group);
  };
  for (const planned of plan.nodes) {
    runTask(
      run,
      ctx,
      st,
      t,
      planned,
      {
        nodeName: `${ctx.node.name}.${planned.name}`,
        displayName: planned.name,
        boundaryId: ctx.node.id,
        parents: [group.id],
        scope: ctx.scope,
      },
      copyDone,
    );
  }
}

/** Runs one task node (or loop copy), then its exit handler. */
function runTask(
  run: WorkflowRun,
  ctx: NodeContext,
  st: DagState,
  t: TaskState,
  planned: PlannedNode<DAGTask>,
  base: {
    nodeName: string;
    displayName: string;
    boundaryId: string;
    parents: string[];
    scope: string;
  },
  done: (node: NodeStatus) => void,
): void {
  if (planned.error !== undefined || planned.skipped !== undefined) {
    done(
      skippedNode(
        run,
        base,
        planned.error !== undefined ? NodePhase.Error : NodePhase.Skipped,
        planned.error ?? planned.skipped ?? '',
        t.task.template,
      ),
    );
    return;
  }
  let hooks: ExpressionHooks | undefined;
  const watchHooks = (node: NodeStatus) =>
    ExpressionHooks.watch(run, t.task.hooks, {
      parent: node,
      displayName: node.displayName,
      boundaryId: ctx.node.id,
      scope: ctx.scope,
      tags: () => {
        const own = new Map<string, string>();
        addNodeScope(own, 'tasks', node, t.task.name);
        return layered(own, st.scope, ctx.tags);
      },
    });
  const afterNode = (node: NodeStatus) => {
    const own = new Map<string, string>();
    addNodeScope(own, 'tasks', node, t.task.name);
    const runExit = () =>
      runExitHook(
        run,
        exitHookOf(t.task),
        {
          parent: node,
          boundaryId: ctx.node.id,
          scope: ctx.scope,
          tags: layered(own, st.scope, ctx.tags),
          attach: true,
        },
        () => done(node),
      );
    hooks ??= watchHooks(node);
    if (hooks) hooks.settle(runExit);
    else runExit();
  };
  const task = planned.step as DAGTask;
  const node = execute(run, {
    ...base,
    holder: task,
    holderName: { tag: 'tasks.name', name: task.name },
    args: task.arguments?.parameters ?? [],
    hooked: ctx.hooked,
    onDone: afterNode,
  });
  if (!isFulfilled(node)) hooks ??= watchHooks(node);
  else afterNode(node);
}

function continues(task: DAGTask, node: NodeStatus): boolean {
  return Boolean(
    (node.phase === NodePhase.Failed && task.continueOn?.failed) ||
    (node.phase === NodePhase.Error && task.continueOn?.error),
  );
}

function dependencyState(run: WorkflowRun, st: DagState, name: string) {
  const t = st.tasks.get(name);
  const node = t?.node;
  const childPhases =
    node?.type === NodeType.TaskGroup
      ? (node.children ?? []).map((id) => run.nodes[id]?.phase ?? '')
      : undefined;
  return {
    phase: node?.phase ?? '',
    ...(t?.task.continueOn ? { continueOn: t.task.continueOn } : {}),
    ...(childPhases ? { childPhases } : {}),
    ...(node?.daemoned === true ? { daemoned: true } : {}),
  };
}

function settle(run: WorkflowRun, st: DagState, t: TaskState, node: NodeStatus): void {
  t.node = node;
  if (node.phase === NodePhase.Omitted || node.phase === NodePhase.Skipped) {
    const inherited = t.deps.map((d) => st.tasks.get(d)?.branch);
    t.branch =
      inherited.find((p) => p === NodePhase.Failed || p === NodePhase.Error) ?? NodePhase.Succeeded;
  } else {
    t.branch = node.phase;
  }
  if (node.type === NodeType.TaskGroup) {
    const copies = (node.children ?? [])
      .map((id) => run.nodes[id])
      .filter((n): n is NodeStatus => n !== undefined && n.type !== NodeType.Skipped);
    aggregateOutputs(st.scope, `tasks.${t.task.name}`, copies);
  }
  addNodeScope(st.scope, 'tasks', node, t.task.name);
  addSkippedOutputs(run, st.scope, 'tasks', node, t.task.name);
  for (const name of t.dependents) {
    const d = st.tasks.get(name);
    if (d && --d.waiting === 0) st.ready.push(d);
  }
}

function finish(run: WorkflowRun, ctx: NodeContext, st: DagState): void {
  const { node } = ctx;
  const targets = targetsOf(ctx).filter((name) => {
    const t = st.tasks.get(name);
    return t !== undefined && (ctx.template.dag?.target || t.dependents.length === 0);
  });
  let phase: NodePhase = NodePhase.Succeeded;
  let message: string | undefined;
  if (st.failedFast) {
    phase = NodePhase.Failed;
    message = FAIL_FAST_MESSAGE;
  } else {
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
  }
  node.outboundNodes = targets.flatMap((name) => {
    const n = st.tasks.get(name)?.node;
    return n ? outboundNodes(run, n.id) : [];
  });
  stopDaemons(run, node);
  if (phase === NodePhase.Succeeded) {
    const params = compositeOutputs(ctx.template, layered(st.scope, ctx.tags));
    if (params.length > 0) {
      node.outputs = { parameters: params };
      run.exportGlobals(params);
    }
    applyCompositeArtifacts(run, node, ctx.template, layered(st.scope, ctx.tags));
  }
  run.markPhase(node, phase, message);
}
