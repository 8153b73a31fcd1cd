import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseWorkflow, runToCompletion } from '../index.js';
import { useTestEngine } from '../testing/engine.js';

describe('the names a step or task gives its template', () => {
  const t = useTestEngine('holder-names');

  it('offers steps.name and tasks.name to the called template, and the scheduled time', async () => {
    const text = readFileSync(
      join(import.meta.dirname, '..', 'testdata', 'holder-names.yaml'),
      'utf8',
    );
    const wf = await runToCompletion(t.engine, parseWorkflow(text));
    expect(wf.status?.phase).toBe('Succeeded');
    const results = Object.fromEntries(
      Object.values(wf.status?.nodes ?? {}).map((n) => [n.displayName, n.outputs?.result]),
    );
    expect(results['glaze-pot']).toBe('step=glaze-pot at=2031-03-04T05:06:07Z');
    expect(results['stack-shelf']).toBe('task=stack-shelf');
  });
});
