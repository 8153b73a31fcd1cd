import { describe, it, expect } from 'vitest';
import { runCli } from './program.js';
import { memoryIO } from './testing/fake-api.js';

describe('runCli', () => {
  it('exits 2 with a plinth: line on a missing required option', async () => {
    const io = memoryIO();
    expect(await runCli(['env', 'create', 'dev'], io)).toBe(2);
    expect(io.err()).toContain("plinth: required option '--region <region>' not specified");
    expect(io.out()).toBe('');
  });

  it('exits 2 on a missing argument, an unknown command or output format', async () => {
    for (const argv of [['runs', 'get'], ['envs'], ['env', 'list', '-o', 'yaml'], []]) {
      const io = memoryIO();
      expect(await runCli(argv, io), argv.join(' ')).toBe(2);
      expect(io.err(), argv.join(' ')).not.toBe('');
    }
  });

  it('prints help and the version with exit 0', async () => {
    const help = memoryIO();
    expect(await runCli(['--help'], help)).toBe(0);
    for (const verb of ['up', 'env', 'runs', 'terraform']) expect(help.out()).toContain(verb);
    const version = memoryIO();
    expect(await runCli(['--version'], version)).toBe(0);
    expect(version.out()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('hands every argument after `terraform` to the terraform step, untouched', async () => {
    const calls: string[][] = [];
    const io = memoryIO(
      { TF_VAR_x: '1' },
      {
        deps: {
          runTerraformCommand: (argv, tio) => {
            calls.push(argv);
            tio.stdout.write(`env ${tio.env.TF_VAR_x}\n`);
            return Promise.resolve(3);
          },
        },
      },
    );
    expect(await runCli(['terraform', 'plan', '--help', '-o', 'x', '--version'], io)).toBe(3);
    expect(calls).toEqual([['plan', '--help', '-o', 'x', '--version']]);
    expect(io.out()).toBe('env 1\n');
  });
});
