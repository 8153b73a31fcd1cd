import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmbeddedEventBus, type CloudEventJson } from '../eventbus/index.js';
import { isPlinthError } from '../errors/index.js';
import { createSensorController, parseSensor, type SensorController } from '../sensors/index.js';
import { createSqliteStore, type Store } from '../store/index.js';
import { createWorkflowEngine, type WorkflowEngine } from '../workflows/index.js';
import { createEventRecorder, type EventRecorder } from './events.js';
import { createPlatform, type Platform } from './platform.js';
import type { Dispatcher, Principal } from './types.js';

const logger = pino({ level: 'silent' });
const alice: Principal = { tokenId: 't1', name: 'alice', role: 'developer', team: 'payments' };
const root: Principal = { tokenId: 't0', name: 'root', role: 'admin', team: null };
const viewer: Principal = { tokenId: 't2', name: 'vic', role: 'viewer', team: null };
const noDispatch: Dispatcher = { dispatch: async () => undefined };

const greeter = parseSensor(
  readFileSync(new URL('./testdata/greeter-sensor.yaml', import.meta.url), 'utf8'),
);

function webhookEvent(
  id: string,
  subject: string,
  body: unknown,
  header: Record<string, string[]> = {},
): CloudEventJson {
  return {
    specversion: '1.0',
    id,
    source: 'webhook',
    subject,
    type: 'webhook',
    time: '2026-03-01T10:00:00Z',
    datacontenttype: 'application/json',
    data: { header, body, metadata: {} },
  };
}

/** The same event as Argo's Go SDK writes it: the payload as `data_base64`. */
function base64Event(id: string, subject: string, body: unknown): CloudEventJson {
  const { data, ...rest } = webhookEvent(id, subject, body);
  return { ...rest, data_base64: Buffer.from(JSON.stringify(data)).toString('base64') };
}

describe('event log', () => {
  let dir: string;
  let store: Store;
  let bus: EmbeddedEventBus;
  let engine: WorkflowEngine;
  let platform: Platform;
  let recorder: EventRecorder;
  let sensors: SensorController;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'plinth-events-'));
    store = await createSqliteStore({ filename: join(dir, 'plinth.db') });
    bus = await EmbeddedEventBus.create({ dir: join(dir, 'eventbus'), logger });
    engine = createWorkflowEngine({ store, logger, dataDir: dir });
    platform = createPlatform({ store, engine, dispatcher: noDispatch, logger, bus });
    recorder = createEventRecorder({ bus, store, logger });
    sensors = createSensorController({
      bus,
      workflows: engine,
      logger,
      onDecision: (d) => platform.events.recordDecision(d),
    });
  });
  afterEach(async () => {
    await sensors.stop();
    await recorder.stop();
    await engine.stop();
    await bus.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("keeps every event with each sensor's decision: what matched, what fired and what it created", async () => {
    await recorder.start();
    await sensors.start([greeter]);
    await bus.publish(
      webhookEvent('e-match', 'greetings', { who: 'ada' }, { Authorization: ['Bearer s3cret'] }),
    );
    await bus.publish(base64Event('e-other', 'farewells', { who: 'bob' }));
    await bus.drain();

    const page = await platform.events.list();
    expect(page.items.map((e) => e.id).sort()).toEqual(['e-match', 'e-other']);

    const matched = await platform.events.get('e-match');
    expect(matched).toMatchObject({
      source: 'webhook',
      subject: 'greetings',
      type: 'webhook',
      time: '2026-03-01T10:00:00Z',
      replayOf: null,
      datacontenttype: 'application/json',
      data: { body: { who: 'ada' }, header: { Authorization: ['*** Masked Auth Secret ***'] } },
    });
    expect(JSON.stringify(matched)).not.toContain('s3cret');
    expect(matched.decisions).toHaveLength(1);
    const [decision] = matched.decisions;
    expect(decision?.sensor).toBe('argo-events/greeter');
    expect(decision?.dependencies).toEqual([{ name: 'greeting', matched: true }]);
    const trigger = decision?.triggers[0];
    expect(trigger).toMatchObject({ name: 'greet', fired: true, events: { greeting: 'e-match' } });
    expect(trigger?.created?.kind).toBe('Workflow');
    const workflow = await engine.get('argo-events', trigger?.created?.name ?? '');
    expect(workflow?.spec.arguments?.parameters?.[0]).toEqual({ name: 'who', value: 'ada' });
    expect((trigger?.resource as { metadata?: { name?: string } }).metadata?.name).toBe(
      trigger?.created?.name,
    );

    const other = await platform.events.get('e-other');
    expect(other.data).toEqual({ header: {}, body: { who: 'bob' }, metadata: {} });
    expect(other.decisions[0]?.dependencies[0]).toMatchObject({
      name: 'greeting',
      matched: false,
      reason: expect.stringContaining('eventName "greetings"'),
    });
    expect(other.decisions[0]?.triggers[0]).toMatchObject({ name: 'greet', fired: false });

    const ids = async (filter: Parameters<Platform['events']['list']>[0]) =>
      (await platform.events.list(filter)).items.map((e) => e.id);
    expect(await ids({ fired: true })).toEqual(['e-match']);
    expect(await ids({ fired: false })).toEqual(['e-other']);
    expect(await ids({ sensor: 'greeter', subject: 'farewells' })).toEqual(['e-other']);
    expect(await ids({ sensor: 'someone-else' })).toEqual([]);
    // Lists name what a trigger created but leave the resource itself to `get`.
    const listed = (await platform.events.list({ fired: true })).items[0];
    expect(listed?.decisions[0]?.triggers[0]?.created?.name).toBe(trigger?.created?.name);
    expect(listed?.decisions[0]?.triggers[0]).not.toHaveProperty('resource');
  });

  it('keeps events published before it started, once each, and resumes after a stop', async () => {
    await bus.publish(webhookEvent('early', 'greetings', { who: 'a' }));
    await recorder.start();
    await bus.publish(webhookEvent('early', 'greetings', { who: 'again' }));
    await bus.drain();
    await recorder.stop();
    await bus.publish(webhookEvent('while-down', 'greetings', { who: 'b' }));
    await recorder.start();
    await bus.drain();
    const page = await platform.events.list();
    expect(page.items.map((e) => e.id).sort()).toEqual(['early', 'while-down']);
    expect((await platform.events.get('early')).data).toMatchObject({ body: { who: 'a' } });
  });

  it('replays a stored event as a new event, recording new decisions beside the old ones', async () => {
    await recorder.start();
    await sensors.start([greeter]);
    await bus.publish(webhookEvent('orig', 'greetings', { who: 'ada' }));
    await bus.drain();

    const accepted = await platform.events.replay('orig', root);
    expect(accepted.id).not.toBe('orig');
    expect(accepted.id).toMatch(/^[0-9a-f]{32}$/);
    expect(accepted).toMatchObject({
      replayOf: 'orig',
      links: { self: `/api/v1/events/${accepted.id}`, original: '/api/v1/events/orig' },
    });
    // Readable at once, before the consumers have caught up.
    expect((await platform.events.get(accepted.id)).replayOf).toBe('orig');
    await bus.drain();

    const replayed = await platform.events.get(accepted.id);
    expect(replayed).toMatchObject({
      source: 'webhook',
      subject: 'greetings',
      replayOf: 'orig',
      data: { body: { who: 'ada' } },
    });
    const original = await platform.events.get('orig');
    expect(original.decisions).toHaveLength(1);
    expect(replayed.decisions).toHaveLength(1);
    const first = original.decisions[0]?.triggers[0]?.created?.name;
    const second = replayed.decisions[0]?.triggers[0]?.created?.name;
    expect(replayed.decisions[0]?.triggers[0]?.fired).toBe(true);
    expect(second).toBeDefined();
    expect(second).not.toBe(first);
    expect(await engine.list({ namespace: 'argo-events' })).toHaveLength(2);
  });

  it('refuses a replay to a viewer and a developer, of an unknown event, and without a bus', async () => {
    await platform.events.record(webhookEvent('kept', 'greetings', { who: 'x' }));
    const forbidden = await platform.events.replay('kept', viewer).catch((e: unknown) => e);
    expect(isPlinthError(forbidden, 'FORBIDDEN')).toBe(true);
    const developer = await platform.events.replay('kept', alice).catch((e: unknown) => e);
    expect(isPlinthError(developer, 'FORBIDDEN')).toBe(true);
    const missing = await platform.events.replay('nope', root).catch((e: unknown) => e);
    expect(isPlinthError(missing, 'NOT_FOUND')).toBe(true);
    const notFound = await platform.events.get('nope').catch((e: unknown) => e);
    expect(isPlinthError(notFound, 'NOT_FOUND')).toBe(true);

    const busless = createPlatform({ store, engine, dispatcher: noDispatch, logger });
    const unavailable = await busless.events.replay('kept', root).catch((e: unknown) => e);
    expect(isPlinthError(unavailable, 'UNAVAILABLE')).toBe(true);
  });
});
