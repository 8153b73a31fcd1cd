import { describe, it, expect } from 'vitest';
import type { Run, RunNode } from '../client/index.js';
import { createOutput } from '../output.js';
import { buildNodeTree, printRun } from './run-view.js';

function node(
  id: string,
  type: string,
  phase: RunNode['phase'],
  extra: Partial<RunNode> = {},
): RunNode {
  return {
    id,
    name: id,
    displayName: id.replace(/^env-create-abc\.?/, '') || id,
    type,
    phase,
    ...extra,
  };
}

/** A steps workflow: validate ▶ plan ▶ approve, stopped at the approval. */
const waiting: Run = {
  id: 'env-create-abc',
  requestId: 'req-1',
  phase: 'Running',
  waitingForApproval: true,
  message: null,
  plan: { add: 1, change: 0, destroy: 0, resources: [] },
  outputs: null,
  startedAt: '2025-01-01T00:00:00Z',
  finishedAt: null,
  nodes: [
    node('env-create-abc', 'Steps', 'Running', {
      templateName: 'main',
      children: ['g0'],
      startedAt: '2025-01-01T00:00:00Z',
    }),
    node('g0', 'StepGroup', 'Succeeded', { boundaryID: 'env-create-abc', children: ['validate'] }),
    node('validate', 'Pod', 'Succeeded', {
      boundaryID: 'env-create-abc',
      templateName: 'validate',
      children: ['g1'],
      startedAt: '2025-01-01T00:00:01Z',
      finishedAt: '2025-01-01T00:00:03Z',
    }),
    node('g1', 'StepGroup', 'Succeeded', { boundaryID: 'env-create-abc', children: ['plan'] }),
    node('plan', 'Pod', 'Succeeded', {
      boundaryID: 'env-create-abc',
      templateName: 'terraform-plan',
      children: ['g2'],
      startedAt: '2025-01-01T00:00:04Z',
      finishedAt: '2025-01-01T00:00:05Z',
    }),
    node('g2', 'StepGroup', 'Running', { boundaryID: 'env-create-abc', children: ['approve'] }),
    node('approve', 'Suspend', 'Running', {
      boundaryID: 'env-create-abc',
      templateName: 'approve',
      startedAt: '2025-01-01T00:00:06Z',
    }),
  ],
};

describe('buildNodeTree', () => {
  it('puts steps under their boundary and folds step groups away', () => {
    const roots = buildNodeTree(waiting.nodes);
    expect(roots.map((r) => r.node.id)).toEqual(['env-create-abc']);
    expect(roots[0]?.children.map((c) => c.node.id)).toEqual(['validate', 'plan', 'approve']);
  });

  it('nests DAG tasks under the DAG and retry attempts under their Retry node', () => {
    const roots = buildNodeTree([
      node('wf', 'DAG', 'Running', { children: ['a'] }),
      node('a', 'Retry', 'Running', {
        boundaryID: 'wf',
        children: ['a0', 'a1', 'b'],
        startedAt: '1',
      }),
      node('a0', 'Pod', 'Failed', { name: 'a(0)', boundaryID: 'wf', startedAt: '2' }),
      node('a1', 'Pod', 'Running', { name: 'a(1)', boundaryID: 'wf', startedAt: '3' }),
      node('b', 'Pod', 'Pending', { boundaryID: 'wf' }),
    ]);
    const [wf] = roots;
    expect(roots).toHaveLength(1);
    expect(wf?.children.map((c) => c.node.id)).toEqual(['a', 'b']);
    expect(wf?.children[0]?.children.map((c) => c.node.id)).toEqual(['a0', 'a1']);
  });

  it('survives nodes that point at each other', () => {
    const roots = buildNodeTree([
      node('x', 'Pod', 'Running', { boundaryID: 'y' }),
      node('y', 'Pod', 'Running', { boundaryID: 'x' }),
    ]);
    expect(roots.length).toBeGreaterThan(0);
  });
});

describe('printRun', () => {
  it('draws the node tree with phases, and the plan and next steps at an approval', () => {
    let text = '';
    const out = createOutput({
      stdout: { write: (s: string) => void (text += s) },
      stderr: { write: () => undefined },
      env: {},
    });
    printRun(out, waiting, Date.parse('2025-01-01T00:00:10Z'));
    expect(text).toContain('Phase:     Running (waiting for approval)\n');
    expect(text).toContain('Duration:  10s\n');
    const table = text.slice(text.indexOf('STEP'));
    expect(table.split('\n').slice(0, 5)).toEqual([
      'STEP               TEMPLATE        PHASE      DURATION  MESSAGE',
      ' ● env-create-abc  main            Running    10s',
      ' ├─✔ validate      validate        Succeeded  2s',
      ' ├─✔ plan          terraform-plan  Succeeded  1s',
      ' └─ǁ approve       approve         Running    4s',
    ]);
    expect(text).toContain('Plan: 1 to add, 0 to change, 0 to destroy.\n');
    expect(text).toContain('plinth runs approve env-create-abc\n');
    expect(text).toContain('plinth runs reject env-create-abc\n');
  });
});
