import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { namespacesAvailable } from '../executor/index.js';
import { runToCompletion, type Workflow } from '../index.js';
import { nodeShown, useTestEngine, workflowFixture } from '../testing/engine.js';

function parameter(wf: Workflow, node: string, name: string): string | undefined {
  return nodeShown(wf, node)?.outputs?.parameters?.find((p) => p.name === name)?.value;
}

describe.runIf(namespacesAvailable())('a private filesystem per step', () => {
  const t = useTestEngine('step-fs', { graceSeconds: 1 });

  it('gives parallel steps their own /tmp, root files and top-level directories, and passes /tmp artifacts on', async () => {
    const wf = await runToCompletion(t.engine, workflowFixture('filesystem-tmp.yaml'));
    expect(wf.status?.phase).toBe('Succeeded');
    for (const step of ['a', 'b']) {
      expect(parameter(wf, step, 'message')).toBe(`first-${step}`);
      expect(parameter(wf, step, 'root-file')).toBe(`first-${step}`);
      expect(parameter(wf, step, 'out')).toBe(`out-first-${step}`);
    }
    expect(nodeShown(wf, 'pass')?.outputs?.result).toBe('file-first-a');
    // Nothing was written to the host's own paths.
    expect(existsSync('/result.txt')).toBe(false);
    expect(existsSync('/out/value')).toBe(false);
  });

  it('keeps two runs of the same workflow at once apart', async () => {
    const [one, two] = await Promise.all(
      ['one', 'two'].map((run) =>
        runToCompletion(t.engine, workflowFixture('filesystem-tmp.yaml'), {
          parameters: { run },
        }),
      ),
    );
    for (const [wf, run] of [
      [one, 'one'],
      [two, 'two'],
    ] as const) {
      expect(wf?.status?.phase).toBe('Succeeded');
      expect(parameter(wf!, 'a', 'message')).toBe(`${run}-a`);
      expect(parameter(wf!, 'b', 'message')).toBe(`${run}-b`);
      expect(nodeShown(wf!, 'pass')?.outputs?.result).toBe(`file-${run}-a`);
    }
  });

  it('shares a claim template volume between steps, with subPath and readOnly, and not an emptyDir', async () => {
    const wf = await runToCompletion(t.engine, workflowFixture('filesystem-volumes.yaml'));
    expect(wf.status?.phase).toBe('Succeeded');
    expect(nodeShown(wf, 'read')?.outputs?.result).toBe('shared\nin-sub\nemptyDir empty');
    expect(parameter(wf, 'read', 'shared')).toBe('shared');
    expect(parameter(wf, 'read', 'sub')).toBe('in-sub');
    const volume = `${t.dir}/workflows/${wf.metadata.uid}/volumes/workdir/shared.txt`;
    expect(readFileSync(volume, 'utf8')).toBe('shared\n');
  });
});
