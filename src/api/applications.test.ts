import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createPlatform,
  loadSecretKey,
  type Dispatcher,
  type Platform,
} from '../platform/index.js';
import { createSqliteStore, type Store } from '../store/index.js';
import { createWorkflowEngine, type WorkflowEngine } from '../workflows/index.js';
import { buildApi } from './app.js';

const SECRET = 's3cr3t-value-that-must-not-leak';

class RecordingDispatcher implements Dispatcher {
  readonly sent: { eventName: string; body: Record<string, unknown> }[] = [];
  async dispatch(eventName: string, body: Record<string, unknown>): Promise<void> {
    this.sent.push({ eventName, body });
  }
}

describe('applications and configuration API', () => {
  let store: Store;
  let platform: Platform;
  let app: FastifyInstance;
  let admin: string;
  let dev: string;
  let other: string;
  let logText: string;
  let dispatcher: RecordingDispatcher;
  let dir: string;
  let engine: WorkflowEngine;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'plinth-api-apps-'));
    store = await createSqliteStore({ filename: ':memory:' });
    dispatcher = new RecordingDispatcher();
    logText = '';
    const logger = pino(
      { level: 'debug' },
      new Writable({
        write(chunk: Buffer, _enc, done) {
          logText += chunk.toString();
          done();
        },
      }),
    );
    engine = createWorkflowEngine({ store, logger, dataDir: dir });
    platform = createPlatform({
      store,
      engine,
      dispatcher,
      logger,
      secretKey: loadSecretKey({ dataDir: dir }),
    });
    admin = (await platform.auth.ensureAdminToken()) ?? '';
    dev = (await platform.auth.createToken({ name: 'dana', role: 'developer', team: 'payments' }))
      .secret;
    other = (await platform.auth.createToken({ name: 'olaf', role: 'developer', team: 'search' }))
      .secret;
    app = buildApi({ platform, logger, version: '1.2.3' });
    const now = new Date().toISOString();
    await store.environments.insert({
      name: 'dev1',
      team: 'payments',
      status: 'Ready',
      inputs: { region: 'eastus2' },
      outputs: {},
      lastRequestId: null,
      message: null,
      createdBy: 'dana',
      createdAt: now,
      updatedAt: now,
    });
  });
  afterEach(async () => {
    await app.close();
    await platform.stop();
    await engine.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const as = (token: string) => ({ authorization: `Bearer ${token}` });
  const deploy = (token: string, body: Record<string, unknown>) =>
    app.inject({ method: 'POST', url: '/api/v1/applications', headers: as(token), payload: body });
  const base = '/api/v1/environments/dev1/applications/web';
  const web = {
    environment: 'dev1',
    name: 'web',
    image: 'ghcr.io/acme/web:1.0.0',
    version: '1.0.0',
  };

  it('deploys: 202 with Location, dispatched to /applications, readable as Pending', async () => {
    const res = await deploy(dev, { ...web, replicas: 3, port: 9000 });
    expect(res.statusCode).toBe(202);
    const body = res.json<{ id: string; links: { target: string } }>();
    expect(res.headers.location).toBe(`/api/v1/requests/${body.id}`);
    expect(body.links.target).toBe(base);
    expect(dispatcher.sent).toEqual([
      {
        eventName: 'applications',
        body: expect.objectContaining({
          action: 'deploy',
          environment: 'dev1',
          name: 'web',
          image: 'ghcr.io/acme/web:1.0.0',
          replicas: '3',
          port: '9000',
          config_version: '',
          request_id: body.id,
        }),
      },
    ]);
    const got = await app.inject({ method: 'GET', url: base, headers: as(dev) });
    expect(got.json()).toMatchObject({
      name: 'web',
      environment: 'dev1',
      version: '1.0.0',
      status: 'Pending',
      revision: null,
      replicas: 3,
      port: 9000,
      history: [expect.objectContaining({ id: body.id, action: 'deploy' })],
    });
    const list = await app.inject({
      method: 'GET',
      url: '/api/v1/environments/dev1/applications',
      headers: as(dev),
    });
    expect(list.json<{ items: { name: string }[] }>().items.map((a) => a.name)).toEqual(['web']);
    const audit = await store.audit.list({ action: 'applications.create' });
    expect(audit.items[0]).toMatchObject({
      actor: 'dana',
      target: 'environments/dev1/applications/web',
      outcome: 'succeeded',
    });
  });

  it('refuses bad bodies (400 naming fields), other teams (403), missing and unready environments', async () => {
    const bad = await deploy(dev, { environment: 'dev1', name: 'Web!', image: 'x', colour: 'b' });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/);
    const fields = bad.json<{ errors: { field: string }[] }>().errors.map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['colour', 'version']));
    const forbidden = await deploy(other, web);
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json()).toMatchObject({ details: { permission: 'applications:write' } });
    expect((await deploy(dev, { ...web, environment: 'nope' })).statusCode).toBe(404);
    await store.environments.update('dev1', { status: 'Provisioning' });
    const notReady = await deploy(dev, web);
    expect(notReady.statusCode).toBe(409);
    expect(notReady.json<{ detail: string }>().detail).toMatch(/Provisioning, not Ready/);
    expect(dispatcher.sent).toEqual([]);
  });

  it('keeps configuration versions; secrets are write-only and never leave', async () => {
    const put = (payload: Record<string, unknown>, token = dev) =>
      app.inject({ method: 'PUT', url: `${base}/configuration`, headers: as(token), payload });
    const v1 = await put({
      values: { LOG_LEVEL: 'info', PORT: 8080 },
      secrets: { API_KEY: SECRET },
    });
    expect(v1.statusCode).toBe(201);
    expect(v1.json()).toMatchObject({
      configuration: {
        version: 1,
        values: { LOG_LEVEL: 'info', PORT: '8080' },
        secrets: ['API_KEY'],
      },
      request: null,
    });
    expect((await deploy(dev, web)).statusCode).toBe(202);
    const v2 = await put({
      values: { LOG_LEVEL: 'debug', PORT: null },
      secrets: { API_KEY: `${SECRET}!` },
    });
    expect(v2.statusCode).toBe(202);
    const change = v2.json<{ configuration: { version: number }; request: { id: string } }>();
    expect(change.configuration.version).toBe(2);
    expect(v2.headers.location).toBe(`/api/v1/requests/${change.request.id}`);
    expect(dispatcher.sent.at(-1)).toMatchObject({
      eventName: 'configuration',
      body: { action: 'configure', config_version: '2', version: '1.0.0' },
    });
    const current = await app.inject({
      method: 'GET',
      url: `${base}/configuration`,
      headers: as(dev),
    });
    expect(current.json()).toMatchObject({
      version: 2,
      values: { LOG_LEVEL: 'debug' },
      secrets: ['API_KEY'],
    });
    const old = await app.inject({
      method: 'GET',
      url: `${base}/configuration?version=1`,
      headers: as(dev),
    });
    expect(old.json()).toMatchObject({ version: 1, values: { PORT: '8080' } });
    const versions = await app.inject({
      method: 'GET',
      url: `${base}/configuration/versions`,
      headers: as(dev),
    });
    expect(versions.json<{ items: { version: number }[] }>().items.map((v) => v.version)).toEqual([
      1, 2,
    ]);
    const diff = await app.inject({
      method: 'GET',
      url: `${base}/configuration/diff?from=1&to=2`,
      headers: as(dev),
    });
    expect(diff.json()).toMatchObject({
      values: {
        added: {},
        removed: { PORT: '8080' },
        changed: { LOG_LEVEL: { from: 'info', to: 'debug' } },
      },
      secrets: { added: [], removed: [], changed: ['API_KEY'] },
    });
    const back = await app.inject({
      method: 'POST',
      url: `${base}/configuration/rollback`,
      headers: as(dev),
      payload: { version: 1 },
    });
    expect(back.statusCode).toBe(202);
    expect(back.json()).toMatchObject({ configuration: { version: 3, values: { PORT: '8080' } } });
    const same = await app.inject({
      method: 'GET',
      url: `${base}/configuration/diff?from=1&to=3`,
      headers: as(dev),
    });
    expect(same.json()).toMatchObject({ secrets: { added: [], removed: [], changed: [] } });
    expect((await put({ values: { K: 'v' } }, other)).statusCode).toBe(403);
    const invalid = await put({ values: { 'bad key': 'v' }, secrets: { S: { nested: SECRET } } });
    expect(invalid.statusCode).toBe(400);

    // Nowhere outside the sealed column: answers, logs, audit, dispatched events, requests.
    const everything = [
      v1.body,
      v2.body,
      current.body,
      diff.body,
      back.body,
      invalid.body,
      logText,
      JSON.stringify(await store.audit.list({ limit: 1000 })),
      JSON.stringify(dispatcher.sent),
      JSON.stringify(await store.requests.list({ limit: 1000 })),
      JSON.stringify(await store.applications.configVersions('dev1', 'web')),
    ].join('\n');
    expect(everything).not.toContain(SECRET);
  });

  it('lists history and rolls back to an earlier version', async () => {
    await deploy(dev, web);
    await deploy(dev, { ...web, image: 'ghcr.io/acme/web:2.0.0', version: '2.0.0', replicas: 2 });
    const res = await app.inject({
      method: 'POST',
      url: `${base}/rollback`,
      headers: as(dev),
      payload: { version: '1.0.0' },
    });
    expect(res.statusCode).toBe(202);
    expect(dispatcher.sent.at(-1)?.body).toMatchObject({
      action: 'rollback',
      version: '1.0.0',
      image: 'ghcr.io/acme/web:1.0.0',
      replicas: '1',
    });
    const history = await app.inject({ method: 'GET', url: `${base}/history`, headers: as(dev) });
    expect(history.json<{ items: { version: string }[] }>().items.map((d) => d.version)).toEqual([
      '1.0.0',
      '2.0.0',
      '1.0.0',
    ]);
    const unknown = await app.inject({
      method: 'POST',
      url: `${base}/rollback`,
      headers: as(dev),
      payload: { version: '0.1' },
    });
    expect(unknown.statusCode).toBe(404);
    const missing = await app.inject({
      method: 'GET',
      url: '/api/v1/environments/dev1/applications/nope',
      headers: as(admin),
    });
    expect(missing.statusCode).toBe(404);
  });
});
