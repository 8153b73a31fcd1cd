import type { WorkflowNodeRecord, WorkflowRecord } from '../store/index.js';
import type { NodeStatus, Workflow } from '../workflows/index.js';
import { Labels, type PlanSummary } from './types.js';

/**
 * What the platform reads from a Workflow, whether it comes from the engine
 * (a Workflow object) or from the store (a record and its nodes).
 */
export interface WorkflowFacts {
  uid: string;
  name: string;
  namespace: string;
  labels: Record<string, string>;
  phase: string;
  createdAt: string | null;
  status: Record<string, unknown>;
  nodes: NodeStatus[];
  arguments: Record<string, string>;
}

function argumentsOf(spec: unknown): Record<string, string> {
  const params = (spec as { arguments?: { parameters?: unknown } } | undefined)?.arguments
    ?.parameters;
  const out: Record<string, string> = {};
  if (!Array.isArray(params)) return out;
  for (const p of params as { name?: unknown; value?: unknown }[]) {
    if (typeof p.name === 'string' && typeof p.value === 'string') out[p.name] = p.value;
  }
  return out;
}

export function factsFromWorkflow(wf: Workflow): WorkflowFacts {
  const status = (wf.status ?? {}) as Record<string, unknown> & { nodes?: unknown };
  const { nodes, ...rest } = status;
  return {
    uid: wf.metadata.uid ?? '',
    name: wf.metadata.name ?? '',
    namespace: wf.metadata.namespace ?? 'default',
    labels: wf.metadata.labels ?? {},
    phase: wf.status?.phase ?? '',
    createdAt: wf.metadata.creationTimestamp ?? null,
    status: rest,
    nodes: Object.values((nodes ?? {}) as Record<string, NodeStatus>),
    arguments: argumentsOf(wf.spec),
  };
}

export function factsFromRecord(
  record: WorkflowRecord,
  nodes: WorkflowNodeRecord[],
): WorkflowFacts {
  return {
    uid: record.uid,
    name: record.name,
    namespace: record.namespace,
    labels: record.labels,
    phase: record.phase,
    createdAt: record.createdAt,
    status: record.status,
    nodes: nodes.map((n) => ({ ...n.node, id: n.nodeId }) as NodeStatus),
    arguments: argumentsOf(record.manifest['spec']),
  };
}

export function requestIdOf(facts: WorkflowFacts): string | null {
  return facts.labels[Labels.requestId] ?? null;
}

export function isFinalPhase(phase: string): boolean {
  return phase === 'Succeeded' || phase === 'Failed' || phase === 'Error';
}

/** Argo's '' (not yet seen by the controller) is shown as Pending. */
export function displayPhase(phase: string): string {
  return phase === '' ? 'Pending' : phase;
}

/** A non-empty string, or null. */
export function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** The Workflow's global output parameters, by name. */
export function globalOutputs(facts: WorkflowFacts): Record<string, string> {
  const params = (facts.status['outputs'] as { parameters?: unknown } | undefined)?.parameters;
  const out: Record<string, string> = {};
  if (Array.isArray(params)) {
    for (const p of params as { name?: unknown; value?: unknown }[]) {
      if (typeof p.name === 'string' && typeof p.value === 'string') out[p.name] = p.value;
    }
  }
  return out;
}

/** A named output, from the global outputs or, before they are set, from the node that made it. */
function outputNamed(facts: WorkflowFacts, name: string): string | null {
  const global = globalOutputs(facts)[name];
  if (global !== undefined) return global;
  for (const node of byStart(facts.nodes).reverse()) {
    const param = node.outputs?.parameters?.find((p) => p.name === name || p.globalName === name);
    if (param?.value !== undefined) return param.value;
  }
  return null;
}

function parseJsonObject(text: string | null): Record<string, unknown> | null {
  if (text === null) return null;
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

export function planSummaryOf(facts: WorkflowFacts): PlanSummary | null {
  const obj = parseJsonObject(outputNamed(facts, 'plan-summary'));
  if (!obj) return null;
  const num = (v: unknown) => (typeof v === 'number' ? v : Number(v) || 0);
  return {
    add: num(obj['add']),
    change: num(obj['change']),
    destroy: num(obj['destroy']),
    resources: Array.isArray(obj['resources']) ? obj['resources'] : [],
  };
}

/** The Terraform outputs the run recorded (`terraform-outputs`), or null. */
export function terraformOutputsOf(facts: WorkflowFacts): Record<string, unknown> | null {
  return parseJsonObject(outputNamed(facts, 'terraform-outputs'));
}

export function byStart(nodes: NodeStatus[]): NodeStatus[] {
  return [...nodes].sort((a, b) => {
    const sa = a.startedAt ?? '\uffff';
    const sb = b.startedAt ?? '\uffff';
    return sa < sb ? -1 : sa > sb ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
}

/** The suspend node now waiting for a decision, if the run waits. */
export function waitingNode(facts: WorkflowFacts): NodeStatus | undefined {
  if (facts.phase !== 'Running') return undefined;
  return facts.nodes.find((n) => n.type === 'Suspend' && n.phase === 'Running');
}

const groupTypes = new Set(['Steps', 'StepGroup', 'DAG', 'TaskGroup', 'Retry']);

/**
 * Why the run failed, in the words of the step that failed (Terraform's error
 * for a failed apply), falling back to the Workflow's own message.
 */
export function failureMessage(facts: WorkflowFacts): string | null {
  const failed = facts.nodes.filter(
    (n) => (n.phase === 'Failed' || n.phase === 'Error') && !groupTypes.has(n.type) && n.message,
  );
  failed.sort((a, b) => ((a.finishedAt ?? '') < (b.finishedAt ?? '') ? 1 : -1));
  return (
    str(failed[0]?.message) ?? str(facts.status['message']) ?? `run ${facts.name} ${facts.phase}`
  );
}
