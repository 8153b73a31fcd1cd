import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isPlinthError } from '../errors/index.js';
import { checkName, refreshModule, workspaceDir } from './workspace.js';

describe('workspaces', () => {
  let tmp: string;
  beforeEach(async () => {
    tmp = await mkdtemp(path.join(tmpdir(), 'plinth-ws-'));
  });
  afterEach(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('accepts safe names only', () => {
    expect(workspaceDir('/data', 'environment-dev1')).toBe('/data/terraform/environment-dev1');
    for (const bad of ['', '.', '..', '../x', 'a/b', 'a b', '-x', 'x;y', 'a'.repeat(129)]) {
      expect(() => checkName('workspace', bad), bad).toThrow(
        expect.objectContaining({ code: 'INVALID_INPUT' }),
      );
    }
  });

  it('refreshes the module copy and keeps the state and the saved plan', async () => {
    const moduleDir = path.join(tmp, 'module');
    const dir = path.join(tmp, 'ws');
    await mkdir(path.join(moduleDir, 'nested'), { recursive: true });
    await mkdir(path.join(moduleDir, '.terraform'));
    await writeFile(path.join(moduleDir, 'main.tf'), 'v1');
    await writeFile(path.join(moduleDir, 'old.tf'), 'old');
    await writeFile(path.join(moduleDir, 'nested', 'x.tf'), 'x');
    await refreshModule(dir, moduleDir);
    await writeFile(path.join(dir, 'terraform.tfstate'), 'state');
    await writeFile(path.join(dir, 'plinth.tfplan'), 'plan');

    await writeFile(path.join(moduleDir, 'main.tf'), 'v2');
    await rm(path.join(moduleDir, 'old.tf'));
    await refreshModule(dir, moduleDir);
    expect((await readdir(dir)).sort()).toEqual([
      'main.tf',
      'nested',
      'plinth.tfplan',
      'terraform.tfstate',
    ]);
    expect(await readFile(path.join(dir, 'main.tf'), 'utf8')).toBe('v2');
  });

  it('says when the module is missing', async () => {
    const err = await refreshModule(path.join(tmp, 'ws'), path.join(tmp, 'none')).catch(
      (e: unknown) => e,
    );
    expect(isPlinthError(err, 'NOT_FOUND')).toBe(true);
  });
});
