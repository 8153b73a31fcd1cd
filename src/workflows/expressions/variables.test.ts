import { describe, expect, it } from 'vitest';
import { workflowDuration, workflowVariables } from './index.js';

describe('workflowVariables', () => {
  const vars = workflowVariables({
    name: 'wf',
    namespace: 'team',
    uid: 'u-1',
    creationTimestamp: '2018-08-23T17:42:09Z',
    entrypoint: 'main',
    priority: 2,
    labels: { app: 'x' },
    annotations: {},
    parameters: [
      { name: 'p', value: 'v' },
      { name: 'd', default: 'dv' },
    ],
  });

  it('formats the creation time with every strftime character Argo offers', () => {
    const created = (c: string) => vars.get(`workflow.creationTimestamp.${c}`);
    expect(
      ['B', 'b', 'm', 'A', 'a', 'd', 'H', 'I', 'M', 'S', 'Y', 'y', 'p', 'Z', 'z', 'L'].map(created),
    ).toEqual([
      'August',
      'Aug',
      '08',
      'Thursday',
      'Thu',
      '23',
      '17',
      '05',
      '42',
      '09',
      '2018',
      '18',
      'PM',
      'UTC',
      '+0000',
      '.000',
    ]);
    expect(vars.get('workflow.creationTimestamp')).toBe('2018-08-23T17:42:09Z');
    expect(created('RFC3339')).toBe('2018-08-23T17:42:09Z');
    expect(created('s')).toBe(String(Date.UTC(2018, 7, 23, 17, 42, 9) / 1000));
    expect(created('Q')).toBeUndefined();
  });

  it('offers names, parameters, labels and annotations one by one and as JSON', () => {
    expect(Object.fromEntries(vars)).toMatchObject({
      'workflow.name': 'wf',
      'workflow.namespace': 'team',
      'workflow.uid': 'u-1',
      'workflow.mainEntrypoint': 'main',
      'workflow.serviceAccountName': 'default',
      'workflow.priority': '2',
      'workflow.parameters.p': 'v',
      'workflow.parameters.d': 'dv',
      'workflow.parameters.json': '[{"name":"p","value":"v"},{"name":"d","default":"dv"}]',
      'workflow.labels.app': 'x',
      'workflow.labels.json': '{"app":"x"}',
      'workflow.annotations.json': '{}',
    });
  });

  it("gives workflow.duration in seconds as Go's %f prints them", () => {
    expect(workflowDuration('2020-01-01T00:00:00Z', '2020-01-01T00:01:01.5Z')).toBe('61.500000');
    expect(workflowDuration(undefined)).toBe('0.000000');
  });
});
