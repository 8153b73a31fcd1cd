import { readFile } from 'node:fs/promises';
import { ManifestError } from '../errors/index.js';

/** Who may approve a request that waits for approval. */
export const ApprovalRule = {
  /** Nobody: the run skips its approve step. */
  None: 'none',
  /** An approver of the environment's team (or an admin). */
  TeamApprover: 'team-approver',
  /** As TeamApprover, and never the requester. */
  AnotherApprover: 'another-approver',
} as const;
export type ApprovalRule = (typeof ApprovalRule)[keyof typeof ApprovalRule];

/** The actions of an environment request. */
export const EnvironmentAction = {
  Create: 'create',
  Update: 'update',
  Reconcile: 'reconcile',
  Delete: 'delete',
  /** A TTL ending the environment: dispatched as a delete, approved by whoever set the TTL unless the tier lists it. */
  Expire: 'expire',
} as const;
export type EnvironmentAction = (typeof EnvironmentAction)[keyof typeof EnvironmentAction];

/** One tier's policy. */
export interface TierRule {
  approval: ApprovalRule;
  /** The actions that wait for an approval. */
  needsApproval: EnvironmentAction[];
  /** Whether a TTL may end environments of this tier. */
  expires: boolean;
}

/** The policy of every tier, as `catalog/policies/tiers.json` declares it. */
export interface TierPolicy {
  tiers: Record<string, TierRule>;
}

/** The actions a person requests (an expiry is not one). */
const allActions: EnvironmentAction[] = [
  EnvironmentAction.Create,
  EnvironmentAction.Update,
  EnvironmentAction.Reconcile,
  EnvironmentAction.Delete,
];

/** What applies when the catalog declares no policy: the same as the shipped file. */
export const DEFAULT_TIER_POLICY: TierPolicy = {
  tiers: {
    development: { approval: ApprovalRule.TeamApprover, needsApproval: allActions, expires: true },
    staging: { approval: ApprovalRule.TeamApprover, needsApproval: allActions, expires: true },
    production: {
      approval: ApprovalRule.AnotherApprover,
      needsApproval: allActions,
      expires: false,
    },
  },
};

/** The rule of a tier; an unknown tier gets the strictest one. */
export function tierRule(policy: TierPolicy, tier: string): TierRule {
  return (
    policy.tiers[tier] ?? {
      approval: ApprovalRule.AnotherApprover,
      needsApproval: allActions,
      expires: false,
    }
  );
}

/** Whether `action` on an environment of `tier` waits for an approval. */
export function approvalRequired(policy: TierPolicy, tier: string, action: string): boolean {
  const rule = tierRule(policy, tier);
  return rule.approval !== ApprovalRule.None && (rule.needsApproval as string[]).includes(action);
}

/** Checks a parsed policy document; throws ManifestError naming what is wrong. */
export function parseTierPolicy(doc: unknown, file = 'tiers.json'): TierPolicy {
  const fail = (what: string) => new ManifestError(what, { file });
  const tiers = (doc as { tiers?: unknown } | null)?.tiers;
  if (tiers === null || typeof tiers !== 'object' || Array.isArray(tiers)) {
    throw fail('"tiers" must be an object of tier name to rule');
  }
  const rules = Object.values(ApprovalRule) as string[];
  const out: Record<string, TierRule> = {};
  for (const [name, raw] of Object.entries(tiers as Record<string, unknown>)) {
    const r = (raw ?? {}) as Record<string, unknown>;
    if (typeof r['approval'] !== 'string' || !rules.includes(r['approval'])) {
      throw fail(`tiers.${name}.approval must be one of ${rules.join(', ')}`);
    }
    const needs = r['needsApproval'] ?? (r['approval'] === ApprovalRule.None ? [] : allActions);
    if (
      !Array.isArray(needs) ||
      needs.some(
        (a) => typeof a !== 'string' || !(Object.values(EnvironmentAction) as string[]).includes(a),
      )
    ) {
      throw fail(
        `tiers.${name}.needsApproval must list actions among ${Object.values(EnvironmentAction).join(', ')}`,
      );
    }
    if (r['expires'] !== undefined && typeof r['expires'] !== 'boolean') {
      throw fail(`tiers.${name}.expires must be true or false`);
    }
    out[name] = {
      approval: r['approval'] as ApprovalRule,
      needsApproval: needs as EnvironmentAction[],
      expires: (r['expires'] as boolean | undefined) ?? true,
    };
  }
  return { tiers: out };
}

/** Reads `catalog/policies/tiers.json`; the default policy when the file does not exist. */
export async function loadTierPolicy(file: string): Promise<TierPolicy> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return DEFAULT_TIER_POLICY;
    throw err;
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (cause) {
    throw new ManifestError(`not JSON (${(cause as Error).message})`, { file }, { cause });
  }
  return parseTierPolicy(doc, file);
}
