import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPlatform, type Dispatcher, type Platform } from '../platform/index.js';
import { createSqliteStore, type EnvironmentRecord, type Store } from '../store/index.js';
import { createWorkflowEngine, type WorkflowEngine } from '../workflows/index.js';
import { buildApi } from './app.js';

class RecordingDispatcher implements Dispatcher {
  readonly sent: Record<string, unknown>[] = [];
  async dispatch(_eventName: string, body: Record<string, unknown>): Promise<void> {
    this.sent.push(body);
  }
}

describe('environments as a product through the API', () => {
  let store: Store;
  let platform: Platform;
  let app: FastifyInstance;
  let token: string;
  let dispatcher: RecordingDispatcher;
  let dir: string;
  let engine: WorkflowEngine;
  const now = new Date('2026-03-01T10:00:00Z');

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'plinth-api-envs-'));
    store = await createSqliteStore({ filename: ':memory:' });
    dispatcher = new RecordingDispatcher();
    const logger = pino({ level: 'silent' });
    engine = createWorkflowEngine({ store, logger, dataDir: dir });
    platform = createPlatform({ store, engine, dispatcher, logger, clock: () => now });
    token = (await platform.auth.ensureAdminToken()) ?? '';
    app = buildApi({ platform, logger });
  });
  afterEach(async () => {
    await app.close();
    await platform.stop();
    await engine.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const headers = () => ({ authorization: `Bearer ${token}` });
  const ready = (name: string, extra: Partial<EnvironmentRecord> = {}) =>
    store.environments.insert({
      name,
      team: 'payments',
      status: 'Ready',
      inputs: { region: 'eastus2', tier: 'staging' },
      outputs: {},
      lastRequestId: null,
      message: null,
      createdBy: 'root',
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      ...extra,
    });

  it('creates with a TTL and shows its expiry; refuses a TTL on production, naming the field', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/environments',
      headers: headers(),
      payload: { name: 'eph-1', region: 'eu', team: 'payments', ttl: '8h' },
    });
    expect(res.statusCode).toBe(202);
    const env = await app.inject({ url: '/api/v1/environments/eph-1', headers: headers() });
    expect(env.json()).toMatchObject({
      expiresAt: '2026-03-01T18:00:00.000Z',
      protected: false,
      drifted: false,
      drift: null,
      tier: 'development',
    });
    expect(dispatcher.sent[0]).toMatchObject({ action: 'create', approval_required: 'true' });

    const prod = await app.inject({
      method: 'POST',
      url: '/api/v1/environments',
      headers: headers(),
      payload: { name: 'prod-1', region: 'eu', team: 'payments', tier: 'production', ttl: '8h' },
    });
    expect(prod.statusCode).toBe(400);
    expect(prod.headers['content-type']).toMatch(/problem\+json/);
    expect(prod.json<{ errors: { field: string }[] }>().errors.map((e) => e.field)).toEqual([
      'ttl',
    ]);

    const badTtl = await app.inject({
      method: 'POST',
      url: '/api/v1/environments',
      headers: headers(),
      payload: { name: 'eph-2', region: 'eu', ttl: 'forever' },
    });
    expect(badTtl.statusCode).toBe(400);
  });

  it('PATCH: a new region runs an update (202), policy fields apply at once (200)', async () => {
    await ready('stage-1');
    const meta = await app.inject({
      method: 'PATCH',
      url: '/api/v1/environments/stage-1',
      headers: headers(),
      payload: { protected: true },
    });
    expect(meta.statusCode).toBe(200);
    expect(meta.json()).toMatchObject({ name: 'stage-1', protected: true, status: 'Ready' });
    expect(dispatcher.sent).toEqual([]);

    const moved = await app.inject({
      method: 'PATCH',
      url: '/api/v1/environments/stage-1',
      headers: headers(),
      payload: { region: 'westus' },
    });
    expect(moved.statusCode).toBe(202);
    expect(moved.headers.location).toBe(`/api/v1/requests/${moved.json<{ id: string }>().id}`);
    expect(moved.json()).toMatchObject({ action: 'update', target: 'stage-1' });
    expect(dispatcher.sent).toEqual([
      expect.objectContaining({
        action: 'update',
        name: 'stage-1',
        region: 'westus',
        team: 'payments',
        approval_required: 'true',
      }),
    ]);
    // The environment keeps the region of its last apply; the request holds the proposed one.
    const env = await app.inject({ url: '/api/v1/environments/stage-1', headers: headers() });
    expect(env.json()).toMatchObject({ status: 'Provisioning', region: 'eastus2' });
    const proposed = await app.inject({
      url: moved.headers.location as string,
      headers: headers(),
    });
    expect(proposed.json()).toMatchObject({
      action: 'update',
      inputs: { name: 'stage-1', region: 'westus', tier: 'staging', team: 'payments' },
    });

    const again = await app.inject({
      method: 'PATCH',
      url: '/api/v1/environments/stage-1',
      headers: headers(),
      payload: { region: 'northeu' },
    });
    expect(again.statusCode).toBe(409);
    expect(again.json<{ detail: string }>().detail).toMatch(/Provisioning/);

    const renamed = await app.inject({
      method: 'PATCH',
      url: '/api/v1/environments/stage-1',
      headers: headers(),
      payload: { name: 'other' },
    });
    expect(renamed.statusCode).toBe(400);
  });

  it('extends a TTL from its current expiry; a protected environment has none to extend (409)', async () => {
    await ready('eph-3', {
      inputs: { region: 'eu', tier: 'development' },
      expiresAt: '2026-03-01T12:00:00.000Z',
    });
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/environments/eph-3/extend',
      headers: headers(),
      payload: { ttl: '1d' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ expiresAt: '2026-03-02T12:00:00.000Z' });

    await ready('kept-1', { protected: true });
    const kept = await app.inject({
      method: 'POST',
      url: '/api/v1/environments/kept-1/extend',
      headers: headers(),
      payload: { ttl: '1d' },
    });
    expect(kept.statusCode).toBe(409);
    expect(kept.json<{ detail: string }>().detail).toMatch(/protected/);
  });

  it('reconcile runs a change with the current inputs; drift-check needs a Ready environment', async () => {
    await ready('stage-2');
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/environments/stage-2/reconcile',
      headers: headers(),
    });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ action: 'reconcile' });
    expect(dispatcher.sent).toEqual([
      expect.objectContaining({
        action: 'reconcile',
        region: 'eastus2',
        approval_required: 'true',
      }),
    ]);
    const busy = await app.inject({
      method: 'POST',
      url: '/api/v1/environments/stage-2/drift-check',
      headers: headers(),
    });
    expect(busy.statusCode).toBe(409);
    const missing = await app.inject({
      method: 'POST',
      url: '/api/v1/environments/nope/drift-check',
      headers: headers(),
    });
    expect(missing.statusCode).toBe(404);
  });

  it('lists runs by kind, requester and time, with a cursor', async () => {
    const put = async (name: string, requestId: string, requester: string, createdAt: string) => {
      await store.requests.insert({
        id: requestId,
        kind: 'environment',
        action: 'create',
        target: name,
        status: 'Running',
        requester,
        body: {},
        message: null,
        createdAt,
        updatedAt: createdAt,
      });
      const labels = {
        'plinth.dev/kind': 'environment',
        'plinth.dev/request-id': requestId,
        'plinth.dev/environment': name,
      };
      await store.workflows.insert({
        uid: `uid-${name}`,
        name,
        namespace: 'argo-events',
        labels,
        phase: 'Running',
        requestId,
        createdAt,
        finishedAt: null,
        manifest: { metadata: { name, labels }, spec: {} },
        status: { phase: 'Running' },
      });
    };
    await put('run-a', 'req-a', 'alice', '2026-03-01T08:00:00.000Z');
    await put('run-b', 'req-b', 'bob', '2026-03-01T09:00:00.000Z');
    await put('run-c', 'req-c', 'alice', '2026-03-01T10:00:00.000Z');
    const list = async (query: string) => {
      const res = await app.inject({ url: `/api/v1/runs?${query}`, headers: headers() });
      expect(res.statusCode, res.body).toBe(200);
      return res.json<{ items: { id: string }[]; nextCursor?: string }>();
    };
    expect((await list('requester=alice')).items.map((r) => r.id)).toEqual(['run-c', 'run-a']);
    expect(
      (await list('since=2026-03-01T08:30:00Z&until=2026-03-01T10:00:00Z')).items.map((r) => r.id),
    ).toEqual(['run-b']);
    expect((await list('kind=application')).items).toEqual([]);
    const first = await list('kind=environment&limit=2');
    expect(first.items.map((r) => r.id)).toEqual(['run-c', 'run-b']);
    const second = await list(`kind=environment&limit=2&cursor=${first.nextCursor ?? ''}`);
    expect(second.items.map((r) => r.id)).toEqual(['run-a']);
    const bad = await app.inject({ url: '/api/v1/runs?since=yesterday', headers: headers() });
    expect(bad.statusCode).toBe(400);
  });
});
