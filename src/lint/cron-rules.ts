import type { ManifestPath } from '../catalog/index.js';
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

interface CronField {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const fields: readonly CronField[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  {
    name: 'month',
    min: 1,
    max: 12,
    names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'],
  },
  { name: 'day of week', min: 0, max: 6, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];

const descriptors = [
  '@yearly',
  '@annually',
  '@monthly',
  '@weekly',
  '@daily',
  '@midnight',
  '@hourly',
];
/** A Go duration, as `@every` takes it: 1h30m, 90s, 1.5h. */
const goDuration = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;

/** Why a schedule is not one Argo's cron parser takes, or undefined when it is. */
export function cronProblem(schedule: string): string | undefined {
  let text = schedule.trim();
  const zone = /^(CRON_TZ|TZ)=(\S+)\s+/.exec(text);
  if (zone) {
    if (!isTimeZone(zone[2] ?? '')) return `unknown time zone "${zone[2] ?? ''}"`;
    text = text.slice(zone[0].length);
  }
  if (text === '') return 'the schedule is empty';
  if (text.startsWith('@')) {
    if (descriptors.includes(text.toLowerCase())) return undefined;
    const every = /^@every\s+(\S+)$/.exec(text);
    if (every)
      return goDuration.test(every[1] ?? '') ? undefined : `"${every[1] ?? ''}" is not a duration`;
    return `unknown descriptor "${text}" (use one of ${descriptors.join(', ')} or @every DURATION)`;
  }
  const parts = text.split(/\s+/);
  if (parts.length !== fields.length) {
    return `expected 5 fields (minute hour day-of-month month day-of-week), found ${parts.length}`;
  }
  for (const [i, part] of parts.entries()) {
    const field = fields[i];
    if (!field) continue;
    const problem = fieldProblem(part, field);
    if (problem) return `${field.name} "${part}": ${problem}`;
  }
  return undefined;
}

function fieldProblem(text: string, field: CronField): string | undefined {
  for (const item of text.split(',')) {
    if (item === '') return 'an empty item in a list';
    const [range = '', step, extra] = item.split('/');
    if (extra !== undefined) return 'more than one "/"';
    if (step !== undefined && !/^\d+$/.test(step)) return `step "${step}" is not a number`;
    if (step !== undefined && Number(step) === 0) return 'a step of 0';
    if (range === '*' || range === '?') continue;
    const [low = '', high, more] = range.split('-');
    if (more !== undefined) return `"${range}" is not a range`;
    const a = value(low, field);
    if (a === undefined) return `"${low}" is not a ${field.name} (${field.min}-${field.max})`;
    if (high === undefined) continue;
    const b = value(high, field);
    if (b === undefined) return `"${high}" is not a ${field.name} (${field.min}-${field.max})`;
    if (a > b) return `the range ${range} runs backwards`;
  }
  return undefined;
}

function value(text: string, field: CronField): number | undefined {
  const named = field.names?.indexOf(text.toLowerCase()) ?? -1;
  if (named >= 0) return named + field.min;
  if (!/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return n >= field.min && n <= field.max ? n : undefined;
}

/** Whether Go's time.LoadLocation takes the name: UTC, Local, or an IANA zone. */
export function isTimeZone(name: string): boolean {
  if (name === 'UTC' || name === 'Local') return true;
  if (!/^[A-Za-z]/.test(name)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

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
