import { describe, expect, it } from 'vitest';
import { runToCompletion } from '../index.js';
import { containerArgv, scriptArgv } from './images.js';
import { nodeNamed, useTestEngine, workflowFixture } from '../testing/engine.js';

describe('what an image runs without a command', () => {
  it("runs the image's entrypoint before args, and its CMD without them", () => {
    expect(containerArgv('argoproj/argosay:v2', undefined, ['echo', 'x'])).toEqual([
      'argosay',
      'echo',
      'x',
    ]);
    expect(containerArgv('docker.io/library/alpine:3.23', [], ['echo', 'x'])).toEqual([
      'echo',
      'x',
    ]);
    expect(containerArgv('busybox', undefined, undefined)).toEqual(['sh']);
    expect(containerArgv('python:alpine3.23', undefined, undefined)).toEqual(['python3']);
    expect(containerArgv('example.com/unknown:1', undefined, ['x'])).toBeUndefined();
    expect(containerArgv('alpine', ['/argosay'], undefined)).toEqual(['/argosay']);
    expect(containerArgv('argoproj/argosay:v2', ['sh', '-c'], ['sleep 1; /argosay'])).toEqual([
      'sh',
      '-c',
      'sleep 1; argosay',
    ]);
  });

  it("gives a script without a command to the image's entrypoint, else to sh", () => {
    expect(scriptArgv('argoproj/argosay:v2', undefined, ['echo', '[]'])).toEqual([
      'argosay',
      'echo',
      '[]',
    ]);
    expect(scriptArgv('alpine', undefined, undefined)).toEqual(['sh']);
    expect(scriptArgv('python:3.12', ['python'], undefined)).toEqual(['python3']);
  });
});

describe("Argo's examples on this machine", () => {
  const t = useTestEngine('images');

  it('runs argosay as its image would', async () => {
    const wf = await runToCompletion(t.engine, workflowFixture('argosay.yaml'));
    expect(wf.status?.phase).toBe('Succeeded');
    const step = (name: string) => nodeNamed(wf, `argosay[0].${name}`);
    expect(step('greet')).toMatchObject({ phase: 'Succeeded', outputs: { result: 'hello argo' } });
    expect(step('write')).toMatchObject({
      phase: 'Succeeded',
      outputs: { result: '', parameters: [{ name: 'said', value: 'kept in a file' }] },
    });
    expect(step('shell')).toMatchObject({ outputs: { result: 'from a shell' } });
    expect(step('args-only')).toMatchObject({ phase: 'Succeeded', outputs: { result: 'plain' } });
    expect(step('quit')).toMatchObject({
      phase: 'Failed',
      message: 'Error (exit code 3)',
      outputs: { exitCode: '3' },
    });
    expect(step('no-source')).toMatchObject({ phase: 'Succeeded', outputs: { result: '' } });
  });

  it('gives an input the inputs before it, and a when its expression tags', async () => {
    const wf = await runToCompletion(t.engine, workflowFixture('input-from-input.yaml'));
    expect(wf.status?.phase).toBe('Succeeded');
    expect(nodeNamed(wf, 'input-from-input[0].check(0:kind:lint)')).toMatchObject({
      phase: 'Succeeded',
      outputs: { result: '[\n  "base",\n  "lint"\n]' },
    });
    expect(nodeNamed(wf, 'input-from-input[0].check(1:kind:docs)')?.phase).toBe('Skipped');
    expect(nodeNamed(wf, 'input-from-input[0].check(2:)')?.phase).toBe('Succeeded');
  });

  it("finds a root-relative output in the step's working directory", async () => {
    const wf = await runToCompletion(t.engine, workflowFixture('workdir-root-outputs.yaml'));
    expect(wf.status?.phase).toBe('Succeeded');
    expect(nodeNamed(wf, 'workdir-root-outputs[0].write')?.outputs?.parameters).toEqual([
      { name: 'verdict', value: 'pass' },
    ]);
    expect(nodeNamed(wf, 'workdir-root-outputs[1].read')?.outputs?.result).toBe('all green');
  });

  it("runs a script without a command with its image's entrypoint", async () => {
    const wf = await runToCompletion(
      t.engine,
      workflowFixture('script-entrypoint-empty-param.yaml'),
    );
    expect(wf.status?.phase).toBe('Succeeded');
    expect(nodeNamed(wf, 'script-entrypoint-empty-param[0].list')).toMatchObject({
      phase: 'Succeeded',
      outputs: { result: '', exitCode: '0' },
    });
    expect(nodeNamed(wf, 'script-entrypoint-empty-param[1].each')).toMatchObject({
      type: 'Skipped',
      phase: 'Skipped',
      message: 'Skipped, empty params',
    });
  });

  it('runs only the target a parameter names, and what it depends on', async () => {
    const wf = await runToCompletion(t.engine, workflowFixture('dag-target-param.yaml'));
    expect(wf.status?.phase).toBe('Succeeded');
    expect(nodeNamed(wf, 'dag-target-param.first')?.phase).toBe('Succeeded');
    expect(nodeNamed(wf, 'dag-target-param.second')?.phase).toBe('Succeeded');
    expect(nodeNamed(wf, 'dag-target-param.third')).toBeUndefined();
  });
});
