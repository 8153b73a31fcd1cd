import { describe, expect, it } from 'vitest';
import { runToCompletion } from '../index.js';
import { nodeNamed, useTestEngine, workflowFixture } from '../testing/engine.js';

describe('Argo semantics found by running its examples', () => {
  const t = useTestEngine('argo-semantics');

  it("errs a consumer whose artifact subPath is a skipped task's output without default", async () => {
    const wf = await runToCompletion(t.engine, workflowFixture('absent-artifact-subpath.yaml'));
    expect(wf.status?.phase).toBe('Error');
    expect(nodeNamed(wf, 'absent-artifact-subpath.pick-folder')?.phase).toBe('Skipped');
    expect(nodeNamed(wf, 'absent-artifact-subpath.unpack')).toMatchObject({
      phase: 'Error',
      message: expect.stringContaining('absent optional'),
    });
  });

  it('reads parameters left empty as none', async () => {
    const wf = await runToCompletion(t.engine, workflowFixture('null-arguments.yaml'));
    expect(wf.status?.phase).toBe('Succeeded');
    expect(nodeNamed(wf, 'null-arguments[0].greet')?.outputs?.result).toBe('hello nobody');
  });
});
