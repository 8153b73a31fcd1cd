import { describe, expect, it } from 'vitest';
import { runToCompletion } from '../index.js';
import { nodeNamed, useTestEngine, workflowFixture } from '../testing/engine.js';

describe('daemon templates', () => {
  const t = useTestEngine('daemon');

  it('lets the next step call a ready daemon at its ip, then ends it with its scope', async () => {
    const started = Date.now();
    const wf = await runToCompletion(t.engine, workflowFixture('daemon-steps.yaml'));
    expect(wf.status?.phase).toBe('Succeeded');
    expect(nodeNamed(wf, 'daemon-steps[0].server')).toMatchObject({
      type: 'Pod',
      phase: 'Succeeded',
      daemoned: true,
      podIP: '127.0.0.1',
    });
    expect(nodeNamed(wf, 'daemon-steps[0]')?.phase).toBe('Succeeded');
    expect(nodeNamed(wf, 'daemon-steps[1].client')).toMatchObject({
      phase: 'Succeeded',
      inputs: { parameters: [{ name: 'address', value: '127.0.0.1' }] },
      outputs: { result: '200' },
    });
    // The server would run for ever: the Workflow did not wait for it.
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('retries a daemon that dies and counts a running daemon as done for its dependents', async () => {
    const wf = await runToCompletion(t.engine, workflowFixture('daemon-dag-retry.yaml'));
    expect(wf.status?.phase).toBe('Succeeded');
    const retry = nodeNamed(wf, 'daemon-dag-retry.helper');
    expect(retry).toMatchObject({ type: 'Retry', phase: 'Succeeded', daemoned: true });
    expect(retry?.nodeFlag).toBeUndefined();
    expect(nodeNamed(wf, 'daemon-dag-retry.helper(0)')).toMatchObject({
      phase: 'Failed',
      message: 'Error (exit code 1)',
      nodeFlag: { retried: true },
    });
    expect(nodeNamed(wf, 'daemon-dag-retry.helper(1)')).toMatchObject({
      phase: 'Succeeded',
      daemoned: true,
      nodeFlag: { retried: true },
    });
    expect(nodeNamed(wf, 'daemon-dag-retry.worker')).toMatchObject({
      phase: 'Succeeded',
      outputs: { result: 'done' },
    });
    expect(nodeNamed(wf, 'daemon-dag-retry.after-daemon')?.phase).toBe('Succeeded');
  });

  it('frees the parallelism slot of a ready daemon', async () => {
    const wf = await runToCompletion(t.engine, workflowFixture('daemon-parallelism.yaml'));
    expect(wf.status?.phase).toBe('Succeeded');
    expect(nodeNamed(wf, 'daemon-parallelism[0].keeper')).toMatchObject({
      phase: 'Succeeded',
      daemoned: true,
    });
    expect(nodeNamed(wf, 'daemon-parallelism[1].visitor')?.outputs?.result).toBe('came by');
  });
});
