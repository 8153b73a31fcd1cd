import { createHmac } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import { startPlatform, type RunningPlatform } from '../server/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const shippedCatalog = path.join(here, '../../catalog');
const ADMIN = 'plinth-test-admin-token-0123456789';

interface Answer<T> {
  status: number;
  body: T;
}

function client(running: RunningPlatform) {
  return async <T>(method: string, url: string, body?: unknown): Promise<Answer<T>> => {
    const res = await fetch(`${running.urls.api}${url}`, {
      method,
      headers: {
        authorization: `Bearer ${ADMIN}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 90_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function start(catalogDir: string, dataDir: string): Promise<RunningPlatform> {
  const config = loadConfig({
    env: {
      PLINTH_CATALOG_DIR: catalogDir,
      PLINTH_DATA_DIR: dataDir,
      PLINTH_HOST: '127.0.0.1',
      PLINTH_PORT: '0',
      PLINTH_EVENTSOURCE_PORTS: '12000=0,12400=0',
      PLINTH_ADMIN_TOKEN: ADMIN,
      PLINTH_LOG_LEVEL: 'silent',
      ...(process.env.PLINTH_TERRAFORM_BIN
        ? { PLINTH_TERRAFORM_BIN: process.env.PLINTH_TERRAFORM_BIN }
        : {}),
    },
  });
  return startPlatform(config, { logger: pino({ level: 'silent' }) });
}

describe('a request kind added with files only', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'plinth-new-kind-'));
  const catalogDir = path.join(dir, 'catalog');
  let running: RunningPlatform;
  let api: ReturnType<typeof client>;

  beforeAll(async () => {
    cpSync(shippedCatalog, catalogDir, { recursive: true });
    // The platform team's files: kind entry, EventSource, Sensor, WorkflowTemplate, module.
    cpSync(path.join(here, 'testdata/queue-kind'), catalogDir, { recursive: true });
    running = await start(catalogDir, path.join(dir, 'data'));
    api = client(running);
  }, 60_000);
  afterAll(async () => {
    await running?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists it, validates against its schema, shows it in OpenAPI and runs it end to end', async () => {
    const list = await api<{ items: { name: string }[] }>('GET', '/api/v1/catalog');
    expect(list.body.items.map((k) => k.name)).toEqual([
      'application',
      'compute',
      'configuration',
      'database',
      'environment',
      'queue',
      'storage',
    ]);
    const kind = await api<{ schema: { required: string[] }; links: { requests: string } }>(
      'GET',
      '/api/v1/catalog/queue',
    );
    expect(kind.body).toMatchObject({
      schema: { required: ['environment'] },
      links: { requests: '/api/v1/infrastructure/queue' },
    });
    const openapi = await api<{ paths: Record<string, Record<string, unknown>> }>(
      'GET',
      '/openapi.json',
    );
    expect(JSON.stringify(openapi.body.paths['/api/v1/infrastructure/queue']?.['post'])).toContain(
      'retention_hours',
    );

    const bad = await api<{ errors: { field: string; fix: string }[] }>(
      'POST',
      '/api/v1/infrastructure/queue',
      { environment: 'dev', retention_hours: 1000 },
    );
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([
      expect.objectContaining({ field: 'retention_hours', fix: expect.stringMatching(/336/) }),
    ]);

    const accepted = await api<{ id: string; target: string }>(
      'POST',
      '/api/v1/infrastructure/queue',
      { environment: 'dev', retention_hours: 48 },
    );
    expect(accepted.status).toBe(202);
    const name = accepted.body.target;
    const ready = await until('the queue to be Ready', async () => {
      const r = await api<{ status: string; message: string | null; outputs: object }>(
        'GET',
        `/api/v1/infrastructure/queue/${name}`,
      );
      if (r.body.status === 'Failed') throw new Error(r.body.message ?? 'failed');
      return r.body.status === 'Ready' ? r.body : undefined;
    });
    expect(ready.outputs).toMatchObject({
      url: `amqp://queues.dev.internal/${name}`,
      retention_hours: 48,
    });
    const request = await api<{ kind: string; status: string; runs: { phase: string }[] }>(
      'GET',
      `/api/v1/requests/${accepted.body.id}`,
    );
    expect(request.body).toMatchObject({
      kind: 'queue',
      status: 'Succeeded',
      runs: [{ phase: 'Succeeded' }],
    });

    const deletion = await api<{ id: string }>('DELETE', `/api/v1/infrastructure/queue/${name}`);
    expect(deletion.status).toBe(202);
    await until('the queue to be Destroyed', async () => {
      const r = await api<{ status: string }>('GET', `/api/v1/infrastructure/queue/${name}`);
      return r.body.status === 'Destroyed' ? r.body : undefined;
    });
  }, 120_000);
});

describe('deploy on push, mapped in the catalog', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'plinth-push-'));
  const dataDir = path.join(dir, 'data');
  const SECRET = 'push-secret-for-tests';
  let running: RunningPlatform;
  let api: ReturnType<typeof client>;

  beforeAll(async () => {
    // The github EventSource's webhookSecret: Secret github-webhook, key secret.
    mkdirSync(path.join(dataDir, 'secrets', 'github-webhook'), { recursive: true });
    writeFileSync(path.join(dataDir, 'secrets', 'github-webhook', 'secret'), SECRET);
    running = await start(shippedCatalog, dataDir);
    api = client(running);
  }, 60_000);
  afterAll(async () => {
    await running?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a signed GitHub push deploys the mapped application at the pushed commit', async () => {
    const created = await api<{ id: string }>('POST', '/api/v1/environments', {
      name: 'dev1',
      region: 'eastus2',
    });
    expect(created.status).toBe(202);
    // The shipped tier policy has development environments wait for an approval.
    const runId = await until('the run to wait for approval', async () => {
      const request = await api<{ runs: { id: string }[] }>(
        'GET',
        `/api/v1/requests/${created.body.id}`,
      );
      const id = request.body.runs[0]?.id;
      if (id === undefined) return undefined;
      const run = await api<{ waitingForApproval: boolean }>('GET', `/api/v1/runs/${id}`);
      return run.body.waitingForApproval ? id : undefined;
    });
    expect((await api('POST', `/api/v1/runs/${runId}/approve`, {})).status).toBe(200);
    await until('dev1 to be Ready', async () => {
      const env = await api<{ status: string; message: string | null }>(
        'GET',
        '/api/v1/environments/dev1',
      );
      if (env.body.status === 'Failed') throw new Error(env.body.message ?? 'failed');
      return env.body.status === 'Ready' ? env.body : undefined;
    });

    const hook = running.urls.eventSources.find(
      (e) => e.eventSourceName === 'github' && e.eventName === 'push',
    );
    if (!hook) throw new Error('the catalog has no github push endpoint');
    const event = JSON.parse(
      readFileSync(path.join(here, '../platform/testdata/github-push.json'), 'utf8'),
    ) as { data: { body: Record<string, unknown> } };
    const body = Buffer.from(JSON.stringify(event.data.body));
    const send = (signature: string) =>
      fetch(hook.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-github-event': 'push',
          'x-github-delivery': 'd1',
          'x-hub-signature-256': signature,
        },
        body,
      });
    const forged = await send(`sha256=${'0'.repeat(64)}`);
    expect(forged.status).toBe(400);
    const signed = await send(`sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`);
    expect(signed.status).toBe(200);

    const app = await until('web to be deployed', async () => {
      const r = await api<{ status: string; version: string; message: string | null }>(
        'GET',
        '/api/v1/environments/dev1/applications/web',
      );
      if (r.status !== 200) return undefined;
      if (r.body.status === 'Failed') throw new Error(r.body.message ?? 'failed');
      return r.body.status === 'Deployed' ? r.body : undefined;
    });
    expect(app).toMatchObject({
      name: 'web',
      environment: 'dev1',
      version: '9fceb02',
      status: 'Deployed',
      revision: expect.stringMatching(/^[0-9a-f]{40}$/),
      image: 'ghcr.io/acme/web:9fceb02d0ae598e95dc970b74767f19372d61af8',
    });
  }, 120_000);
});
