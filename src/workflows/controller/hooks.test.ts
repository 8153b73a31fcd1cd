import { describe, expect, it } from 'vitest';
import { runToCompletion } from '../index.js';
import { nodeNamed, useTestEngine, workflowFixture } from '../testing/engine.js';

describe('lifecycle hooks with expressions', () => {
  const t = useTestEngine('hooks');

  it("runs the Workflow's and a step's hooks when their expressions become true", async () => {
    const wf = await runToCompletion(t.engine, workflowFixture('lifecycle-hooks.yaml'));
    expect(wf.status?.phase).toBe('Succeeded');
    const root = nodeNamed(wf, 'lifecycle-hooks');
    const build = nodeNamed(wf, 'lifecycle-hooks[0].build');

    const started = nodeNamed(wf, 'lifecycle-hooks.hooks.started');
    expect(started).toMatchObject({
      displayName: 'lifecycle-hooks.hooks.started',
      type: 'Pod',
      templateName: 'note',
      phase: 'Succeeded',
      outputs: { result: 'workflow started' },
    });
    expect(nodeNamed(wf, 'lifecycle-hooks.hooks.done')).toMatchObject({
      phase: 'Succeeded',
      outputs: { result: 'workflow done' },
    });
    expect(nodeNamed(wf, 'lifecycle-hooks.hooks.broken')).toBeUndefined();
    expect(root?.children).toContain(started?.id);

    const begun = nodeNamed(wf, 'lifecycle-hooks[0].build.hooks.begun');
    const ok = nodeNamed(wf, 'lifecycle-hooks[0].build.hooks.ok');
    expect(begun).toMatchObject({
      displayName: 'build.hooks.begun',
      phase: 'Succeeded',
      boundaryID: root?.id,
      outputs: { result: 'build begun' },
    });
    expect(ok).toMatchObject({ phase: 'Succeeded', outputs: { result: 'built artefact' } });
    expect(build?.children).toEqual(expect.arrayContaining([begun?.id, ok?.id]));
    expect(nodeNamed(wf, 'lifecycle-hooks[1].ship.hooks.ok')).toBeUndefined();
    // The step's group ends only once its hooks have: the next group starts after them.
    const next = nodeNamed(wf, 'lifecycle-hooks[1]');
    expect(Date.parse(next?.startedAt ?? '')).toBeGreaterThanOrEqual(
      Date.parse(ok?.finishedAt ?? ''),
    );
  });

  it("runs a failed task's failure hook and the Workflow's hook on its failure", async () => {
    const wf = await runToCompletion(t.engine, workflowFixture('lifecycle-hooks-dag-failed.yaml'));
    expect(wf.status?.phase).toBe('Failed');
    expect(wf.status?.progress).toBe('2/3');
    expect(nodeNamed(wf, 'lifecycle-hooks-dag-failed.compile')).toMatchObject({
      phase: 'Failed',
      message: 'Error (exit code 1)',
    });
    expect(nodeNamed(wf, 'lifecycle-hooks-dag-failed.compile.hooks.on-failure')).toMatchObject({
      displayName: 'compile.hooks.on-failure',
      phase: 'Succeeded',
    });
    expect(nodeNamed(wf, 'lifecycle-hooks-dag-failed.compile.hooks.on-success')).toBeUndefined();
    expect(nodeNamed(wf, 'lifecycle-hooks-dag-failed.publish')).toMatchObject({
      type: 'Skipped',
      phase: 'Omitted',
    });
    expect(nodeNamed(wf, 'lifecycle-hooks-dag-failed.hooks.after-failure')).toMatchObject({
      phase: 'Succeeded',
    });
  });
});
