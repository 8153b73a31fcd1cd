import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../catalog/index.js';
import { createPlatform, type Dispatcher, type Platform } from '../platform/index.js';
import { createSqliteStore, type Store } from '../store/index.js';
import { createWorkflowEngine, type WorkflowEngine } from '../workflows/index.js';
import { buildApi } from './app.js';

const catalogDir = fileURLToPath(new URL('../../catalog', import.meta.url));

class RecordingDispatcher implements Dispatcher {
  readonly sent: { eventName: string; body: Record<string, unknown> }[] = [];
  async dispatch(eventName: string, body: Record<string, unknown>): Promise<void> {
    this.sent.push({ eventName, body });
  }
}

const compute = {
  region: 'eastus2',
  cloud_provider: 'azure',
  resource_type: 'kubernetes',
  environment: 'dev',
  requester_name: 'Jim Musana',
  requester_email: 'musanajim@gmail.com',
};

describe('catalog and infrastructure routes', () => {
  let dir: string;
  let store: Store;
  let engine: WorkflowEngine;
  let platform: Platform;
  let app: FastifyInstance;
  let dispatcher: RecordingDispatcher;
  let headers: Record<string, string>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'plinth-api-infra-'));
    const logger = pino({ level: 'silent' });
    store = await createSqliteStore({ filename: ':memory:' });
    engine = createWorkflowEngine({ store, logger, dataDir: dir });
    dispatcher = new RecordingDispatcher();
    const { kinds } = await loadCatalog(catalogDir);
    platform = createPlatform({ store, engine, dispatcher, logger, kinds });
    headers = { authorization: `Bearer ${(await platform.auth.ensureAdminToken()) ?? ''}` };
    app = buildApi({ platform, logger });
  });
  afterAll(async () => {
    await app.close();
    await platform.stop();
    await engine.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists the kinds and answers one with its schema', async () => {
    const list = await app.inject({ method: 'GET', url: '/api/v1/catalog', headers });
    expect(list.statusCode).toBe(200);
    expect(list.json<{ items: { name: string; title: string }[] }>().items).toEqual([
      expect.objectContaining({
        name: 'application',
        approval: false,
        links: expect.objectContaining({ requests: '/api/v1/applications' }),
      }),
      expect.objectContaining({ name: 'compute', title: 'Compute', approval: true }),
      expect.objectContaining({
        name: 'configuration',
        links: expect.objectContaining({
          requests: '/api/v1/environments/{environment}/applications/{name}/configuration',
        }),
      }),
      expect.objectContaining({ name: 'database', title: 'Database' }),
      expect.objectContaining({
        name: 'environment',
        links: expect.objectContaining({ requests: '/api/v1/environments' }),
      }),
      expect.objectContaining({ name: 'storage', title: 'Storage' }),
    ]);
    const one = await app.inject({ method: 'GET', url: '/api/v1/catalog/compute', headers });
    expect(one.statusCode).toBe(200);
    expect(one.json()).toMatchObject({
      name: 'compute',
      schema: { type: 'object', required: expect.arrayContaining(['cloud_provider']) },
      runs: { workflowTemplate: 'compute', module: 'compute', eventName: 'compute' },
      links: { requests: '/api/v1/infrastructure/compute' },
    });
    const missing = await app.inject({ method: 'GET', url: '/api/v1/catalog/queue', headers });
    expect(missing.statusCode).toBe(404);
    expect(missing.json<{ detail: string }>().detail).toMatch(
      /application, compute, configuration, database, environment, storage/,
    );
  });

  it('refuses a body against the kind schema with problem+json naming the fields', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/infrastructure/compute',
      headers,
      payload: { ...compute, cloud_provider: 'ibm', requester_email: 'nobody', colour: 'red' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const problem = res.json<{ code: string; errors: { field: string; fix?: string }[] }>();
    expect(problem.code).toBe('INVALID_INPUT');
    expect(problem.errors.map((e) => e.field).sort()).toEqual(
      ['cloud_provider', 'colour', 'requester_email'].sort(),
    );
    for (const e of problem.errors) expect(e.fix).toEqual(expect.any(String));
    const unknown = await app.inject({
      method: 'POST',
      url: '/api/v1/infrastructure/queue',
      headers,
      payload: {},
    });
    expect(unknown.statusCode).toBe(404);
    expect(dispatcher.sent).toEqual([]);
  });

  it('accepts a request: 202 with Location, dispatched to the kind event with request_id', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/infrastructure/storage',
      headers,
      payload: { region: 'westeurope', cloud_provider: 'aws', environment: 'dev', bucket: 'logs' },
    });
    expect(res.statusCode).toBe(202);
    const body = res.json<{ id: string; target: string; links: { target: string } }>();
    expect(res.headers.location).toBe(`/api/v1/requests/${body.id}`);
    expect(body.links.target).toBe(`/api/v1/infrastructure/storage/${body.target}`);
    // The schema's defaults are filled in.
    expect(dispatcher.sent.at(-1)).toEqual({
      eventName: 'storage',
      body: {
        region: 'westeurope',
        cloud_provider: 'aws',
        environment: 'dev',
        bucket: 'logs',
        size_gb: 10,
        versioning: false,
        name: body.target,
        action: 'create',
        request_id: body.id,
        requester: 'admin',
      },
    });
    const got = await app.inject({ method: 'GET', url: body.links.target, headers });
    expect(got.statusCode).toBe(200);
    expect(got.json()).toMatchObject({ kind: 'storage', status: 'Provisioning', outputs: {} });
    const list = await app.inject({ method: 'GET', url: '/api/v1/infrastructure', headers });
    expect(list.json<{ items: { name: string }[] }>().items.map((r) => r.name)).toContain(
      body.target,
    );
    const byKind = await app.inject({
      method: 'GET',
      url: '/api/v1/infrastructure/compute',
      headers,
    });
    expect(byKind.json()).toEqual({ items: [] });
    // Provisioning: not deletable until its run ends.
    const del = await app.inject({ method: 'DELETE', url: body.links.target, headers });
    expect(del.statusCode).toBe(409);
  });

  it('shows each kind with its own schema in the OpenAPI document', async () => {
    const res = await app.inject({ method: 'GET', url: '/openapi.json' });
    const doc = res.json<{
      paths: Record<
        string,
        Record<
          string,
          { requestBody?: { content: Record<string, { schema: { properties?: object } }> } }
        >
      >;
    }>();
    for (const kind of ['compute', 'storage', 'database']) {
      expect(Object.keys(doc.paths)).toContain(`/api/v1/infrastructure/${kind}`);
      expect(Object.keys(doc.paths)).toContain(`/api/v1/infrastructure/${kind}/{name}`);
    }
    const schema =
      doc.paths['/api/v1/infrastructure/compute']?.['post']?.requestBody?.content[
        'application/json'
      ]?.schema;
    expect(Object.keys(schema?.properties ?? {})).toEqual(Object.keys(compute));
    expect(Object.keys(doc.paths)).toContain('/api/v1/catalog/{kind}');
    expect(Object.keys(doc.paths)).not.toContain('/api/v1/infrastructure/{kind}');
    // The domain kinds' requests take their catalog entry's schema as the body.
    const bodyOf = (path: string, method: string) =>
      doc.paths[path]?.[method]?.requestBody?.content['application/json']?.schema;
    const kindSchema = async (kind: string) =>
      (await app.inject({ method: 'GET', url: `/api/v1/catalog/${kind}`, headers })).json<{
        schema: { properties: object };
      }>().schema;
    expect(bodyOf('/api/v1/environments', 'post')).toEqual(await kindSchema('environment'));
    expect(bodyOf('/api/v1/applications', 'post')).toEqual(await kindSchema('application'));
    expect(bodyOf('/api/v1/environments/{env}/applications/{name}/configuration', 'put')).toEqual(
      await kindSchema('configuration'),
    );
    expect(Object.keys(bodyOf('/api/v1/environments/{name}', 'patch')?.properties ?? {})).toEqual([
      'region',
      'team',
      'tier',
      'ttl',
      'protected',
    ]);
    // A resource's inputs change with PUT (all of them) or PATCH (some; never its name).
    expect(
      Object.keys(bodyOf('/api/v1/infrastructure/compute/{name}', 'put')?.properties ?? {}),
    ).toEqual(Object.keys(compute));
    expect(bodyOf('/api/v1/infrastructure/compute/{name}', 'patch')).toMatchObject({
      minProperties: 1,
    });
  });

  it('validates every domain request against its kind, naming the field and the fix', async () => {
    const env = await app.inject({
      method: 'POST',
      url: '/api/v1/environments',
      headers,
      payload: { name: 'Bad_Name', region: 'eastus2', tier: 'gold', colour: 'red' },
    });
    expect(env.statusCode).toBe(400);
    expect(env.headers['content-type']).toMatch(/^application\/problem\+json/);
    const problems = env.json<{ errors: { field: string; fix?: string }[] }>().errors;
    expect(problems.map((p) => p.field).sort()).toEqual(['colour', 'name', 'tier']);
    expect(problems.find((p) => p.field === 'name')?.fix).toMatch(/DNS label/);
    expect(problems.find((p) => p.field === 'tier')?.fix).toMatch(
      /development, staging, production/,
    );
    const app1 = await app.inject({
      method: 'POST',
      url: '/api/v1/applications',
      headers,
      payload: { environment: 'dev1', name: 'web', image: 'bad image', version: '1.0', port: 0 },
    });
    expect(app1.statusCode).toBe(400);
    expect(
      app1
        .json<{ errors: { field: string }[] }>()
        .errors.map((p) => p.field)
        .sort(),
    ).toEqual(['image', 'port']);
    const config = await app.inject({
      method: 'PUT',
      url: '/api/v1/environments/dev1/applications/web/configuration',
      headers,
      payload: { values: { LOG_LEVEL: { nested: true } } },
    });
    expect(config.statusCode).toBe(400);
    expect(config.json<{ errors: { field: string }[] }>().errors[0]?.field).toBe(
      'values.LOG_LEVEL',
    );
    expect(dispatcher.sent.filter((s) => s.eventName !== 'storage')).toEqual([]);
  });

  it('changes a resource with PATCH or PUT: an update request with the merged inputs', async () => {
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/infrastructure/database',
      headers,
      payload: { region: 'eastus2', cloud_provider: 'aws', environment: 'dev', engine: 'postgres' },
    });
    const { target } = created.json<{ target: string }>();
    const url = `/api/v1/infrastructure/database/${target}`;
    // Provisioning: a change waits until its run ends.
    const early = await app.inject({ method: 'PATCH', url, headers, payload: { size: 'large' } });
    expect(early.statusCode).toBe(409);
    await store.resources.update('database', target, { status: 'Ready' });
    const renamed = await app.inject({ method: 'PATCH', url, headers, payload: { name: 'x' } });
    expect(renamed.statusCode).toBe(400);
    expect(renamed.json<{ errors: { field: string }[] }>().errors[0]?.field).toBe('name');
    const patched = await app.inject({ method: 'PATCH', url, headers, payload: { size: 'large' } });
    expect(patched.statusCode).toBe(202);
    expect(patched.json()).toMatchObject({ kind: 'database', action: 'update', target });
    expect(dispatcher.sent.at(-1)).toMatchObject({
      eventName: 'database',
      body: {
        engine: 'postgres',
        size: 'large',
        engine_version: '16',
        name: target,
        action: 'update',
      },
    });
    // The resource keeps the inputs of its last apply; the request holds the proposed ones.
    expect((await app.inject({ method: 'GET', url, headers })).json()).toMatchObject({
      status: 'Provisioning',
      inputs: { size: 'small' },
    });
    const proposed = await app.inject({ url: patched.headers.location as string, headers });
    expect(proposed.json()).toMatchObject({ inputs: { engine: 'postgres', size: 'large' } });
    await store.resources.update('database', target, { status: 'Ready' });
    const incomplete = await app.inject({
      method: 'PUT',
      url,
      headers,
      payload: { size: 'small' },
    });
    expect(incomplete.statusCode).toBe(400);
    const put = await app.inject({
      method: 'PUT',
      url,
      headers,
      payload: { region: 'westus', cloud_provider: 'aws', environment: 'dev', engine: 'mysql' },
    });
    expect(put.statusCode).toBe(202);
    expect(dispatcher.sent.at(-1)?.body).toMatchObject({ engine: 'mysql', size: 'small' });
  });
});
