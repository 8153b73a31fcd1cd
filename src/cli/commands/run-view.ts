import { finishedPhases, type Run, type RunNode } from '../client/index.js';
import { formatAge, formatSpan, phaseStyle, type Cell, type Output } from '../output.js';

/** A node placed in the drawn tree. */
export interface TreeItem {
  node: RunNode;
  children: TreeItem[];
}

const structural = new Set(['StepGroup', 'TaskGroup']);

function startKey(n: RunNode): number {
  const t = n.startedAt ? Date.parse(n.startedAt) : NaN;
  return Number.isNaN(t) ? Number.POSITIVE_INFINITY : t;
}

/**
 * Arranges a run's nodes as `argo get` shows them: each node under its
 * boundary (the Steps or DAG node that owns it), retry attempts under their
 * Retry node, step and task groups folded away.
 */
export function buildNodeTree(nodes: RunNode[]): TreeItem[] {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const parentOf = new Map<string, string>();
  for (const n of nodes) {
    for (const c of n.children ?? []) if (!parentOf.has(c)) parentOf.set(c, n.id);
  }
  const visualParent = (n: RunNode): string | undefined => {
    const direct = parentOf.get(n.id);
    const retry = direct === undefined ? undefined : byId.get(direct);
    // Attempts are named `<retry node>(N)`; the Retry node's other children are DAG dependents.
    if (retry?.type === 'Retry' && n.name.startsWith(`${retry.name}(`)) return retry.id;
    if (n.boundaryID && n.boundaryID !== n.id && byId.has(n.boundaryID)) return n.boundaryID;
    let p = direct;
    const seen = new Set<string>();
    while (p && structural.has(byId.get(p)?.type ?? '') && !seen.has(p)) {
      seen.add(p);
      p = parentOf.get(p);
    }
    return p;
  };
  const items = new Map<string, TreeItem>();
  for (const n of nodes) if (!structural.has(n.type)) items.set(n.id, { node: n, children: [] });
  const roots: TreeItem[] = [];
  for (const item of items.values()) {
    const parent = visualParent(item.node);
    const holder = parent === undefined ? undefined : items.get(parent);
    if (holder && !isAncestor(item, holder, items, visualParent)) holder.children.push(item);
    else roots.push(item);
  }
  const order = (list: TreeItem[]) => {
    list.sort((a, b) => startKey(a.node) - startKey(b.node));
    for (const i of list) order(i.children);
  };
  order(roots);
  return roots;
}

function isAncestor(
  item: TreeItem,
  of: TreeItem,
  items: Map<string, TreeItem>,
  parent: (n: RunNode) => string | undefined,
): boolean {
  const seen = new Set<string>();
  for (let cur: TreeItem | undefined = of; cur;) {
    if (cur === item) return true;
    if (seen.has(cur.node.id)) return true;
    seen.add(cur.node.id);
    const p = parent(cur.node);
    cur = p === undefined ? undefined : items.get(p);
  }
  return false;
}

/** The mark before a node's name, as `argo get` draws them. */
export function nodeIcon(node: Pick<RunNode, 'phase' | 'type'>): string {
  if (node.type === 'Suspend' && node.phase === 'Running') return 'ǁ';
  switch (node.phase) {
    case 'Succeeded':
      return '✔';
    case 'Failed':
    case 'Error':
      return '✖';
    case 'Running':
      return '●';
    case 'Skipped':
    case 'Omitted':
      return '○';
    default:
      return '◷';
  }
}

/** The rows of the node table: the tree drawn in the first column. */
export function nodeRows(run: Run, now: number): Cell[][] {
  const rows: Cell[][] = [];
  const walk = (item: TreeItem, lead: string, branch: string) => {
    const n = item.node;
    const name = rows.length === 0 && n.id === run.id ? run.id : n.displayName || n.name;
    rows.push([
      `${lead}${branch}${nodeIcon(n)} ${name}`,
      n.templateName ?? '',
      { text: n.phase, style: phaseStyle(n.phase) },
      formatSpan(n.startedAt, n.finishedAt, now),
      n.message ?? '',
    ]);
    item.children.forEach((child, i) => {
      const last = i === item.children.length - 1;
      const nextLead = branch === '' ? lead : lead + (branch === '├─' ? '│ ' : '  ');
      walk(child, nextLead, last ? '└─' : '├─');
    });
  };
  for (const root of buildNodeTree(run.nodes)) walk(root, ' ', '');
  return rows;
}

/** `Plan: 1 to add, 0 to change, 0 to destroy.`, as Terraform words it. */
export function planLine(plan: NonNullable<Run['plan']>): string {
  return `Plan: ${plan.add} to add, ${plan.change} to change, ${plan.destroy} to destroy.`;
}

/** The run's phase, with the approval wait spelled out. */
export function describePhase(run: Pick<Run, 'phase' | 'waitingForApproval'>): string {
  return run.waitingForApproval ? `${run.phase} (waiting for approval)` : run.phase;
}

/** Whether a run has ended. */
export function isFinished(run: Pick<Run, 'phase'>): boolean {
  return finishedPhases.includes(run.phase);
}

/** Prints what can be done with a run that waits for approval. */
export function printApprovalHint(out: Output, run: Run): void {
  if (run.plan) out.line(planLine(run.plan));
  out.line(`Run ${run.id} is waiting for approval.`);
  out.line(`  approve:  plinth runs approve ${run.id}`);
  out.line(`  reject:   plinth runs reject ${run.id}`);
}

/** Prints a run as `plinth runs get` shows it. */
export function printRun(out: Output, run: Run, now: number): void {
  const field = (label: string, value: string) => out.line(`${`${label}:`.padEnd(11)}${value}`);
  field('Name', run.id);
  if (run.requestId) field('Request', run.requestId);
  field('Phase', out.paint(describePhase(run), phaseStyle(run.phase)));
  if (run.message) field('Message', run.message);
  if (run.startedAt) field('Started', `${run.startedAt} (${formatAge(run.startedAt, now)} ago)`);
  if (run.finishedAt) field('Finished', run.finishedAt);
  const span = formatSpan(run.startedAt, run.finishedAt, now);
  if (span) field('Duration', span);
  const outputs = Object.entries(run.outputs ?? {});
  if (outputs.length > 0) {
    out.line('Outputs:');
    for (const [k, v] of outputs)
      out.line(`  ${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`);
  }
  if (run.nodes.length > 0) {
    out.line();
    out.table(['step', 'template', 'phase', 'duration', 'message'], nodeRows(run, now));
  }
  if (run.waitingForApproval) {
    out.line();
    printApprovalHint(out, run);
  }
}
