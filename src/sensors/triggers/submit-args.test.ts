import { describe, expect, it } from 'vitest';
import { evaluateSensor } from '../evaluate.js';
import { parseSensor } from '../parse.js';
import { fixture, webhookEvent } from '../testing/fixtures.js';

describe('argoWorkflow args', async () => {
  const sensor = parseSensor(fixture('submit-args-sensor.yaml'));
  // The second event matches nothing: a trigger's failure stays its reason over a later non-match.
  const decision = await evaluateSensor(sensor, [
    webhookEvent('e1', 'webhook', 'push', {}),
    webhookEvent('e2', 'webhook', 'other', {}),
  ]);
  const trigger = (name: string) => decision.triggers.find((t) => t.name === name);

  it('applies the submit flags to the Workflow, as argo submit would', () => {
    const build = trigger('build');
    expect(build?.fired).toBe(true);
    expect(build?.resource).toMatchObject({
      metadata: {
        generateName: 'build-',
        labels: { existing: 'kept', team: 'web', tier: 'gold' },
      },
      spec: {
        entrypoint: 'release',
        serviceAccountName: 'builder',
        arguments: {
          parameters: [
            { name: 'message', value: 'from args' },
            { name: 'extra', value: '1' },
          ],
        },
      },
    });
  });

  it('applies them to the Workflow submitted from a WorkflowTemplate', () => {
    expect(trigger('from-template')?.resource).toMatchObject({
      spec: {
        workflowTemplateRef: { name: 'deploy' },
        arguments: { parameters: [{ name: 'env', value: 'prod' }] },
      },
    });
  });

  it('refuses flags that make no sense here, and any flag on other operations, saying which it supports', () => {
    expect(trigger('dry-run')).toMatchObject({ fired: false });
    expect(trigger('dry-run')?.error).toContain('does not support "--server-dry-run"');
    expect(trigger('dry-run')?.error).toContain('-p/--parameter');
    expect(trigger('retry-nodes')?.error).toContain('for the retry operation');
  });

  it('a Sensor whose args are not a list of strings does not parse', () => {
    const text = fixture('submit-args-sensor.yaml').replace(
      "args: ['-p', 'env=prod']",
      'args: {p: 1}',
    );
    expect(() => parseSensor(text)).toThrow('args must be a list of strings');
  });
});
