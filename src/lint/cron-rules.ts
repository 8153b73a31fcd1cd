import type { ManifestPath } from '../catalog/index.js';
import { cronProblem as scheduleProblem, isTimeZone } from '../time/index.js';
import type { RuleContext } from './context.js';
import { checkExpressionFields, checkExpressionTags } from './expression-rules.js';
import { isObj, list, type LintManifest, type WorkflowUnit } from './manifests.js';
import { LintRule } from './types.js';

/*
 * What Argo checks of a CronWorkflow besides its workflowSpec: the schedules
 * (standard five-field cron, or a descriptor such as @daily), the timezone
 * (an IANA name), the concurrency policy, the starting deadline, and the
 * expressions of `when` and `stopStrategy`.
 */

/** Why a schedule is not one Argo's cron parser takes (five fields or a descriptor), or undefined when it is. */
export function cronProblem(schedule: string): string | undefined {
  const problem = scheduleProblem(schedule, { descriptors: true });
  if (problem?.kind === 'fieldCount') {
    return `expected 5 fields (minute hour day-of-month month day-of-week), found ${problem.found}`;
  }
  return problem?.message;
}

export { isTimeZone };

/** Checks the CronWorkflow fields around its workflowSpec. */
export function checkCronWorkflow(ctx: RuleContext, m: LintManifest, unit: WorkflowUnit): void {
  const spec = isObj(m.object.spec) ? m.object.spec : undefined;
  if (!spec) return;
  const { doc } = m;
  const err = (path: ManifestPath, message: string, fix: string, rule: LintRule) =>
    ctx.findings.error({ doc, path }, rule, message, fix);
  const schedules = spec.schedules;
  if (list(schedules).length === 0 && spec.schedule === undefined) {
    err(
      ['spec'],
      'a CronWorkflow needs at least one schedule',
      'add schedules: ["0 * * * *"] (minute hour day-of-month month day-of-week)',
      LintRule.requiredField,
    );
  }
  list(schedules).forEach((s, i) => {
    if (typeof s !== 'string') return;
    const problem = cronProblem(s);
    if (problem) {
      err(
        ['spec', 'schedules', i],
        `cron schedule "${s}" is malformed: ${problem}`,
        'write five fields, minute hour day-of-month month day-of-week, e.g. "*/15 9-17 * * MON-FRI", or @hourly, @daily, @every 1h',
        LintRule.enumValue,
      );
    }
  });
  const tz = spec.timezone;
  if (typeof tz === 'string' && tz !== '' && !isTimeZone(tz)) {
    err(
      ['spec', 'timezone'],
      `timezone "${tz}" is not an IANA time zone`,
      'use a name from the tz database, e.g. America/New_York, Europe/London or UTC',
      LintRule.enumValue,
    );
  }
  const deadline = spec.startingDeadlineSeconds;
  if (typeof deadline === 'number' && deadline < 0) {
    err(
      ['spec', 'startingDeadlineSeconds'],
      `startingDeadlineSeconds ${deadline} is negative`,
      'give 0 or more seconds',
      LintRule.enumValue,
    );
  }
  if (typeof spec.when === 'string') checkExpressionTags(ctx, unit, spec.when, ['spec', 'when']);
  if (isObj(spec.stopStrategy)) {
    checkExpressionFields(ctx, unit, spec.stopStrategy, ['spec', 'stopStrategy']);
  }
}
