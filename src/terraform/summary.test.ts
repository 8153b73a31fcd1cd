import { describe, expect, it } from 'vitest';
import { formatPlanLine, summarizePlan } from './summary.js';

const rc = (address: string, actions: string[], mode = 'managed') => ({
  address,
  mode,
  change: { actions },
});

describe('summarizePlan', () => {
  it('counts like Terraform: replace is an add and a destroy, reads and no-ops are left out', () => {
    const summary = summarizePlan({
      resource_changes: [
        rc('a.create', ['create']),
        rc('b.update', ['update']),
        rc('c.delete', ['delete']),
        rc('d.replace', ['delete', 'create']),
        rc('e.replace', ['create', 'delete']),
        rc('f.same', ['no-op']),
        rc('data.g.read', ['read'], 'data'),
      ],
    });
    expect(summary).toMatchObject({ add: 3, change: 1, destroy: 3 });
    expect(summary.resources.map((r) => r.address)).toEqual([
      'a.create',
      'b.update',
      'c.delete',
      'd.replace',
      'e.replace',
    ]);
    expect(formatPlanLine(summary)).toBe('Plan: 3 to add, 1 to change, 3 to destroy.');
  });

  it('treats a plan without resource changes as empty and refuses non-objects', () => {
    expect(summarizePlan({ format_version: '1.2' })).toEqual({
      add: 0,
      change: 0,
      destroy: 0,
      resources: [],
    });
    expect(() => summarizePlan(null)).toThrow(
      expect.objectContaining({ code: 'TERRAFORM_FAILED' }),
    );
  });
});
