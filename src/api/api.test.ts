import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPlatform, type Dispatcher, type Platform } from '../platform/index.js';
import { createSqliteStore, type Store } from '../store/index.js';
import { createWorkflowEngine, type WorkflowEngine } from '../workflows/index.js';
import { buildApi } from './app.js';
import { seedRun } from './testdata/helpers.js';

class RecordingDispatcher implements Dispatcher {
  readonly sent: Record<string, unknown>[] = [];
  async dispatch(_eventName: string, body: Record<string, unknown>): Promise<void> {
    this.sent.push(body);
  }
}

describe('api', () => {
  let store: Store;
  let platform: Platform;
  let app: FastifyInstance;
  let token: string;
  let logText: string;
  let dispatcher: RecordingDispatcher;
  let dir: string;
  let engine: WorkflowEngine;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'plinth-api-'));
    store = await createSqliteStore({ filename: ':memory:' });
    dispatcher = new RecordingDispatcher();
    logText = '';
    const logger = pino(
      { level: 'info' },
      new Writable({
        write(chunk: Buffer, _enc, done) {
          logText += chunk.toString();
          done();
        },
      }),
    );
    engine = createWorkflowEngine({ store, logger, dataDir: dir });
    platform = createPlatform({ store, engine, dispatcher, logger });
    token = (await platform.auth.ensureAdminToken()) ?? '';
    app = buildApi({ platform, logger, version: '1.2.3' });
  });
  afterEach(async () => {
    await app.close();
    await platform.stop();
    await engine.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const auth = () => ({ authorization: `Bearer ${token}` });

  it('answers 401 problem+json without a token or with a bad one', async () => {
    for (const headers of [
      {},
      { authorization: 'Bearer plinth_nope' },
      { authorization: 'Basic x' },
    ]) {
      const res = await app.inject({ method: 'GET', url: '/api/v1/environments', headers });
      expect(res.statusCode).toBe(401);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(res.json()).toMatchObject({
        status: 401,
        code: 'UNAUTHENTICATED',
        title: 'Unauthenticated',
        instance: '/api/v1/environments',
      });
    }
  });

  it('creates an environment: 202, Location, and the request to follow', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/environments',
      headers: auth(),
      payload: { name: 'dev-1', region: 'eu' },
    });
    expect(res.statusCode).toBe(202);
    const body = res.json<{ id: string }>();
    expect(res.headers.location).toBe(`/api/v1/requests/${body.id}`);
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(body).toMatchObject({
      kind: 'environment',
      action: 'create',
      status: 'Pending',
      target: 'dev-1',
    });
    expect(dispatcher.sent).toEqual([
      expect.objectContaining({ action: 'create', name: 'dev-1', request_id: body.id }),
    ]);

    const request = await app.inject({ url: res.headers.location as string, headers: auth() });
    expect(request.json()).toMatchObject({ id: body.id, status: 'Pending', runs: [] });
    const env = await app.inject({ url: '/api/v1/environments/dev-1', headers: auth() });
    expect(env.json()).toMatchObject({
      name: 'dev-1',
      status: 'Provisioning',
      region: 'eu',
      outputs: {},
      lastRequestId: body.id,
      message: null,
    });
    const list = await app.inject({
      url: '/api/v1/environments?status=Provisioning',
      headers: auth(),
    });
    expect(list.json<{ items: { name: string }[] }>().items.map((e) => e.name)).toEqual(['dev-1']);

    const again = await app.inject({
      method: 'POST',
      url: '/api/v1/environments',
      headers: auth(),
      payload: { name: 'dev-1', region: 'eu' },
    });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'CONFLICT', status: 409 });

    const del = await app.inject({
      method: 'DELETE',
      url: '/api/v1/environments/dev-1',
      headers: auth(),
    });
    expect(del.statusCode).toBe(409);
    expect(del.json<{ detail: string }>().detail).toMatch(/Provisioning/);
  });

  it('answers 400 problem+json naming the field and the fix', async () => {
    const post = (payload: unknown) =>
      app.inject({
        method: 'POST',
        url: '/api/v1/environments',
        headers: auth(),
        payload: payload as object,
      });

    const badName = await post({ name: 'Bad_Name', region: 'eu' });
    expect(badName.statusCode).toBe(400);
    expect(badName.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(badName.json()).toMatchObject({
      code: 'INVALID_INPUT',
      status: 400,
      errors: [{ field: 'name', fix: expect.stringMatching(/lowercase/) }],
    });

    const missing = await post({ name: 'ok' });
    expect(missing.json<{ errors: unknown[] }>().errors).toEqual([
      { field: 'region', message: 'field is required', fix: 'add it' },
    ]);

    const unknown = await post({ name: 'ok', region: 'eu', size: 'xl' });
    expect(unknown.json<{ errors: unknown[] }>().errors).toEqual([
      {
        field: 'size',
        message: 'field is not known',
        fix: 'remove it, allowed fields are name, region, team, tier, ttl, protected',
      },
    ]);

    const wrongType = await post({ name: 'ok', region: 5 });
    expect(wrongType.json<{ errors: unknown[] }>().errors).toEqual([
      { field: 'region', message: 'must be a string', fix: 'give a JSON string' },
    ]);

    const notJson = await app.inject({
      method: 'POST',
      url: '/api/v1/environments',
      headers: { ...auth(), 'content-type': 'application/json' },
      payload: '{"name": ',
    });
    expect(notJson.statusCode).toBe(400);
    expect(notJson.json()).toMatchObject({ code: 'INVALID_INPUT' });

    const badQuery = await app.inject({
      url: '/api/v1/environments?status=Sleeping',
      headers: auth(),
    });
    expect(badQuery.statusCode).toBe(400);
    expect(badQuery.json<{ errors: { field: string }[] }>().errors[0]?.field).toBe('status');
    expect(dispatcher.sent).toEqual([]);
  });

  it('answers 404 problem+json for unknown environments, runs, requests and routes', async () => {
    for (const url of [
      '/api/v1/environments/nope',
      '/api/v1/runs/nope',
      '/api/v1/requests/nope',
      '/api/v1/nothing-here',
      '/nowhere',
    ]) {
      const res = await app.inject({ url, headers: auth() });
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json()).toMatchObject({ code: 'NOT_FOUND', status: 404, instance: url });
    }
  });

  it('shows runs and answers 409 NOT_WAITING to approving one that does not wait', async () => {
    await seedRun(store, {
      name: 'env-run-1',
      phase: 'Succeeded',
      labels: { 'plinth.dev/kind': 'environment', 'plinth.dev/environment': 'e1' },
      nodes: [
        { type: 'Pod', phase: 'Succeeded', displayName: 'validate', templateName: 'validate' },
      ],
    });
    const run = await app.inject({ url: '/api/v1/runs/env-run-1', headers: auth() });
    expect(run.statusCode).toBe(200);
    expect(run.json()).toMatchObject({
      id: 'env-run-1',
      phase: 'Succeeded',
      requestId: null,
      waitingForApproval: false,
      approval: null,
      nodes: [
        { displayName: 'validate', type: 'Pod', phase: 'Succeeded', templateName: 'validate' },
      ],
    });
    const list = await app.inject({ url: '/api/v1/runs?environment=e1', headers: auth() });
    expect(list.json<{ items: { id: string }[] }>().items.map((r) => r.id)).toEqual(['env-run-1']);

    const approve = await app.inject({
      method: 'POST',
      url: '/api/v1/runs/env-run-1/approve',
      headers: auth(),
      payload: { comment: 'looks good' },
    });
    expect(approve.statusCode).toBe(409);
    expect(approve.json()).toMatchObject({ code: 'NOT_WAITING', status: 409 });
    const reject = await app.inject({
      method: 'POST',
      url: '/api/v1/runs/nope/reject',
      headers: auth(),
    });
    expect(reject.statusCode).toBe(404);
  });

  it('refuses writes from a viewer with 403', async () => {
    const viewer = await platform.auth.createToken({ name: 'viewer', role: 'viewer' });
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/environments',
      headers: { authorization: `Bearer ${viewer.secret}` },
      payload: { name: 'dev-2', region: 'eu' },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('answers a generic 500 that leaks nothing', async () => {
    await store.close();
    const res = await app.inject({ url: '/api/v1/environments', headers: auth() });
    expect(res.statusCode).toBe(500);
    const body = res.json<{ detail: string; code: string; requestId: string }>();
    expect(body.code).toBe('INTERNAL');
    expect(body.detail).not.toMatch(/sqlite|database|closed|stack/i);
    expect(body.requestId).toBe(res.headers['x-request-id']);
    store = await createSqliteStore({ filename: ':memory:' });
  });

  it('serves health probes', async () => {
    expect((await app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect((await app.inject({ url: '/readyz' })).statusCode).toBe(200);
  });

  it('logs one line per write and refusal, never the bearer token, and no line for a read', async () => {
    await app.inject({ url: '/api/v1/environments', headers: auth() });
    expect(logText).not.toContain('request answered');
    await app.inject({
      method: 'POST',
      url: '/api/v1/environments',
      headers: auth(),
      payload: { name: 'Not A Name' },
    });
    const lines = logText
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l['msg'] === 'request answered');
    expect(lines).toEqual([
      expect.objectContaining({ method: 'POST', url: '/api/v1/environments', statusCode: 400 }),
    ]);
    expect(logText).not.toContain(token);
  });

  it('publishes a valid OpenAPI 3.1 document listing the routes', async () => {
    const res = await app.inject({ url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json<{
      openapi: string;
      info: { version: string };
      paths: Record<
        string,
        Record<string, { responses: Record<string, unknown>; security?: unknown }>
      >;
      components: { securitySchemes: Record<string, unknown> };
    }>();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.version).toBe('1.2.3');
    const operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(operations).toEqual(
      expect.arrayContaining([
        'POST /api/v1/environments',
        'GET /api/v1/environments',
        'GET /api/v1/environments/{name}',
        'DELETE /api/v1/environments/{name}',
        'GET /api/v1/requests/{id}',
        'GET /api/v1/runs',
        'GET /api/v1/runs/{id}',
        'GET /api/v1/runs/{id}/logs',
        'POST /api/v1/runs/{id}/approve',
        'POST /api/v1/runs/{id}/reject',
        'GET /healthz',
        'GET /readyz',
      ]),
    );
    expect(operations.some((o) => o.includes('/docs') || o.includes('openapi.json'))).toBe(false);
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        expect(Object.keys(op.responses).length, `${method} ${path}`).toBeGreaterThan(0);
        if (path.startsWith('/api/v1/')) expect(op.security).toEqual([{ bearer: [] }]);
      }
    }
    expect(doc.components.securitySchemes['bearer']).toMatchObject({
      type: 'http',
      scheme: 'bearer',
    });
    // Every $ref points at something the document defines.
    const text = JSON.stringify(doc);
    for (const [, ref] of text.matchAll(/"\$ref":"#\/([^"]+)"/g)) {
      const target = (ref ?? '')
        .split('/')
        .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], doc);
      expect(target, ref).toBeDefined();
    }
    const ui = await app.inject({ url: '/docs/' });
    expect(ui.statusCode).toBe(200);
    expect(ui.headers['content-type']).toMatch(/text\/html/);
  });
});
