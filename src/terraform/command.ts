import { rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { InputError, NotFoundError, isPlinthError } from '../errors/index.js';
import { formatPlanLine } from './summary.js';
import { createTerraform, DEFAULT_PLAN_FILE } from './terraform.js';
import type { TerraformProgress } from './types.js';
import { checkName, readRecord, refreshModule, workspaceDir, writeRecord } from './workspace.js';

/** Where a step command writes. */
export interface Writer {
  write(chunk: string): unknown;
}

/** The process context of `plinth terraform`. */
export interface TerraformCommandContext {
  /** Holds PLINTH_DATA_DIR, PLINTH_CATALOG_DIR, PLINTH_TERRAFORM_BIN and the `TF_VAR_*` variables. */
  env: Record<string, string | undefined>;
  stdout: Writer;
  stderr: Writer;
  /** Resolves relative `--summary`, `--outputs` and `--out` files. Default `process.cwd()`. */
  cwd?: string;
}

export const TERRAFORM_USAGE = `Usage:
  plinth terraform plan --module NAME --workspace WS [--destroy] [--summary FILE]
  plinth terraform apply --workspace WS [--outputs FILE]
  plinth terraform output --workspace WS [--out FILE]
  plinth terraform drift --workspace WS [--summary FILE]

drift plans with the inputs of the last apply (terraform plan -detailed-exitcode)
and exits 0 when nothing changed, 2 when the infrastructure drifted (the changes
go to --summary as {"drifted", "add", "change", "destroy", "resources"}), 1 on failure.

The module is read from $PLINTH_CATALOG_DIR/modules/NAME; the workspace lives in
$PLINTH_DATA_DIR/terraform/WS. Terraform reads variables from TF_VAR_* in the environment.
`;

const OPTIONS = {
  module: { type: 'string' },
  workspace: { type: 'string' },
  destroy: { type: 'boolean' },
  summary: { type: 'string' },
  outputs: { type: 'string' },
  out: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const ALLOWED: Record<string, string[]> = {
  plan: ['module', 'workspace', 'destroy', 'summary'],
  apply: ['workspace', 'outputs'],
  output: ['workspace', 'out'],
  drift: ['workspace', 'summary'],
};

/** `plinth terraform drift`'s exit code when the infrastructure drifted (Terraform's own). */
export const DRIFT_EXIT_CODE = 2;

function required(env: TerraformCommandContext['env'], name: string): string {
  const value = env[name];
  if (!value) throw new InputError(`${name} is not set (it names a directory the step needs)`);
  return value;
}

function tfVars(env: TerraformCommandContext['env']): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (key.startsWith('TF_VAR_') && value !== undefined) vars[key.slice(7)] = value;
  }
  return vars;
}

/**
 * `plinth terraform plan|apply|output`, the command catalog workflows run as
 * steps. Returns the exit code: 0 on success, 1 when the work failed, 2 on a
 * usage error.
 */
export async function runTerraformCommand(
  argv: string[],
  ctx: TerraformCommandContext,
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    ctx.stderr.write(`plinth terraform: ${(err as Error).message}\n\n${TERRAFORM_USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const verb = positionals[0];
  if (values.help) {
    ctx.stdout.write(TERRAFORM_USAGE);
    return 0;
  }
  const allowed = verb === undefined ? undefined : ALLOWED[verb];
  const stray = Object.keys(values).filter((k) => !allowed?.includes(k));
  if (!allowed || positionals.length > 1 || stray.length > 0 || !values.workspace) {
    const why = !allowed
      ? `unknown command ${JSON.stringify(verb ?? '')}`
      : positionals.length > 1
        ? `unexpected argument ${JSON.stringify(positionals[1])}`
        : stray.length > 0
          ? `--${stray[0]} does not apply to "${verb}"`
          : '--workspace is required';
    ctx.stderr.write(`plinth terraform: ${why}\n\n${TERRAFORM_USAGE}`);
    return 2;
  }
  if (verb === 'plan' && !values.module) {
    ctx.stderr.write(`plinth terraform: --module is required\n\n${TERRAFORM_USAGE}`);
    return 2;
  }
  try {
    if (verb === 'drift') return (await drift(values, ctx)) ? DRIFT_EXIT_CODE : 0;
    await run(verb as 'plan' | 'apply' | 'output', values, ctx);
    return 0;
  } catch (err) {
    // Terraform's own error text stands alone; anything else (a file that
    // cannot be written, say) is named as this command's.
    const message = isPlinthError(err) ? err.message : `plinth terraform: ${String(err)}`;
    ctx.stderr.write(`${message}\n`);
    return 1;
  }
}

function terraformIn(dir: string, ctx: TerraformCommandContext) {
  return createTerraform({
    dir,
    bin: ctx.env.PLINTH_TERRAFORM_BIN || 'terraform',
    env: ctx.env,
    onProgress: (p) => {
      if (p.type === 'version' || p.level === 'error' || p.type === 'change_summary') return;
      (p.level === 'warn' ? ctx.stderr : ctx.stdout).write(`${p.message}\n`);
    },
  });
}

/** Plans against the last applied inputs; true when the infrastructure drifted from them. */
async function drift(
  values: { workspace?: string; summary?: string },
  ctx: TerraformCommandContext,
): Promise<boolean> {
  const dir = workspaceDir(required(ctx.env, 'PLINTH_DATA_DIR'), values.workspace ?? '');
  const record = await readRecord(dir).catch(() => undefined);
  if (!record?.appliedAt || record.destroy) {
    throw new NotFoundError(
      `workspace ${values.workspace} has nothing applied to check (apply a plan first)`,
    );
  }
  const tf = terraformIn(dir, ctx);
  await tf.init();
  // The inputs of the last apply: what was approved is what the infrastructure should be.
  const result = await tf.drift({ vars: record.vars ?? {} });
  ctx.stdout.write(
    result.drifted
      ? `Drift: ${formatPlanLine(result).replace(/^Plan: /, '')}\n`
      : 'No drift: the infrastructure matches the last apply.\n',
  );
  if (values.summary) {
    await writeFile(path.resolve(ctx.cwd ?? process.cwd(), values.summary), JSON.stringify(result));
  }
  return result.drifted;
}

async function run(
  verb: 'plan' | 'apply' | 'output',
  values: {
    module?: string;
    workspace?: string;
    destroy?: boolean;
    summary?: string;
    outputs?: string;
    out?: string;
  },
  ctx: TerraformCommandContext,
): Promise<void> {
  const { env } = ctx;
  const cwd = ctx.cwd ?? process.cwd();
  const dir = workspaceDir(required(env, 'PLINTH_DATA_DIR'), values.workspace ?? '');
  const onProgress = (p: TerraformProgress): void => {
    if (p.type === 'version' || p.level === 'error') return;
    if (verb === 'plan' && p.type === 'change_summary') return;
    (p.level === 'warn' ? ctx.stderr : ctx.stdout).write(`${p.message}\n`);
  };
  const tf = createTerraform({
    dir,
    bin: env.PLINTH_TERRAFORM_BIN || 'terraform',
    env,
    onProgress,
  });
  const writeJson = (file: string, value: unknown) =>
    writeFile(path.resolve(cwd, file), JSON.stringify(value));

  if (verb === 'plan') {
    const module = checkName('module', values.module ?? '');
    const destroy = values.destroy ?? false;
    const previous = await readRecord(dir).catch(() => undefined);
    await refreshModule(dir, path.join(required(env, 'PLINTH_CATALOG_DIR'), 'modules', module));
    await tf.init();
    const current = tfVars(env);
    // A delete request may carry only the name: destroy with the values it was created with.
    const fallback: Record<string, string> = {};
    if (destroy) {
      for (const [name, value] of Object.entries(previous?.vars ?? {})) {
        if (!current[name]) fallback[name] = value;
      }
    }
    const planFile = path.join(dir, DEFAULT_PLAN_FILE);
    await rm(planFile, { force: true });
    const summary = await tf
      .plan({ destroy, vars: fallback, out: DEFAULT_PLAN_FILE })
      .catch(async (err: unknown) => {
        // Terraform saves even a plan that failed; nothing of it may be applied.
        await rm(planFile, { force: true });
        throw err;
      });
    await writeRecord(dir, {
      module,
      plan: DEFAULT_PLAN_FILE,
      destroy,
      plannedAt: new Date().toISOString(),
      summary,
      vars: { ...current, ...fallback },
    });
    ctx.stdout.write(`${formatPlanLine(summary)}\n`);
    if (values.summary) await writeJson(values.summary, summary);
    return;
  }

  if (verb === 'apply') {
    const record = await readRecord(dir);
    const saved = record?.plan
      ? await stat(path.join(dir, record.plan)).catch(() => undefined)
      : undefined;
    if (!record?.plan || !saved) {
      throw new NotFoundError(
        `workspace ${values.workspace} has no saved plan to apply (run "plinth terraform plan" first)`,
      );
    }
    await tf.apply(record.plan);
    // A saved plan applies once; Terraform refuses it afterwards as stale.
    await rm(path.join(dir, record.plan), { force: true });
    const { plan: _applied, ...rest } = record;
    await writeRecord(dir, { ...rest, appliedAt: new Date().toISOString() });
    if (values.outputs) await writeJson(values.outputs, await tf.output());
    return;
  }

  const outputs = await tf.output();
  if (values.out) await writeJson(values.out, outputs);
  else ctx.stdout.write(`${JSON.stringify(outputs, null, 2)}\n`);
}
