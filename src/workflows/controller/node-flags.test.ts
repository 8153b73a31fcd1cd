import { describe, expect, it } from 'vitest';
import { runToCompletion } from '../index.js';
import { nodeNamed, useTestEngine, workflowFixture } from '../testing/engine.js';

describe('nodeFlag', () => {
  const t = useTestEngine('node-flags');

  it('marks the nodes of exit handlers and lifecycle hooks hooked, and nothing under them', async () => {
    const exit = await runToCompletion(t.engine, workflowFixture('exit-handler.yaml'));
    expect(nodeNamed(exit, 'exit-handler.onExit')?.nodeFlag).toEqual({ hooked: true });
    expect(nodeNamed(exit, 'exit-handler[0].work.onExit')?.nodeFlag).toEqual({ hooked: true });
    expect(nodeNamed(exit, 'exit-handler[0].work')?.nodeFlag).toBeUndefined();
    expect(nodeNamed(exit, 'exit-handler')?.nodeFlag).toBeUndefined();

    const hooks = await runToCompletion(t.engine, workflowFixture('lifecycle-hooks.yaml'));
    expect(nodeNamed(hooks, 'lifecycle-hooks.hooks.started')?.nodeFlag).toEqual({ hooked: true });
    expect(nodeNamed(hooks, 'lifecycle-hooks[0].build.hooks.ok')?.nodeFlag).toEqual({
      hooked: true,
    });
  });

  it('marks retry attempts retried, not their Retry node', async () => {
    const wf = await runToCompletion(t.engine, workflowFixture('retry.yaml'));
    expect(nodeNamed(wf, 'retry[0].flaky')).toMatchObject({ type: 'Retry' });
    expect(nodeNamed(wf, 'retry[0].flaky')?.nodeFlag).toBeUndefined();
    expect(nodeNamed(wf, 'retry[0].flaky(0)')?.nodeFlag).toEqual({ retried: true });
    expect(nodeNamed(wf, 'retry[0].flaky(2)')?.nodeFlag).toEqual({ retried: true });
  });
});
