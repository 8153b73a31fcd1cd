import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isPlinthError } from '../errors/index.js';
import { createTerraform } from './terraform.js';
import { SENSITIVE_VALUE, type TerraformProgress } from './types.js';

const modules = fileURLToPath(new URL('./testdata/modules/', import.meta.url));
const env = { PATH: process.env.PATH };

describe('createTerraform', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'plinth-tf-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('plans, applies, reads outputs, sees no changes, then plans and runs a destroy', async () => {
    await cp(path.join(modules, 'basic'), dir, { recursive: true });
    const progress: TerraformProgress[] = [];
    const tf = createTerraform({ dir, env, onProgress: (p) => progress.push(p) });
    await tf.init();

    const created = await tf.plan({ vars: { name: 'one' } });
    expect(created).toEqual({
      add: 1,
      change: 0,
      destroy: 0,
      resources: [{ address: 'terraform_data.thing', actions: ['create'] }],
    });
    expect(progress.map((p) => p.message)).toContain('terraform_data.thing: Plan to create');

    expect(await tf.apply('plinth.tfplan')).toEqual({ add: 1, change: 0, destroy: 0 });
    const outputs = await tf.output();
    expect(outputs).toMatchObject({ name: 'one', token: SENSITIVE_VALUE });
    expect(outputs.id).toMatch(/^[0-9a-f-]{36}$/);

    expect(await tf.plan({ vars: { name: 'one' } })).toEqual({
      add: 0,
      change: 0,
      destroy: 0,
      resources: [],
    });

    const replaced = await tf.plan({ vars: { name: 'two' } });
    expect(replaced).toMatchObject({ add: 1, change: 0, destroy: 1 });
    expect(replaced.resources[0]?.actions).toEqual(['delete', 'create']);

    const destroyPlan = await tf.plan({ vars: { name: 'one' }, destroy: true, out: 'd.tfplan' });
    expect(destroyPlan).toEqual({
      add: 0,
      change: 0,
      destroy: 1,
      resources: [{ address: 'terraform_data.thing', actions: ['delete'] }],
    });
    expect(await tf.destroy({ vars: { name: 'one' } })).toEqual({ add: 0, change: 0, destroy: 1 });
    expect(await tf.output()).toEqual({});
  });

  it('throws TERRAFORM_FAILED with Terraform’s own diagnostic', async () => {
    await cp(path.join(modules, 'broken'), dir, { recursive: true });
    const tf = createTerraform({ dir, env });
    await tf.init();
    const err = await tf.plan().catch((e: unknown) => e);
    expect(isPlinthError(err, 'TERRAFORM_FAILED')).toBe(true);
    expect((err as Error).message).toMatch(/^Error: Reference to undeclared input variable/);
    expect((err as Error).message).toContain('on main.tf line 2');
    expect((err as Error).message).toContain('"undeclared" has not been declared');
  });

  it('reads the error from stderr for commands without a JSON stream', async () => {
    const tf = createTerraform({ dir, env });
    const err = await tf.show('missing.tfplan').catch((e: unknown) => e);
    expect(isPlinthError(err, 'TERRAFORM_FAILED')).toBe(true);
    expect((err as Error).message).toMatch(/^Error: Failed to read the given file/);
    expect((err as Error).message).not.toMatch(/[╷│╵]/);
  });

  it('says when the terraform executable is missing', async () => {
    const tf = createTerraform({ dir, env, bin: path.join(dir, 'no-terraform') });
    const err = await tf.init().catch((e: unknown) => e);
    expect(isPlinthError(err, 'TERRAFORM_FAILED')).toBe(true);
    expect((err as Error).message).toContain('PLINTH_TERRAFORM_BIN');
  });
});
