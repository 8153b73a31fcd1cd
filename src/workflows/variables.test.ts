import { describe, expect, it } from 'vitest';
import { runToCompletion, type Workflow } from './index.js';
import { useTestEngine, workflowFixture } from './testing/engine.js';

/** The stdout of every node, by its name without the Workflow's. */
function results(wf: Workflow): Record<string, string | undefined> {
  const prefix = wf.metadata.name ?? '';
  return Object.fromEntries(
    Object.values(wf.status?.nodes ?? {}).map((n) => [
      n.name.slice(prefix.length),
      n.outputs?.result,
    ]),
  );
}

/** `key=value` lines of a step's output. */
function lines(text: string | undefined): Record<string, string> {
  return Object.fromEntries(
    (text ?? '').split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

describe('variables and expression tags', () => {
  const t = useTestEngine('variables');

  it('lets expression tags in loops see the item over inputs, steps, tasks and workflow', async () => {
    const wf = await runToCompletion(t.engine, workflowFixture('loop-expressions.yaml'));
    expect(wf.status?.phase).toBe('Succeeded');
    expect(results(wf)).toMatchObject({
      '[1].items(0:n:1,name:a)': 'run:a!:10:one:a',
      '[1].items(1:n:2,name:b)': 'run:b!:20:one:b',
      '[1].params(0:x)': 'x-one',
      '[1].params(1:y)': 'y-one',
      '[1].sequence(0:0)': '100-!',
      '[1].sequence(1:1)': '101-!',
      '[2].dag.items(0:k:p)': 'd/p/s',
      '[2].dag.items(1:k:q)': 'd/q/s',
      '[2].dag.params(0:3)': '6/s/run',
      '[2].dag.params(1:4)': '8/s/run',
      '[2].dag.sequence(0:5)': '5/d',
      '[2].dag.sequence(1:6)': '6/d',
    });
  });

  it("offers Argo's documented variables in simple and expression tags", async () => {
    const wf = await runToCompletion(t.engine, workflowFixture('variables.yaml'));
    expect(wf.status?.phase).toBe('Succeeded');
    const created = wf.metadata.creationTimestamp ?? '';
    const byName = results(wf);
    const simple = lines(byName['[0].simple']);
    expect(simple).toMatchObject({
      'node.name': 'variables[0].simple',
      step: 'simple',
      inputs: '[{"name":"step","value":"simple"}]',
      main: 'main',
      label: 'blue',
      labels: '{"team":"blue"}',
      annotation: 'ops',
      annotations: '{"owner":"ops"}',
      params: '[{"name":"greeting","value":"hi"}]',
      priority: '3',
      created,
      rfc3339: created,
      year: created.slice(0, 4),
      month: created.slice(5, 7),
      zone: 'UTC',
      unix: String(Date.parse(created) / 1000),
      status: 'Running',
      sa: 'default',
    });
    expect(simple['pod.name']).toMatch(/^variables-print-\d+$/);
    expect(Number(simple.duration)).toBeGreaterThanOrEqual(0);
    expect(simple.duration).toMatch(/^\d+\.\d{6}$/);

    const expr = lines(byName['[1].expression']);
    expect(expr).toMatchObject({
      'node.name': 'variables[1].expression',
      main: 'main',
      label: 'blue',
      annotation: 'ops',
      greeting: 'hi',
      priority: '4',
      year: created.slice(0, 4),
      duration: 'true',
      status: 'Running',
    });
    expect(expr['pod.name']).toMatch(/^variables-print-expr-\d+$/);

    expect(byName['[2].retried(0)']).toBe('0 0');
    expect(byName['[2].retried(1)']).toBe('1 1');
    expect(byName['[3].tasks.named']).toBe('named');
    expect(byName['[3].tasks.after']).toBe('localhost');
  });
});
