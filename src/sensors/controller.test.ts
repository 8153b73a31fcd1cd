import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, it, expect } from 'vitest';
import { EmbeddedEventBus } from '../eventbus/index.js';
import { PlinthError } from '../errors/index.js';
import type { SubmitOptions, Workflow, WorkflowEngine } from '../workflows/index.js';
import { createSensorController, type SensorController } from './controller.js';
import type { SensorDecision } from './evaluate.js';
import { parseSensor } from './parse.js';
import { eventFixture, fixture, webhookEvent } from './testing/fixtures.js';

/** Records submissions and honours idempotency keys as the engine does; can fail the first calls. */
class RecordingEngine implements Pick<WorkflowEngine, 'submit'> {
  readonly calls: { workflow: Workflow; options: SubmitOptions | undefined }[] = [];
  readonly byKey = new Map<string, Workflow>();
  failures: PlinthError[] = [];

  submit(workflow: Workflow, options?: SubmitOptions): Promise<Workflow> {
    this.calls.push({ workflow, options });
    const failure = this.failures.shift();
    if (failure) return Promise.reject(failure);
    const key = options?.idempotencyKey;
    const existing = key === undefined ? undefined : this.byKey.get(key);
    if (existing) return Promise.resolve(existing);
    const created: Workflow = {
      ...workflow,
      metadata: {
        ...workflow.metadata,
        name: `${workflow.metadata.generateName ?? ''}${this.byKey.size + 1}`,
        labels: { ...workflow.metadata.labels, ...options?.labels },
      },
    };
    if (key !== undefined) this.byKey.set(key, created);
    return Promise.resolve(created);
  }
}

const logger = pino({ level: 'silent' });

describe('sensor controller', () => {
  let dir: string;
  let bus: EmbeddedEventBus;
  let engine: RecordingEngine;
  let decisions: SensorDecision[];
  let controller: SensorController;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'plinth-sensors-'));
    bus = await EmbeddedEventBus.create({ dir, logger, syncMode: 'normal' });
    engine = new RecordingEngine();
    decisions = [];
    controller = createSensorController({
      bus,
      workflows: engine,
      logger,
      onDecision: (d) => {
        decisions.push(d);
      },
      now: () => 1717236000000,
    });
  });

  afterEach(async () => {
    await controller.stop();
    await bus.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('submits the resolved Workflow once per matching event, then acknowledges it', async () => {
    await controller.start([parseSensor(fixture('compute-provision-sensor.yaml'))]);
    await bus.publish(eventFixture('compute-event.json'));
    await bus.publish(eventFixture('storage-event.json'));
    await bus.drain?.();

    expect(engine.calls).toHaveLength(1);
    const [call] = engine.calls;
    expect(call?.workflow.spec.arguments?.parameters?.[0]).toEqual({
      name: 'region',
      value: 'westeurope',
    });
    expect(call?.options).toEqual({
      idempotencyKey: 'argo-events/compute-provision-sensor/terraform/3f8e0c52-1',
      labels: {
        'events.argoproj.io/sensor': 'compute-provision-sensor',
        'events.argoproj.io/trigger': 'terraform',
        'events.argoproj.io/action-timestamp': '1717236000000',
      },
    });
    expect(decisions.map((d) => [d.eventId, d.triggers[0]?.fired])).toEqual([
      ['3f8e0c52-1', true],
      ['other-1', false],
    ]);
    expect((decisions[0]?.triggers[0]?.resource as Workflow).metadata.name).toBe(
      'compute-provision-1',
    );
  });

  it('redelivers after a retryable failure and submits with the same idempotency key', async () => {
    engine.failures.push(new PlinthError('STORE_FAILURE', 'database is locked'));
    await controller.start([parseSensor(fixture('compute-provision-sensor.yaml'))]);
    await bus.publish(eventFixture('compute-event.json'));
    await bus.drain?.();

    expect(engine.calls).toHaveLength(2);
    expect(engine.calls[0]?.options?.idempotencyKey).toBe(engine.calls[1]?.options?.idempotencyKey);
    expect(decisions.map((d) => d.triggers[0])).toMatchObject([
      { fired: false, code: 'STORE_FAILURE', error: 'database is locked' },
      { fired: true },
    ]);
  });

  it('acknowledges and records a trigger that fails for good, without submitting', async () => {
    engine.failures.push(new PlinthError('INVALID_MANIFEST', 'template "x" not found'));
    await controller.start([parseSensor(fixture('compute-provision-sensor.yaml'))]);
    await bus.publish(webhookEvent('no-body', 'webhook', 'compute', {}));
    await bus.publish(eventFixture('compute-event.json'));
    await bus.drain?.();

    expect(engine.calls).toHaveLength(1);
    expect(decisions.map((d) => d.triggers[0])).toMatchObject([
      { fired: false, code: 'INVALID_INPUT' },
      { fired: false, code: 'INVALID_MANIFEST', error: 'template "x" not found' },
    ]);
  });

  it('fires a two-dependency sensor once both events arrived, and drops a duplicate event', async () => {
    await controller.start([parseSensor(fixture('release-sensor.yaml'))]);
    const build = webhookEvent('b1', 'ci', 'build', { version: '2.0.0', app: 'shop', replicas: 2 });
    await bus.publish(build);
    await bus.publish(build);
    await bus.publish(
      webhookEvent('a1', 'webhook', 'approvals', { approver: 'grace' }, { 'X-Request-Id': ['r9'] }),
    );
    await bus.drain?.();

    expect(engine.calls).toHaveLength(1);
    expect(engine.calls[0]?.options?.idempotencyKey).toBe('plinth/release/deploy/b1+a1');
    expect(engine.calls[0]?.workflow.metadata.labels).toEqual({ 'plinth.dev/request-id': 'r9' });
    expect(decisions.map((d) => [d.eventId, d.triggers[0]?.fired, d.triggers[0]?.reason])).toEqual([
      ['b1', false, 'waiting for dependencies: approved'],
      ['a1', true, undefined],
    ]);
  });

  it('resumes its durable consumer after a restart, and stops delivering once stopped', async () => {
    const sensor = parseSensor(fixture('compute-provision-sensor.yaml'));
    await controller.start([sensor]);
    await bus.publish(eventFixture('compute-event.json'));
    await bus.drain?.();
    await controller.stop();

    await bus.publish(eventFixture('compute-event-data.json'));
    expect(engine.calls).toHaveLength(1);

    await controller.start([sensor]);
    await bus.drain?.();
    expect(engine.calls.map((c) => c.options?.idempotencyKey)).toEqual([
      'argo-events/compute-provision-sensor/terraform/3f8e0c52-1',
      'argo-events/compute-provision-sensor/terraform/3f8e0c52-2',
    ]);
  });
});
