import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from './load.js';

/**
 * Runs the catalog's environment scripts the way the engine does (bash, the
 * template's env with parameters substituted, a `plinth` launcher on PATH),
 * with the real terraform and the catalog's module.
 */
const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
const catalogDir = path.join(projectRoot, 'catalog');

interface ScriptTemplate {
  name: string;
  script?: { source: string; env?: { name: string; value: string }[] };
}

describe('the environment WorkflowTemplate’s scripts', () => {
  let tmp: string;
  let binDir: string;
  let templates: Map<string, ScriptTemplate>;

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(tmpdir(), 'plinth-envflow-'));
    binDir = path.join(tmp, 'bin');
    await mkdir(binDir);
    const runner = path.join(tmp, 'plinth-terraform.mts');
    await writeFile(
      runner,
      [
        `import { runTerraformCommand } from ${JSON.stringify(path.join(projectRoot, 'src/terraform/index.ts'))};`,
        `const [verb, ...rest] = process.argv.slice(2);`,
        `if (verb !== 'terraform') throw new Error('only "plinth terraform" here');`,
        `process.exitCode = await runTerraformCommand(rest, { env: process.env, stdout: process.stdout, stderr: process.stderr });`,
      ].join('\n'),
    );
    const tsx = path.join(projectRoot, 'node_modules/.bin/tsx');
    const launcher = path.join(binDir, 'plinth');
    await writeFile(
      launcher,
      `#!/bin/sh\nexec ${JSON.stringify(tsx)} ${JSON.stringify(runner)} "$@"\n`,
    );
    await chmod(launcher, 0o755);
    const catalog = await loadCatalog(catalogDir);
    const spec = catalog.workflowTemplates.find((t) => t.metadata.name === 'environment')?.spec as {
      templates: ScriptTemplate[];
    };
    templates = new Map(spec.templates.map((t) => [t.name, t]));
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  async function step(name: string, inputs: Record<string, string>) {
    const script = templates.get(name)?.script;
    if (!script) throw new Error(`no script template ${name}`);
    const cwd = await mkdtemp(path.join(tmp, `${name}-`));
    const env: Record<string, string | undefined> = {
      PATH: `${binDir}:${process.env.PATH ?? ''}`,
      PLINTH_DATA_DIR: path.join(tmp, 'data'),
      PLINTH_CATALOG_DIR: catalogDir,
      PLINTH_TERRAFORM_BIN: 'terraform',
    };
    for (const e of script.env ?? []) {
      env[e.name] = e.value.replace(/\{\{inputs\.parameters\.([\w-]+)\}\}/g, (_m, p: string) => {
        const value = inputs[p];
        if (value === undefined) throw new Error(`${name}: no input ${p}`);
        return value;
      });
    }
    const file = path.join(cwd, 'script');
    await writeFile(file, script.source);
    const child = spawn('bash', [file], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    const read = async (f: string): Promise<unknown> =>
      JSON.parse(await readFile(path.join(cwd, f), 'utf8')) as unknown;
    return { code, stdout, stderr, read };
  }

  it('rejects a name that is not a DNS label, and a create without a region', async () => {
    const hostile = await step('validate', {
      name: 'x; touch pwned',
      region: 'eastus2',
      action: 'create',
    });
    expect(hostile.code).toBe(1);
    expect(hostile.stderr).toContain('invalid environment name "x; touch pwned"');
    const noRegion = await step('validate', { name: 'dev1', region: '', action: 'create' });
    expect(noRegion.code).toBe(1);
    expect(noRegion.stderr).toContain('region is required');
    const badAction = await step('validate', { name: 'dev1', region: '', action: 'rm -rf' });
    expect(badAction.stderr).toContain('unknown action "rm -rf"');
    expect((await step('validate', { name: 'dev1', region: '', action: 'delete' })).code).toBe(0);
  });

  it('creates and then deletes an environment through plan, apply and record-outputs', async () => {
    const env = { name: 'team-a', region: 'westeurope', team: 'a' };
    const validate = await step('validate', { ...env, action: 'create' });
    expect(validate.code).toBe(0);

    const plan = await step('plan', { ...env, action: 'create' });
    expect(plan.stderr).toBe('');
    expect(plan.stdout).toContain('Plan: 1 to add, 0 to change, 0 to destroy.');
    expect(await plan.read('plan-summary.json')).toMatchObject({ add: 1, destroy: 0 });

    expect((await step('apply', env)).code).toBe(0);
    const record = await step('record-outputs', env);
    expect(await record.read('terraform-outputs.json')).toMatchObject({
      name: 'team-a',
      namespace: 'env-team-a',
      url: 'https://team-a.westeurope.apps.example.internal',
    });

    // The API's delete may send the name only.
    const destroy = await step('plan', { name: 'team-a', region: '', team: '', action: 'delete' });
    expect(destroy.stderr).toBe('');
    expect(await destroy.read('plan-summary.json')).toMatchObject({ add: 0, destroy: 1 });
    expect((await step('apply', env)).code).toBe(0);
    expect(await (await step('record-outputs', env)).read('terraform-outputs.json')).toEqual({});
  });
});
