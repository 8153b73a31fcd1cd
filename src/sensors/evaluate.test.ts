import { describe, it, expect } from 'vitest';
import type { Workflow } from '../workflows/index.js';
import { evaluateSensor } from './evaluate.js';
import { parseSensor } from './parse.js';
import { eventFixture, fixture, webhookEvent } from './testing/fixtures.js';

const computeBody = {
  region: 'westeurope',
  cloud_provider: 'azure',
  resource_type: 'vm',
  environment: 'staging',
  requester_name: 'Ada Lovelace',
  requester_email: 'ada@example.com',
};

describe('evaluateSensor', () => {
  const compute = parseSensor(fixture('compute-provision-sensor.yaml'));

  it.each(['compute-event.json', 'compute-event-data.json'])(
    'maps the six body fields of the seed webhook into the Workflow (%s)',
    async (file) => {
      const decision = await evaluateSensor(compute, [eventFixture(file)]);
      expect(decision.dependencies).toEqual([{ name: 'webhook', matched: true }]);
      const [trigger] = decision.triggers;
      expect(trigger).toMatchObject({ name: 'terraform', fired: true });
      const wf = trigger?.resource as Workflow;
      expect(wf.kind).toBe('Workflow');
      expect(wf.metadata).toMatchObject({
        generateName: 'compute-provision-',
        namespace: 'argo-events',
      });
      expect(wf.spec.arguments?.parameters).toEqual(
        Object.entries(computeBody).map(([name, value]) => ({ name, value })),
      );
      // The rest of the Workflow is the sensor's, unchanged.
      expect(wf.spec.templates?.[0]?.dag?.tasks.map((t) => t.name)).toEqual([
        'terraform-plan',
        'terraform-apply',
      ]);
    },
  );

  it('does not fire for an event no dependency matches, and says why', async () => {
    const decision = await evaluateSensor(compute, [eventFixture('storage-event.json')]);
    expect(decision.dependencies).toEqual([
      {
        name: 'webhook',
        matched: false,
        reason: 'event name (subject) "storage" is not eventName "compute"',
      },
    ]);
    expect(decision.triggers).toEqual([
      { name: 'terraform', fired: false, reason: 'no dependency matched the event' },
    ]);
  });

  it('does not fire when a parameter key is absent and has no value, and records why', async () => {
    const body: Record<string, string> = { ...computeBody };
    delete body.environment;
    const decision = await evaluateSensor(compute, [
      webhookEvent('e1', 'webhook', 'compute', body),
    ]);
    expect(decision.triggers[0]).toMatchObject({
      name: 'terraform',
      fired: false,
      code: 'INVALID_INPUT',
    });
    expect(decision.triggers[0]?.error).toContain('dataKey "body.environment" is not in event e1');
    expect(decision.triggers[0]?.resource).toBeUndefined();
  });

  describe('with two dependencies and no conditions', () => {
    const release = parseSensor(fixture('release-sensor.yaml'));
    const build = webhookEvent('b1', 'ci', 'build', { version: '1.2.3', app: 'shop', replicas: 3 });
    const build2 = webhookEvent('b2', 'ci', 'build', {
      version: '1.2.4',
      app: 'shop',
      replicas: 4,
    });
    const approval = webhookEvent(
      'a1',
      'webhook',
      'approvals',
      { approver: 'grace' },
      { 'X-Request-Id': ['req-7'] },
    );

    it('waits until every dependency has an event', async () => {
      const decision = await evaluateSensor(release, [build]);
      expect(decision.dependencies).toEqual([
        { name: 'build-done', matched: true },
        {
          name: 'approved',
          matched: false,
          reason: 'event source "ci" is not eventSourceName "webhook"',
        },
      ]);
      expect(decision.triggers).toEqual([
        { name: 'deploy', fired: false, reason: 'waiting for dependencies: approved' },
      ]);
    });

    it('fires with the latest event of each dependency, applying template then resource parameters', async () => {
      const decision = await evaluateSensor(release, [build, build2, approval]);
      const [trigger] = decision.triggers;
      expect(trigger).toMatchObject({
        fired: true,
        events: { 'build-done': 'b2', approved: 'a1' },
      });
      const wf = trigger?.resource as Workflow;
      expect(wf.metadata).toEqual({
        generateName: 'deploy-1.2.4',
        namespace: 'plinth',
        labels: { 'plinth.dev/request-id': 'req-7' },
      });
      expect(wf.spec.entrypoint).toBe('shop');
      expect(wf.spec.templates?.[0]?.name).toBe('shop');
      expect(wf.spec.parallelism).toBe(4);
      expect(wf.spec.arguments?.parameters).toEqual([
        { name: 'version', value: '1.2.4' },
        { name: 'approver', value: 'grace' },
        { name: 'replicas', value: '1' },
      ]);
    });

    it('starts over after firing', async () => {
      const decision = await evaluateSensor(release, [build, approval, build2]);
      // The last event alone does not fire again; the earlier firing is kept in the summary.
      expect(decision.triggers[0]).toMatchObject({
        fired: true,
        events: { 'build-done': 'b1', approved: 'a1' },
      });
    });

    it('uses the default value when the key is absent', async () => {
      const noApprover = webhookEvent('a2', 'webhook', 'approvals', {}, { 'X-Request-Id': ['r'] });
      const wf = (await evaluateSensor(release, [build, noApprover])).triggers[0]
        ?.resource as Workflow;
      expect(wf.spec.arguments?.parameters?.[1]).toEqual({ name: 'approver', value: 'nobody' });
    });
  });

  it('fails a k8s trigger for anything but a Workflow with operation create, naming what runs', async () => {
    const sensor = parseSensor(fixture('configmap-sensor.yaml'));
    const decision = await evaluateSensor(sensor, [eventFixture('compute-event.json')]);
    expect(decision.triggers[0]).toMatchObject({
      name: 'make-configmap',
      fired: false,
      code: 'INVALID_MANIFEST',
    });
    expect(decision.triggers[0]?.error).toContain(
      'Plinth runs a k8s trigger whose source.resource is an Argo Workflow (apiVersion argoproj.io/v1alpha1, kind Workflow), with operation create, update, patch or delete; this one would create a v1 ConfigMap',
    );
    expect(decision.sensor).toBe('default/configmap-maker');
  });

  it('says so when no event is delivered', async () => {
    const decision = await evaluateSensor(compute, []);
    expect(decision.dependencies[0]).toEqual({
      name: 'webhook',
      matched: false,
      reason: 'no event was delivered',
    });
    expect(decision.triggers[0]?.fired).toBe(false);
  });
});
