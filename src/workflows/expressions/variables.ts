import { formatLayout } from './gotime.js';
import { GoTime } from './values.js';

/** What Argo's global `workflow.*` variables are made of. */
export interface WorkflowIdentity {
  name: string;
  namespace: string;
  uid: string;
  /** RFC 3339, as stored on the Workflow. */
  creationTimestamp: string;
  /** `spec.entrypoint` of the spec that runs. */
  entrypoint: string;
  serviceAccountName?: string;
  priority?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** `spec.arguments.parameters` of the spec that runs. */
  parameters?: readonly { name: string; value?: string; default?: string }[];
}

/** The strftime characters Argo offers as `workflow.creationTimestamp.<char>`, with their Go layouts. */
const STRFTIME: Readonly<Record<string, string>> = {
  B: 'January',
  b: 'Jan',
  m: '01',
  A: 'Monday',
  a: 'Mon',
  d: '02',
  H: '15',
  I: '03',
  M: '04',
  S: '05',
  Y: '2006',
  y: '06',
  p: 'PM',
  Z: 'MST',
  z: '-0700',
  L: '.000',
};

/**
 * The fixed global variables of a Workflow, as Argo sets them when it starts:
 * names, ids, the creation time in every strftime form, parameters, labels and
 * annotations (each one and all as JSON).
 */
export function workflowVariables(wf: WorkflowIdentity): Map<string, string> {
  const vars = new Map<string, string>([
    ['workflow.name', wf.name],
    ['workflow.namespace', wf.namespace],
    ['workflow.uid', wf.uid],
    ['workflow.mainEntrypoint', wf.entrypoint],
    ['workflow.serviceAccountName', wf.serviceAccountName ?? 'default'],
  ]);
  if (wf.priority !== undefined) vars.set('workflow.priority', String(wf.priority));
  const created = Date.parse(wf.creationTimestamp);
  if (Number.isNaN(created)) vars.set('workflow.creationTimestamp', wf.creationTimestamp);
  else {
    const t = new GoTime(Math.floor(created / 1000) * 1000);
    const rfc3339 = formatLayout(t, '2006-01-02T15:04:05Z07:00');
    vars.set('workflow.creationTimestamp', rfc3339);
    vars.set('workflow.creationTimestamp.RFC3339', rfc3339);
    vars.set('workflow.creationTimestamp.s', String(Math.floor(created / 1000)));
    for (const [char, layout] of Object.entries(STRFTIME)) {
      vars.set(`workflow.creationTimestamp.${char}`, formatLayout(t, layout));
    }
  }
  const params = JSON.stringify(wf.parameters ?? []);
  vars.set('workflow.parameters', params);
  vars.set('workflow.parameters.json', params);
  for (const p of wf.parameters ?? []) {
    const value = p.value ?? p.default;
    if (value !== undefined) vars.set(`workflow.parameters.${p.name}`, value);
  }
  // A CronWorkflow's run carries the time it was scheduled for.
  const scheduled = wf.annotations?.['workflows.argoproj.io/scheduled-time'];
  if (scheduled !== undefined) vars.set('workflow.scheduledTime', scheduled);
  for (const kind of ['labels', 'annotations'] as const) {
    const map = wf[kind] ?? {};
    vars.set(`workflow.${kind}`, JSON.stringify(map));
    vars.set(`workflow.${kind}.json`, JSON.stringify(map));
    for (const [k, v] of Object.entries(map)) vars.set(`workflow.${kind}.${k}`, v);
  }
  return vars;
}

/** `workflow.duration`: seconds since the Workflow started (until it finished), as Go's `%f` prints them. */
export function workflowDuration(startedAt: string | undefined, finishedAt?: string): string {
  const start = Date.parse(startedAt ?? '');
  if (Number.isNaN(start)) return (0).toFixed(6);
  const end = finishedAt ? Date.parse(finishedAt) : Date.now();
  return (Math.max(0, (Number.isNaN(end) ? Date.now() : end) - start) / 1000).toFixed(6);
}
