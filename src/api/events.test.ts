import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmbeddedEventBus, type CloudEventJson } from '../eventbus/index.js';
import {
  createEventRecorder,
  createPlatform,
  type EventRecorder,
  type Platform,
} from '../platform/index.js';
import { createSensorController, parseSensor, type SensorController } from '../sensors/index.js';
import { createSqliteStore, type Store } from '../store/index.js';
import { createWorkflowEngine, type WorkflowEngine } from '../workflows/index.js';
import { buildApi } from './app.js';

const logger = pino({ level: 'silent' });
const sensorYaml = readFileSync(new URL('./testdata/hello-sensor.yaml', import.meta.url), 'utf8');

function webhookEvent(id: string, subject: string, body: unknown): CloudEventJson {
  return {
    specversion: '1.0',
    id,
    source: 'webhook',
    subject,
    type: 'webhook',
    time: '2026-03-01T10:00:00Z',
    datacontenttype: 'application/json',
    data: { header: { 'Content-Type': ['application/json'] }, body, metadata: {} },
  };
}

interface DecisionJson {
  sensor: string;
  dependencies: { name: string; matched: boolean; reason?: string }[];
  triggers: {
    name: string;
    fired: boolean;
    created?: { kind: string; name: string };
    resource?: unknown;
  }[];
  decidedAt: string;
}
interface EventJson {
  id: string;
  source: string;
  subject: string;
  receivedAt: string;
  replayOf: string | null;
  decisions: DecisionJson[];
  data?: unknown;
}

describe('api: events', () => {
  let dir: string;
  let store: Store;
  let bus: EmbeddedEventBus;
  let engine: WorkflowEngine;
  let platform: Platform;
  let recorder: EventRecorder;
  let sensors: SensorController;
  let app: FastifyInstance;
  let admin: string;
  let viewer: string;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'plinth-api-events-'));
    store = await createSqliteStore({ filename: join(dir, 'plinth.db') });
    bus = await EmbeddedEventBus.create({ dir: join(dir, 'eventbus'), logger });
    engine = createWorkflowEngine({ store, logger, dataDir: dir });
    platform = createPlatform({
      store,
      engine,
      dispatcher: { dispatch: async () => undefined },
      logger,
      bus,
    });
    recorder = createEventRecorder({ bus, store, logger });
    sensors = createSensorController({
      bus,
      workflows: engine,
      logger,
      onDecision: (d) => platform.events.recordDecision(d),
    });
    await recorder.start();
    await sensors.start([parseSensor(sensorYaml)]);
    admin = (await platform.auth.ensureAdminToken()) ?? '';
    viewer = (await platform.auth.createToken({ name: 'vic', role: 'viewer' })).secret;
    app = buildApi({ platform, logger });
  });
  afterEach(async () => {
    await app.close();
    await sensors.stop();
    await recorder.stop();
    await engine.stop();
    await bus.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const as = (token: string) => ({ authorization: `Bearer ${token}` });

  async function publish(...events: CloudEventJson[]): Promise<void> {
    for (const e of events) await bus.publish(e);
    await bus.drain();
  }

  it('lists events newest first with their decisions, filtered, to any role', async () => {
    await publish(
      webhookEvent('e1', 'hello', { who: 'ada' }),
      webhookEvent('e2', 'other', { who: 'bob' }),
    );
    const res = await app.inject({ url: '/api/v1/events', headers: as(viewer) });
    expect(res.statusCode).toBe(200);
    const page = res.json<{ items: EventJson[] }>();
    expect(page.items.map((e) => e.id).sort()).toEqual(['e1', 'e2']);
    const e1 = page.items.find((e) => e.id === 'e1');
    expect(e1).toMatchObject({ source: 'webhook', subject: 'hello', replayOf: null });
    expect(e1).not.toHaveProperty('data');
    expect(e1?.decisions).toEqual([
      {
        sensor: 'argo-events/hello',
        dependencies: [{ name: 'hello', matched: true }],
        triggers: [
          {
            name: 'say-hello',
            fired: true,
            created: { kind: 'Workflow', namespace: 'argo-events', name: expect.any(String) },
            events: { hello: 'e1' },
          },
        ],
        decidedAt: expect.any(String),
      },
    ]);

    const ids = async (query: string) =>
      (await app.inject({ url: `/api/v1/events?${query}`, headers: as(viewer) }))
        .json<{ items: EventJson[] }>()
        .items.map((e) => e.id);
    expect(await ids('fired=true')).toEqual(['e1']);
    expect(await ids('fired=false')).toEqual(['e2']);
    expect(await ids('sensor=hello&subject=other')).toEqual(['e2']);
    expect(await ids('source=github')).toEqual([]);
    expect(await ids('since=2000-01-01T00:00:00Z&until=2100-01-01T00:00:00%2B02:00')).toHaveLength(
      2,
    );
    expect(await ids('until=2000-01-01T00:00:00Z')).toEqual([]);

    const first = await app.inject({ url: '/api/v1/events?limit=1', headers: as(viewer) });
    const cursor = first.json<{ nextCursor?: string }>().nextCursor;
    expect(cursor).toBeDefined();
    const second = await app.inject({
      url: `/api/v1/events?limit=1&cursor=${cursor}`,
      headers: as(viewer),
    });
    expect([
      ...first.json<{ items: EventJson[] }>().items,
      ...second.json<{ items: EventJson[] }>().items,
    ]).toHaveLength(2);
  });

  it('refuses bad filters with problem+json naming the field', async () => {
    for (const query of ['fired=maybe', 'since=yesterday', 'colour=blue', 'cursor=forged']) {
      const res = await app.inject({ url: `/api/v1/events?${query}`, headers: as(admin) });
      expect(res.statusCode, query).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json<{ code: string }>().code).toBe('INVALID_INPUT');
    }
    const unauthenticated = await app.inject({ url: '/api/v1/events' });
    expect(unauthenticated.statusCode).toBe(401);
  });

  it('gets one event with its payload and every decision in full; 404 for an unknown one', async () => {
    await publish(webhookEvent('e1', 'hello', { who: 'ada' }));
    const res = await app.inject({ url: '/api/v1/events/e1', headers: as(viewer) });
    expect(res.statusCode).toBe(200);
    const event = res.json<EventJson & { datacontenttype: string }>();
    expect(event.datacontenttype).toBe('application/json');
    expect(event.data).toEqual({
      header: { 'Content-Type': ['application/json'] },
      body: { who: 'ada' },
      metadata: {},
    });
    const trigger = event.decisions[0]?.triggers[0];
    expect(trigger?.resource).toMatchObject({
      kind: 'Workflow',
      metadata: { name: trigger?.created?.name },
      spec: { arguments: { parameters: [{ name: 'who', value: 'ada' }] } },
    });

    const missing = await app.inject({ url: '/api/v1/events/nope', headers: as(viewer) });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(missing.json()).toMatchObject({ code: 'NOT_FOUND', instance: '/api/v1/events/nope' });
  });

  it('replays an event: 202 with the new id, decided afresh; not for a viewer', async () => {
    await publish(webhookEvent('e1', 'hello', { who: 'ada' }));
    const forbidden = await app.inject({
      method: 'POST',
      url: '/api/v1/events/e1/replay',
      headers: as(viewer),
    });
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json()).toMatchObject({ code: 'FORBIDDEN' });
    const missing = await app.inject({
      method: 'POST',
      url: '/api/v1/events/nope/replay',
      headers: as(admin),
    });
    expect(missing.statusCode).toBe(404);

    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/events/e1/replay',
      headers: as(admin),
    });
    expect(res.statusCode).toBe(202);
    const body = res.json<{ id: string; replayOf: string }>();
    expect(body.replayOf).toBe('e1');
    expect(body.id).not.toBe('e1');
    expect(res.headers.location).toBe(`/api/v1/events/${body.id}`);
    await bus.drain();

    const replayed = (
      await app.inject({ url: `/api/v1/events/${body.id}`, headers: as(viewer) })
    ).json<EventJson>();
    expect(replayed.replayOf).toBe('e1');
    expect(replayed.decisions[0]?.triggers[0]?.fired).toBe(true);
    const original = (
      await app.inject({ url: '/api/v1/events/e1', headers: as(viewer) })
    ).json<EventJson>();
    expect(original.decisions).toHaveLength(1);
    expect(replayed.decisions[0]?.triggers[0]?.created?.name).not.toBe(
      original.decisions[0]?.triggers[0]?.created?.name,
    );
  });

  it('documents the event routes in OpenAPI', async () => {
    const doc = (await app.inject({ url: '/openapi.json' })).json<{
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    }>();
    expect(Object.keys(doc.paths['/api/v1/events'] ?? {})).toEqual(['get']);
    expect(Object.keys(doc.paths['/api/v1/events/{id}'] ?? {})).toEqual(['get']);
    expect(Object.keys(doc.paths['/api/v1/events/{id}/replay']?.post?.responses ?? {})).toContain(
      '202',
    );
  });
});
