import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runTerraformCommand } from './command.js';
import type { PlanSummary } from './types.js';

const catalogDir = fileURLToPath(new URL('../../catalog/', import.meta.url));

function capture() {
  let text = '';
  return {
    write: (chunk: string) => {
      text += chunk;
      return true;
    },
    get text() {
      return text;
    },
  };
}

describe('runTerraformCommand', () => {
  let tmp: string;
  let dataDir: string;
  beforeEach(async () => {
    tmp = await mkdtemp(path.join(tmpdir(), 'plinth-tfcmd-'));
    dataDir = path.join(tmp, 'data');
  });
  afterEach(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  async function run(argv: string[], vars: Record<string, string> = {}) {
    const stdout = capture();
    const stderr = capture();
    const env = {
      PATH: process.env.PATH,
      PLINTH_DATA_DIR: dataDir,
      PLINTH_CATALOG_DIR: catalogDir,
      ...vars,
    };
    const code = await runTerraformCommand(argv, { env, stdout, stderr, cwd: tmp });
    return { code, stdout: stdout.text, stderr: stderr.text };
  }
  const readJson = async (file: string): Promise<unknown> =>
    JSON.parse(await readFile(path.join(tmp, file), 'utf8')) as unknown;

  it('creates, re-plans without changes, and destroys the catalog environment module', async () => {
    const vars = { TF_VAR_name: 'dev1', TF_VAR_region: 'eastus2', TF_VAR_team: 'payments' };
    const ws = ['--workspace', 'environment-dev1'];

    const plan = await run(['plan', '--module', 'environment', ...ws, '--summary', 's.json'], vars);
    expect(plan.stderr).toBe('');
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('terraform_data.environment: Plan to create');
    expect(plan.stdout).toContain('Plan: 1 to add, 0 to change, 0 to destroy.');
    expect(await readJson('s.json')).toEqual({
      add: 1,
      change: 0,
      destroy: 0,
      resources: [{ address: 'terraform_data.environment', actions: ['create'] }],
    } satisfies PlanSummary);

    const apply = await run(['apply', ...ws, '--outputs', 'o.json']);
    expect(apply.code).toBe(0);
    expect(apply.stdout).toContain('Apply complete! Resources: 1 added, 0 changed, 0 destroyed.');
    const outputs = (await readJson('o.json')) as Record<string, string>;
    expect(outputs).toMatchObject({
      name: 'dev1',
      region: 'eastus2',
      team: 'payments',
      namespace: 'env-dev1',
      url: 'https://dev1.eastus2.apps.example.internal',
    });
    expect(outputs.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(outputs.created_at ?? '')).not.toBeNaN();

    const again = await run(['apply', ...ws]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('has no saved plan');

    const same = await run(['plan', '--module', 'environment', ...ws], vars);
    expect(same.stdout).toContain('Plan: 0 to add, 0 to change, 0 to destroy.');
    const output = await run(['output', ...ws, '--out', 'o2.json']);
    expect(output.code).toBe(0);
    expect(await readJson('o2.json')).toEqual(outputs);

    // A delete request may name the environment only: the region comes from the create.
    const destroyPlan = await run(
      ['plan', '--module', 'environment', ...ws, '--destroy', '--summary', 'd.json'],
      { TF_VAR_name: 'dev1' },
    );
    expect(destroyPlan.stderr).toBe('');
    expect(destroyPlan.stdout).toContain('Plan: 0 to add, 0 to change, 1 to destroy.');
    expect(await readJson('d.json')).toMatchObject({ destroy: 1 });
    expect((await run(['apply', ...ws, '--outputs', 'o3.json'])).code).toBe(0);
    expect(await readJson('o3.json')).toEqual({});
    const printed = await run(['output', ...ws]);
    expect(JSON.parse(printed.stdout)).toEqual({});
  });

  it('fails with Terraform’s message when a variable is invalid', async () => {
    const res = await run(['plan', '--module', 'environment', '--workspace', 'bad'], {
      TF_VAR_name: 'Not_A_Label',
      TF_VAR_region: 'eastus2',
    });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^Error: Invalid value for variable/);
    expect(res.stderr).toContain('The name must be a DNS label');

    // A failed plan leaves nothing to apply, even after an earlier good plan.
    const good = { TF_VAR_name: 'ok', TF_VAR_region: 'eastus2' };
    expect((await run(['plan', '--module', 'environment', '--workspace', 'w2'], good)).code).toBe(
      0,
    );
    const again = await run(['plan', '--module', 'environment', '--workspace', 'w2'], {
      ...good,
      TF_VAR_region: '',
    });
    expect(again.stderr).toContain('The region must be non-empty');
    const apply = await run(['apply', '--workspace', 'w2']);
    expect(apply.code).toBe(1);
    expect(apply.stderr).toContain('has no saved plan');
  });

  it('rejects unsafe workspace and module names and bad usage', async () => {
    const traversal = await run(['output', '--workspace', '../etc']);
    expect(traversal.code).toBe(1);
    expect(traversal.stderr).toContain('invalid workspace name');
    const module = await run(['plan', '--module', '../x', '--workspace', 'w']);
    expect(module.stderr).toContain('invalid module name');
    const missing = await run(['plan', '--module', 'nope', '--workspace', 'w']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no Terraform module at');
    expect((await run(['destroy', '--workspace', 'w'])).code).toBe(2);
    expect((await run(['apply', '--workspace', 'w', '--destroy'])).stderr).toContain(
      '--destroy does not apply to "apply"',
    );
    expect((await run(['plan', '--module', 'environment'])).stderr).toContain(
      '--workspace is required',
    );
    expect((await run(['plan', '--bogus'])).code).toBe(2);
  });

  it('needs PLINTH_DATA_DIR', async () => {
    const stderr = capture();
    const code = await runTerraformCommand(['output', '--workspace', 'w'], {
      env: {},
      stdout: capture(),
      stderr,
    });
    expect(code).toBe(1);
    expect(stderr.text).toContain('PLINTH_DATA_DIR is not set');
  });
});
