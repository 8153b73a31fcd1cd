import { rm } from 'node:fs/promises';
import path from 'node:path';
import { PlinthError } from '../errors/index.js';
import { runTerraform } from './process.js';
import { summarizePlan } from './summary.js';
import {
  SENSITIVE_VALUE,
  type ApplySummary,
  type DriftResult,
  type PlanOptions,
  type PlanSummary,
  type Terraform,
  type TerraformOptions,
  type TerraformOutputs,
  type TerraformVars,
} from './types.js';
import type { UiMessage } from './process.js';

/** The saved plan's file name when none is given. */
export const DEFAULT_PLAN_FILE = 'plinth.tfplan';
/** A drift check's plan: never applied, removed after it is read. */
const DRIFT_PLAN_FILE = 'plinth-drift.tfplan';

const COMMON = ['-input=false', '-no-color'];

function varArgs(vars: TerraformVars | undefined): string[] {
  return Object.entries(vars ?? {}).flatMap(([name, value]) => [
    '-var',
    `${name}=${typeof value === 'string' ? value : JSON.stringify(value)}`,
  ]);
}

function applySummary(messages: UiMessage[]): ApplySummary {
  const last = messages.filter((m) => m.type === 'change_summary' && m.changes).at(-1);
  return {
    add: last?.changes?.add ?? 0,
    change: last?.changes?.change ?? 0,
    destroy: last?.changes?.remove ?? 0,
  };
}

function emptySummary(): PlanSummary {
  return { add: 0, change: 0, destroy: 0, resources: [] };
}

function parseJson(text: string, command: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new PlinthError('TERRAFORM_FAILED', `terraform ${command} did not print JSON`, { cause });
  }
}

/** Drives the terraform CLI in one working directory. */
export function createTerraform(options: TerraformOptions): Terraform {
  const run = (args: string[], stream = false, okCodes: number[] = []) =>
    runTerraform(args, {
      bin: options.bin ?? 'terraform',
      dir: options.dir,
      env: options.env ?? process.env,
      stream,
      onProgress: options.onProgress,
      okCodes,
    });

  const show = async (planFile: string): Promise<PlanSummary> => {
    const { stdout } = await run(['show', '-json', '-no-color', planFile]);
    return summarizePlan(parseJson(stdout, 'show'));
  };

  return {
    dir: options.dir,
    async init() {
      await run(['init', ...COMMON]);
    },
    async plan(plan: PlanOptions = {}) {
      const out = plan.out ?? DEFAULT_PLAN_FILE;
      await run(
        [
          'plan',
          ...COMMON,
          '-json',
          `-out=${out}`,
          ...(plan.destroy ? ['-destroy'] : []),
          ...varArgs(plan.vars),
        ],
        true,
      );
      return show(out);
    },
    show,
    async apply(planFile: string) {
      const { messages } = await run(['apply', ...COMMON, '-json', planFile], true);
      return applySummary(messages);
    },
    async output() {
      const { stdout } = await run(['output', '-json', '-no-color']);
      const raw = parseJson(stdout, 'output') as Record<
        string,
        { sensitive?: boolean; value?: unknown }
      >;
      const outputs: TerraformOutputs = {};
      for (const [name, o] of Object.entries(raw)) {
        outputs[name] = o.sensitive ? SENSITIVE_VALUE : o.value;
      }
      return outputs;
    },
    async drift(drift: { vars?: TerraformVars } = {}): Promise<DriftResult> {
      const planFile = path.join(options.dir, DRIFT_PLAN_FILE);
      try {
        const { code } = await run(
          [
            'plan',
            ...COMMON,
            '-json',
            '-detailed-exitcode',
            `-out=${DRIFT_PLAN_FILE}`,
            ...varArgs(drift.vars),
          ],
          true,
          [2],
        );
        const summary = code === 2 ? await show(DRIFT_PLAN_FILE) : emptySummary();
        return { ...summary, drifted: code === 2 };
      } finally {
        await rm(planFile, { force: true });
      }
    },
    async destroy(destroy: { vars?: TerraformVars } = {}) {
      const { messages } = await run(
        ['destroy', ...COMMON, '-json', '-auto-approve', ...varArgs(destroy.vars)],
        true,
      );
      return applySummary(messages);
    },
  };
}
