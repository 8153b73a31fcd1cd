import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runTerraformCommand } from './command.js';
import { workspaceDir } from './workspace.js';

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

describe('plinth terraform drift', () => {
  let tmp: string;
  let dataDir: string;
  beforeEach(async () => {
    tmp = await mkdtemp(path.join(tmpdir(), 'plinth-tfdrift-'));
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
    };
    const code = await runTerraformCommand(argv, {
      env: { ...env, ...vars },
      stdout,
      stderr,
      cwd: tmp,
    });
    return { code, stdout: stdout.text, stderr: stderr.text };
  }

  it('refuses a workspace where nothing was applied', async () => {
    const result = await run(['drift', '--workspace', 'environment-none']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/nothing applied/);
  });

  it('answers 0 while the infrastructure matches the last apply, and 2 with the changes once it was changed out of band', async () => {
    const ws = ['--workspace', 'environment-dev1'];
    const vars = { TF_VAR_name: 'dev1', TF_VAR_region: 'eastus2' };
    expect((await run(['plan', '--module', 'environment', ...ws], vars)).code).toBe(0);
    expect((await run(['apply', ...ws])).code).toBe(0);

    const clean = await run(['drift', ...ws, '--summary', 'clean.json']);
    expect(clean.stderr).toBe('');
    expect(clean.code).toBe(0);
    expect(clean.stdout).toContain('No drift');
    expect(JSON.parse(await readFile(path.join(tmp, 'clean.json'), 'utf8'))).toMatchObject({
      drifted: false,
      add: 0,
      destroy: 0,
    });

    // Someone moves the environment by hand, bypassing Plinth.
    await promisify(execFile)(
      'terraform',
      ['apply', '-auto-approve', '-input=false', '-var', 'name=dev1', '-var', 'region=westus'],
      {
        cwd: workspaceDir(dataDir, 'environment-dev1'),
        env: { ...process.env, CHECKPOINT_DISABLE: '1' },
      },
    );

    const drifted = await run(['drift', ...ws, '--summary', 'drift.json']);
    expect(drifted.code).toBe(2);
    expect(drifted.stdout).toContain('Drift: 1 to add, 0 to change, 1 to destroy.');
    expect(JSON.parse(await readFile(path.join(tmp, 'drift.json'), 'utf8'))).toEqual({
      drifted: true,
      add: 1,
      change: 0,
      destroy: 1,
      resources: [
        {
          address: 'terraform_data.environment',
          actions: expect.arrayContaining(['create', 'delete']),
        },
      ],
    });
  });
});
