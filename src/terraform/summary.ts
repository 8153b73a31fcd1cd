import { PlinthError } from '../errors/index.js';
import { ResourceAction, type PlanSummary, type ResourceChange } from './types.js';

interface ShowResourceChange {
  address?: string;
  mode?: string;
  change?: { actions?: string[] };
}

const KNOWN_ACTIONS = new Set<string>(Object.values(ResourceAction));

/**
 * Summarizes `terraform show -json PLAN` as Terraform's "Plan:" line counts
 * it: managed resources only, a replace as one add and one destroy.
 */
export function summarizePlan(plan: unknown): PlanSummary {
  if (typeof plan !== 'object' || plan === null) {
    throw new PlinthError('TERRAFORM_FAILED', 'terraform show -json returned no plan');
  }
  const changes = (plan as { resource_changes?: ShowResourceChange[] }).resource_changes ?? [];
  const summary: PlanSummary = { add: 0, change: 0, destroy: 0, resources: [] };
  for (const rc of changes) {
    if (rc.mode !== undefined && rc.mode !== 'managed') continue;
    const actions = (rc.change?.actions ?? []).filter((a): a is ResourceAction =>
      KNOWN_ACTIONS.has(a),
    );
    if (actions.includes('create')) summary.add += 1;
    if (actions.includes('delete')) summary.destroy += 1;
    if (actions.includes('update')) summary.change += 1;
    const changed = actions.some((a) => a === 'create' || a === 'delete' || a === 'update');
    if (changed)
      summary.resources.push({ address: rc.address ?? '', actions } satisfies ResourceChange);
  }
  return summary;
}

/** Terraform's own wording of a plan's counts. */
export function formatPlanLine(summary: Pick<PlanSummary, 'add' | 'change' | 'destroy'>): string {
  return `Plan: ${summary.add} to add, ${summary.change} to change, ${summary.destroy} to destroy.`;
}
