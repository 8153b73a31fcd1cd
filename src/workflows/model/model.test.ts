import { describe, expect, it } from 'vitest';
import { isPlinthError } from '../../errors/index.js';
import { substitute, allowExpressionsOnly, UnresolvedTagError } from '../expressions/index.js';
import { dependencyNames, evaluateDepends, parseDepends } from './depends.js';
import { fnv32a, nodeId, podName, randomNameSuffix, timestamp } from './names.js';
import { parseWorkflow } from './parse.js';

describe('names', () => {
  it('hashes node names with FNV-1a as Argo does', () => {
    expect(fnv32a('hello')).toBe(1335831723);
    expect(nodeId('wf', 'wf')).toBe('wf');
    expect(nodeId('wf', 'wf[0].a')).toBe(`wf-${fnv32a('wf[0].a')}`);
    expect(podName('wf', 'wf[0].a', 'emit')).toBe(`wf-emit-${fnv32a('wf[0].a')}`);
    expect(randomNameSuffix()).toMatch(/^[a-z0-9]{5}$/);
    expect(timestamp(new Date('2024-01-02T03:04:05.678Z'))).toBe('2024-01-02T03:04:05Z');
  });
});

describe('simple tags', () => {
  const scope = new Map([['inputs.parameters.x', 'a "b"']]);
  it('substitutes text with whitespace inside braces, and expression tags in the same pass', () => {
    expect(
      substitute({ s: ['{{ inputs.parameters.x }}!', '{{=1+1}}'] }, scope, allowExpressionsOnly),
    ).toEqual({
      s: ['a "b"!', '2'],
    });
  });
  it('reports an unresolved tag in Argo words', () => {
    expect(() => substitute('{{nope}}', scope, allowExpressionsOnly)).toThrow(UnresolvedTagError);
    expect(() => substitute('{{nope}}', scope, allowExpressionsOnly)).toThrow(
      'failed to resolve {{nope}}',
    );
  });
});

describe('depends', () => {
  it('parses and evaluates expressions', () => {
    const expr = parseDepends('A && (B.Failed || !C.Succeeded)');
    expect(dependencyNames(expr)).toEqual(['A', 'B', 'C']);
    const phases: Record<string, string> = { A: 'Succeeded', B: 'Succeeded', C: 'Succeeded' };
    expect(evaluateDepends(expr, (t) => ({ phase: phases[t] ?? '' }))).toBe(false);
    phases.B = 'Failed';
    expect(evaluateDepends(expr, (t) => ({ phase: phases[t] ?? '' }))).toBe(true);
    expect(() => parseDepends('A &&')).toThrow();
  });
});

describe('parseWorkflow', () => {
  it('points at the line of a YAML error', () => {
    try {
      parseWorkflow('kind: Workflow\nspec: [\n', 'wf.yaml');
      expect.unreachable();
    } catch (err) {
      expect(isPlinthError(err, 'INVALID_MANIFEST')).toBe(true);
      expect((err as Error).message).toMatch(/^wf\.yaml:\d+:\d+: /);
    }
  });
  it('requires one template type per template', () => {
    expect(() =>
      parseWorkflow({
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Workflow',
        metadata: { name: 'x' },
        spec: { entrypoint: 'main', templates: [{ name: 'main' }] },
      }),
    ).toThrow('templates.main template type unspecified');
  });
});
