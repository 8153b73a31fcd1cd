import { describe, expect, it } from 'vitest';
import { runToCompletion } from '../index.js';
import { nodeShown, useTestEngine, workflowFixture } from '../testing/engine.js';

describe('outputs of skipped and omitted nodes', () => {
  const t = useTestEngine('absent');

  it("uses the producer's default, then the consumer's input default", async () => {
    const wf = await runToCompletion(t.engine, workflowFixture('skipped-outputs.yaml'));
    expect(wf.status?.phase).toBe('Succeeded');
    expect(nodeShown(wf, 'maker')).toMatchObject({ type: 'Skipped', phase: 'Skipped' });
    expect(nodeShown(wf, 'with-producer-default')).toMatchObject({
      phase: 'Succeeded',
      inputs: { parameters: [{ name: 'text', value: 'grey' }] },
      outputs: { result: 'got grey' },
    });
    expect(nodeShown(wf, 'with-input-default')).toMatchObject({
      phase: 'Succeeded',
      outputs: { result: 'got medium' },
    });
    expect(nodeShown(wf, 'each-default(0:x)')?.outputs?.result).toBe('got x');
    expect(nodeShown(wf, 'each-default(1:y)')?.outputs?.result).toBe('got y');
  });

  it('ends in Error when nothing stands in for an omitted output', async () => {
    const wf = await runToCompletion(t.engine, workflowFixture('skipped-output-missing.yaml'));
    expect(wf.status?.phase).toBe('Error');
    expect(nodeShown(wf, 'second')?.phase).toBe('Omitted');
    const third = nodeShown(wf, 'third');
    expect(third?.phase).toBe('Error');
    expect(third?.message).toContain('absent optional');
  });
});
