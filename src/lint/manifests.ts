import type { ManifestPath, ParsedDocument } from '../catalog/index.js';

/** A mapping, as YAML gives it. */
export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The items of a list, or none when the value is not a list. */
export function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** The Argo workflow kinds `plinth lint` checks. */
export const WorkflowKind = {
  Workflow: 'Workflow',
  WorkflowTemplate: 'WorkflowTemplate',
  ClusterWorkflowTemplate: 'ClusterWorkflowTemplate',
  CronWorkflow: 'CronWorkflow',
} as const;
export type WorkflowKind = (typeof WorkflowKind)[keyof typeof WorkflowKind];

/** Other Argo Workflows kinds, whose fields `plinth lint` checks. */
export const OtherWorkflowsKind = { WorkflowEventBinding: 'WorkflowEventBinding' } as const;
export type OtherWorkflowsKind = (typeof OtherWorkflowsKind)[keyof typeof OtherWorkflowsKind];

/** The Argo Events kinds `plinth lint` checks. */
export const EventsKind = {
  EventBus: 'EventBus',
  EventSource: 'EventSource',
  Sensor: 'Sensor',
} as const;
export type EventsKind = (typeof EventsKind)[keyof typeof EventsKind];

/** One Argo manifest of the files linted. */
export interface LintManifest {
  doc: ParsedDocument;
  object: Obj;
  kind: string;
  name: string | undefined;
}

/**
 * A Workflow, WorkflowTemplate, ClusterWorkflowTemplate or CronWorkflow: a
 * document of its own, or a Workflow inside a Sensor trigger.
 */
export interface WorkflowUnit {
  doc: ParsedDocument;
  kind: WorkflowKind;
  name: string | undefined;
  /** The workflow spec (a CronWorkflow's spec.workflowSpec). */
  spec: Obj;
  specPath: ManifestPath;
  /** Set for a Workflow that a Sensor trigger creates. */
  inSensor?: boolean;
}

/** Everything the files linted define, for checking references across them. */
export interface ManifestSet {
  units: WorkflowUnit[];
  workflowTemplates: Map<string, WorkflowUnit>;
  clusterWorkflowTemplates: Map<string, WorkflowUnit>;
  eventBuses: Map<string, LintManifest>;
  eventSources: Map<string, LintManifest>;
  /** Every EventSource, with those whose name another file defines too. */
  allEventSources: LintManifest[];
  sensors: LintManifest[];
}

/** The templates of a workflow spec, by name. */
export function templatesByName(spec: Obj): Map<string, Obj> {
  const byName = new Map<string, Obj>();
  for (const t of list(spec.templates)) {
    const name = isObj(t) ? str(t.name) : undefined;
    if (name !== undefined && isObj(t) && !byName.has(name)) byName.set(name, t);
  }
  return byName;
}

/** The names of a list of `{name: ...}` items. */
export function names(items: unknown): string[] {
  return list(items).flatMap((p) => {
    const name = isObj(p) ? str(p.name) : undefined;
    return name === undefined ? [] : [name];
  });
}

/**
 * How Argo's validator names the step or task at `path` in its messages:
 * `templates.<template>.steps[<group>].<step>` or `templates.<template>.tasks.<task>`;
 * undefined anywhere else.
 */
export function argoCallName(unit: WorkflowUnit, path: ManifestPath): string | undefined {
  const rel = path.slice(unit.specPath.length);
  const [key, t, kind, a, b] = rel;
  if (key !== 'templates' || typeof t !== 'number') return undefined;
  const template = list(unit.spec.templates)[t];
  if (!isObj(template)) return undefined;
  const name = str(template.name) ?? '';
  if (kind === 'steps' && typeof a === 'number' && typeof b === 'number') {
    const step = list(list(template.steps)[a])[b];
    return isObj(step) ? `templates.${name}.steps[${a}].${str(step.name) ?? ''}` : undefined;
  }
  if (kind === 'dag' && a === 'tasks' && typeof b === 'number') {
    const task = list(isObj(template.dag) ? template.dag.tasks : undefined)[b];
    return isObj(task) ? `templates.${name}.tasks.${str(task.name) ?? ''}` : undefined;
  }
  return undefined;
}
