import { ConflictError, InputError } from '../errors/index.js';
import { nodeId, timestamp } from './model/names.js';
import {
  NodePhase,
  NodeType,
  WorkflowPhase,
  type NodeStatus,
  type Workflow,
  type WorkflowSpec,
} from './model/types.js';

/** Labels a resubmitted Workflow does not inherit (Argo's creator, phase and completion labels, and Plinth's idempotency key). */
const NOT_INHERITED = new Set([
  'workflows.argoproj.io/creator',
  'workflows.argoproj.io/creator-email',
  'workflows.argoproj.io/creator-preferred-username',
  'workflows.argoproj.io/phase',
  'workflows.argoproj.io/completed',
  'workflows.argoproj.io/workflow-archiving-status',
  'plinth.dev/idempotency-key',
]);

/** The label naming the Workflow a resubmitted one was made from. */
export const RESUBMITTED_FROM_LABEL = 'workflows.argoproj.io/resubmitted-from-workflow';

const GROUP_TYPES: ReadonlySet<string> = new Set([
  NodeType.DAG,
  NodeType.TaskGroup,
  NodeType.StepGroup,
  NodeType.Steps,
]);
const EXECUTION_TYPES: ReadonlySet<string> = new Set([
  NodeType.Pod,
  NodeType.Container,
  NodeType.HTTP,
  NodeType.Plugin,
]);

function failedOrError(node: NodeStatus): boolean {
  return node.phase === NodePhase.Failed || node.phase === NodePhase.Error;
}

/**
 * Argo's node field selector (`name=x,phase!=Succeeded`): terms joined by
 * commas, each `field=value`, `field==value` or `field!=value`, over a node's
 * displayName, name, id, phase, templateName, templateRef.name,
 * templateRef.template and inputs.parameters.NAME.value.
 */
export function parseNodeFieldSelector(selector: string): (node: NodeStatus) => boolean {
  const terms = selector
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean)
    .map((term) => {
      const m = /^([^!=]+?)\s*(!=|==|=)\s*(.*)$/.exec(term);
      if (!m) {
        throw new InputError(`invalid node field selector term '${term}'`, {
          errors: [
            {
              field: 'nodeFieldSelector',
              message: `'${term}' is not field=value or field!=value`,
              fix: 'write terms like displayName=build,phase!=Succeeded',
            },
          ],
        });
      }
      return { field: m[1]!, negate: m[2] === '!=', value: m[3]! };
    });
  return (node) => terms.every((t) => (nodeField(node, t.field) === t.value) !== t.negate);
}

function nodeField(node: NodeStatus, field: string): string | undefined {
  switch (field) {
    case 'displayName':
      return node.displayName;
    case 'name':
      return node.name;
    case 'id':
      return node.id;
    case 'phase':
      return node.phase;
    case 'templateName':
      return node.templateRef?.template ?? node.templateName;
    case 'templateRef.name':
      return node.templateRef?.name;
    case 'templateRef.template':
      return node.templateRef?.template;
  }
  const m = /^inputs\.parameters\.(.+)\.value$/.exec(field);
  if (m) return node.inputs?.parameters?.find((p) => p.name === m[1])?.value;
  return undefined;
}

/** What `retry` takes. */
export interface RetryOptions {
  /** With `restartSuccessful`: the succeeded nodes to run again too (Argo's `--node-field-selector`). */
  nodeFieldSelector?: string;
  restartSuccessful?: boolean;
  /** `-p NAME=VALUE`: overrides the Workflow's arguments. */
  parameters?: Record<string, string>;
}

/** The node map after a retry, and the ids it drops. */
export interface RetryPlan {
  nodes: Record<string, NodeStatus>;
  deleted: string[];
}

/**
 * Argo's retry of a finished Workflow: its failed execution nodes (and the
 * nodes selected with `restartSuccessful`) are dropped with everything under
 * them, the step groups, DAGs and failed retry nodes above them go back to
 * Running, and the Workflow's exit handler runs again; succeeded nodes keep
 * their results.
 */
export function planRetry(wf: Workflow, options: RetryOptions): RetryPlan {
  const name = wf.metadata.name ?? '';
  const phase = wf.status?.phase;
  const selected = options.restartSuccessful && options.nodeFieldSelector;
  if (phase === WorkflowPhase.Succeeded) {
    if (!selected) {
      throw new ConflictError(
        'To retry a succeeded workflow, set the options restartSuccessful and nodeFieldSelector',
      );
    }
  } else if (phase !== WorkflowPhase.Failed && phase !== WorkflowPhase.Error) {
    throw new ConflictError(`Cannot retry a workflow in phase ${phase ?? 'Unknown'}`);
  }
  const nodes = structuredClone(wf.status?.nodes ?? {});
  const parentOf = new Map<string, string>();
  for (const id of Object.keys(nodes).sort())
    for (const child of nodes[id]!.children ?? [])
      if (!parentOf.has(child)) parentOf.set(child, id);

  const descendantSucceeded = (node: NodeStatus, resetting: Set<string>): boolean =>
    (node.children ?? []).some((c) => {
      const child = nodes[c];
      if (!child) return false;
      return (
        (!resetting.has(c) && child.phase === NodePhase.Succeeded) ||
        descendantSucceeded(child, resetting)
      );
    });

  const starts = new Set<string>();
  if (selected) {
    const matches = parseNodeFieldSelector(options.nodeFieldSelector!);
    for (const node of Object.values(nodes)) if (matches(node)) starts.add(node.id);
  }
  const selectedIds = new Set(starts);
  for (const node of Object.values(nodes)) {
    if (!failedOrError(node) || !EXECUTION_TYPES.has(node.type)) continue;
    let start = node;
    const parent = nodes[parentOf.get(node.id) ?? ''];
    if (parent?.type === NodeType.Retry) start = parent;
    if (!descendantSucceeded(start, selectedIds)) starts.add(start.id);
  }

  const toDelete = new Set<string>();
  const toReset = new Set<string>();
  const under = (id: string): void => {
    if (toDelete.has(id)) return;
    toDelete.add(id);
    for (const c of nodes[id]?.children ?? []) under(c);
  };
  for (const id of starts) {
    if (toDelete.has(id)) continue;
    under(id);
    for (let up = parentOf.get(id); up !== undefined; up = parentOf.get(up)) {
      const node = nodes[up];
      if (!node) break;
      if (GROUP_TYPES.has(node.type) || (node.type === NodeType.Retry && failedOrError(node)))
        toReset.add(up);
    }
  }
  if (options.parameters && Object.keys(options.parameters).length > 0) {
    // New arguments: groups being reset expand their children again with them.
    for (const id of toReset) {
      const node = nodes[id];
      if (node?.type === NodeType.StepGroup || node?.type === NodeType.TaskGroup)
        for (const c of node.children ?? []) under(c);
    }
  }
  const exitName = `${name}.onExit`;
  for (const node of Object.values(nodes)) if (node.name.startsWith(exitName)) under(node.id);

  const now = timestamp();
  for (const id of toDelete) delete nodes[id];
  for (const node of Object.values(nodes)) {
    if (toReset.has(node.id)) {
      if (node.phase !== NodePhase.Skipped) node.phase = NodePhase.Running;
      delete node.message;
      node.startedAt = now;
      delete node.finishedAt;
    }
    if (node.children) node.children = node.children.filter((c) => !toDelete.has(c));
    if (node.outboundNodes) node.outboundNodes = node.outboundNodes.filter((c) => !toDelete.has(c));
  }
  return { nodes, deleted: [...toDelete] };
}

/** What `resubmit` takes. */
export interface ResubmitOptions {
  parameters?: Record<string, string>;
  /** Reuse the succeeded steps' results (they show as Skipped); only for a Failed or Errored Workflow. */
  memoized?: boolean;
}

/**
 * Argo's resubmit: a new Workflow from the old one's spec and labels, named
 * from its generateName (or its name and a dash). `name` is the new name,
 * needed up front when memoized, since the copied node ids derive from it.
 */
export function formulateResubmit(
  old: Workflow,
  options: ResubmitOptions,
  name: string | undefined,
): Workflow {
  const oldName = old.metadata.name ?? '';
  if (
    options.memoized &&
    old.status?.phase !== WorkflowPhase.Failed &&
    old.status?.phase !== WorkflowPhase.Error
  ) {
    throw new ConflictError('workflow must be Failed/Error to resubmit in memoized mode');
  }
  const spec = structuredClone(old.spec) as WorkflowSpec;
  delete spec.shutdown;
  if (spec.activeDeadlineSeconds === 0) delete spec.activeDeadlineSeconds;
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(old.metadata.labels ?? {}))
    if (!NOT_INHERITED.has(k)) labels[k] = v;
  labels[RESUBMITTED_FROM_LABEL] = oldName;
  const generateName = old.metadata.generateName ?? `${oldName}-`;
  const wf: Workflow = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Workflow',
    metadata: {
      generateName,
      ...(name ? { name } : {}),
      namespace: old.metadata.namespace ?? 'default',
      labels,
      ...(old.metadata.annotations ? { annotations: { ...old.metadata.annotations } } : {}),
    },
    spec,
  };
  if (!options.memoized || !name) return wf;
  wf.status = { phase: WorkflowPhase.Pending, nodes: memoizedNodes(old, name) };
  return wf;
}

/** The old nodes renamed for the new Workflow: succeeded pods become Skipped with their outputs, failed pods run again. */
function memoizedNodes(old: Workflow, name: string): Record<string, NodeStatus> {
  const oldName = old.metadata.name ?? '';
  const oldNodes = old.status?.nodes ?? {};
  const rename = (n: string) => (n.startsWith(oldName) ? name + n.slice(oldName.length) : n);
  const newId = (id: string) => {
    const n = oldNodes[id];
    return n ? nodeId(name, rename(n.name)) : id;
  };
  const dropped = new Set<string>();
  const drop = (id: string): void => {
    dropped.add(id);
    for (const c of oldNodes[id]?.children ?? []) drop(c);
  };
  for (const node of Object.values(oldNodes)) {
    if (node.name.startsWith(`${oldName}.onExit`)) drop(node.id);
    else if (failedOrError(node) && EXECUTION_TYPES.has(node.type)) drop(node.id);
  }
  const now = timestamp();
  const out: Record<string, NodeStatus> = {};
  for (const node of Object.values(oldNodes)) {
    if (dropped.has(node.id)) continue;
    const copy = structuredClone(node);
    copy.name = rename(node.name);
    copy.id = nodeId(name, copy.name);
    if (node.boundaryID) copy.boundaryID = newId(node.boundaryID);
    if (node.children) copy.children = node.children.filter((c) => !dropped.has(c)).map(newId);
    if (node.outboundNodes)
      copy.outboundNodes = node.outboundNodes.filter((c) => !dropped.has(c)).map(newId);
    copy.startedAt = now;
    copy.finishedAt = now;
    if (EXECUTION_TYPES.has(node.type) && node.phase === NodePhase.Succeeded) {
      copy.phase = NodePhase.Skipped;
      copy.type = NodeType.Skipped;
      copy.message = `original pod: ${node.id}`;
    } else if (node.phase === NodePhase.Succeeded || node.phase === NodePhase.Skipped) {
      // Finished groups keep their result; the engine does not enter them again.
    } else {
      copy.phase = NodePhase.Running;
      delete copy.message;
      delete copy.finishedAt;
    }
    out[copy.id] = copy;
  }
  return out;
}
