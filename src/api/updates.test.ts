import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../catalog/index.js';
import { createPlatform, type Dispatcher, type Platform } from '../platform/index.js';
import { createSqliteStore, type Store } from '../store/index.js';
import { createWorkflowEngine, parseWorkflow, type WorkflowEngine } from '../workflows/index.js';
import { buildApi } from './app.js';

const catalogDir = fileURLToPath(new URL('../../catalog', import.meta.url));
const runYaml = readFileSync(new URL('./testdata/change-run.yaml', import.meta.url), 'utf8');

/**
 * Does what the catalog's Sensors do with a request's event: starts its run,
 * labelled with the request. `applyExit` makes the next runs' apply fail.
 */
class ChangeDispatcher implements Dispatcher {
  applyExit = '0';
  constructor(private readonly engine: WorkflowEngine) {}
  async dispatch(eventName: string, body: Record<string, unknown>): Promise<void> {
    const requestId = String(body['request_id']);
    const labels: Record<string, string> =
      eventName === 'environments'
        ? { 'plinth.dev/kind': 'environment', 'plinth.dev/environment': String(body['name']) }
        : { 'plinth.dev/kind': eventName, 'plinth.dev/resource': String(body['name']) };
    await this.engine.submit(parseWorkflow(runYaml), {
      labels: {
        ...labels,
        'plinth.dev/request-id': requestId,
        'plinth.dev/action': String(body['action']),
      },
      parameters: { 'apply-exit': this.applyExit, 'request-id': requestId },
    });
  }
}

async function until<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface RequestBody {
  id: string;
  action: string;
  status: string;
  message: string | null;
  inputs: Record<string, unknown>;
  runs: { id: string; phase: string }[];
}

describe('a change of inputs is applied, rejected or failed', () => {
  let dir: string;
  let store: Store;
  let engine: WorkflowEngine;
  let platform: Platform;
  let app: FastifyInstance;
  let dispatcher: ChangeDispatcher;
  let headers: Record<string, string>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'plinth-api-updates-'));
    store = await createSqliteStore({ filename: join(dir, 'plinth.db') });
    const logger = pino({ level: 'silent' });
    engine = createWorkflowEngine({ store, logger, dataDir: dir, graceSeconds: 1 });
    await engine.start();
    dispatcher = new ChangeDispatcher(engine);
    const { kinds } = await loadCatalog(catalogDir);
    platform = createPlatform({ store, engine, dispatcher, logger, kinds });
    await platform.start();
    headers = { authorization: `Bearer ${await platform.auth.ensureAdminToken()}` };
    app = buildApi({ platform, logger });
  });
  afterAll(async () => {
    await app.close();
    await platform.stop();
    await engine.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function request(id: string): Promise<RequestBody> {
    const res = await app.inject({ url: `/api/v1/requests/${id}`, headers });
    expect(res.statusCode).toBe(200);
    return res.json<RequestBody>();
  }

  /** The request's run, once it waits at its approval. */
  async function waitingRun(requestId: string): Promise<string> {
    return until(async () => {
      const runId = (await request(requestId)).runs[0]?.id;
      if (!runId) return undefined;
      const run = await app.inject({ url: `/api/v1/runs/${runId}`, headers });
      return run.json<{ waitingForApproval: boolean }>().waitingForApproval ? runId : undefined;
    }, `request ${requestId} to wait for approval`);
  }

  async function decide(requestId: string, decision: 'approve' | 'reject'): Promise<void> {
    const runId = await waitingRun(requestId);
    const res = await app.inject({
      method: 'POST',
      url: `/api/v1/runs/${runId}/${decision}`,
      headers,
      payload: { comment: decision === 'reject' ? 'not this change' : 'go' },
    });
    expect(res.statusCode).toBe(200);
  }

  /** The request once its run has ended, and what it acted on at that moment. */
  async function ended(requestId: string, url: string) {
    const done = await until(async () => {
      await platform.settled();
      const r = await request(requestId);
      return r.status === 'Succeeded' || r.status === 'Failed' ? r : undefined;
    }, `request ${requestId} to end`);
    const target = await until(async () => {
      await platform.settled();
      const res = await app.inject({ url, headers });
      const body = res.json<Record<string, unknown>>();
      return body['status'] === 'Provisioning' ? undefined : body;
    }, `${url} to settle`);
    return { request: done, target };
  }

  async function send(method: 'POST' | 'PATCH', url: string, payload: unknown): Promise<string> {
    const res = await app.inject({ method, url, headers, payload: payload as object });
    expect(res.statusCode).toBe(202);
    return res.json<{ id: string }>().id;
  }

  it('keeps an environment at its applied region and outputs until a change applies', async () => {
    dispatcher.applyExit = '0';
    const url = '/api/v1/environments/web';
    const created = await send('POST', '/api/v1/environments', { name: 'web', region: 'eastus2' });
    await decide(created, 'approve');
    const ready = (await ended(created, url)).target;
    expect(ready).toMatchObject({
      status: 'Ready',
      region: 'eastus2',
      outputs: { applied_by: created },
    });

    // Rejected at its approval: the environment stays as it was applied.
    const rejected = await send('PATCH', url, { region: 'westus' });
    const during = (await app.inject({ url, headers })).json<Record<string, unknown>>();
    expect(during).toMatchObject({ status: 'Provisioning', region: 'eastus2' });
    expect((await request(rejected)).inputs).toMatchObject({ name: 'web', region: 'westus' });
    await decide(rejected, 'reject');
    const afterReject = await ended(rejected, url);
    expect(afterReject.target).toMatchObject({
      status: 'Ready',
      region: 'eastus2',
      outputs: { applied_by: created },
      lastRequestId: rejected,
    });
    expect(afterReject.target['message']).toMatch(/not applied.*not this change/);
    expect(afterReject.request).toMatchObject({
      action: 'update',
      status: 'Failed',
      inputs: { region: 'westus' },
      runs: [{ phase: 'Failed' }],
    });

    // Approved, but its apply fails: the same.
    dispatcher.applyExit = '1';
    const failed = await send('PATCH', url, { region: 'westus' });
    await decide(failed, 'approve');
    const afterFailure = await ended(failed, url);
    expect(afterFailure.target).toMatchObject({
      status: 'Ready',
      region: 'eastus2',
      outputs: { applied_by: created },
    });
    expect(afterFailure.request).toMatchObject({ status: 'Failed', inputs: { region: 'westus' } });

    // Applied: the environment takes the inputs its request proposed, and the new outputs.
    dispatcher.applyExit = '0';
    const applied = await send('PATCH', url, { region: 'westus' });
    await decide(applied, 'approve');
    const afterApply = await ended(applied, url);
    expect(afterApply.target).toMatchObject({
      status: 'Ready',
      region: 'westus',
      outputs: { applied_by: applied },
      message: null,
    });
    expect(afterApply.request).toMatchObject({ status: 'Succeeded', inputs: { region: 'westus' } });

    // Its history of runs shows every request, the refused ones included.
    const runs = await app.inject({ url: '/api/v1/runs?environment=web', headers });
    const history = runs.json<{ items: { requestId: string; phase: string }[] }>().items;
    expect(
      Object.fromEntries(history.map((r) => [r.requestId, r.phase])) as Record<string, string>,
    ).toEqual({
      [created]: 'Succeeded',
      [rejected]: 'Failed',
      [failed]: 'Failed',
      [applied]: 'Succeeded',
    });

    // A delete rejected at its approval destroyed nothing: Ready as it was.
    const del = await app.inject({ method: 'DELETE', url, headers });
    expect(del.statusCode).toBe(202);
    const deleting = del.json<{ id: string }>().id;
    expect((await app.inject({ url, headers })).json()).toMatchObject({ status: 'Destroying' });
    await decide(deleting, 'reject');
    const keptAfterDelete = await until(async () => {
      await platform.settled();
      const body = (await app.inject({ url, headers })).json<Record<string, unknown>>();
      return body['status'] === 'Destroying' ? undefined : body;
    }, `${url} to settle after the rejected delete`);
    expect(keptAfterDelete).toMatchObject({
      status: 'Ready',
      region: 'westus',
      outputs: { applied_by: applied },
    });
    expect(keptAfterDelete['message']).toMatch(/delete of request .* was not applied/);
    expect(await request(deleting)).toMatchObject({ action: 'delete', status: 'Failed' });
  });

  it('keeps a resource at its applied inputs and outputs until a change applies', async () => {
    dispatcher.applyExit = '0';
    const created = await send('POST', '/api/v1/infrastructure/database', {
      region: 'eastus2',
      cloud_provider: 'aws',
      environment: 'dev',
      engine: 'postgres',
    });
    const name = await resourceName(created);
    const url = `/api/v1/infrastructure/database/${name}`;
    await decide(created, 'approve');
    expect((await ended(created, url)).target).toMatchObject({
      status: 'Ready',
      inputs: { size: 'small' },
      outputs: { applied_by: created },
    });

    const rejected = await send('PATCH', url, { size: 'large' });
    expect((await app.inject({ url, headers })).json()).toMatchObject({
      status: 'Provisioning',
      inputs: { size: 'small' },
    });
    expect((await request(rejected)).inputs).toMatchObject({ engine: 'postgres', size: 'large' });
    await decide(rejected, 'reject');
    const afterReject = await ended(rejected, url);
    expect(afterReject.target).toMatchObject({
      status: 'Ready',
      inputs: { size: 'small' },
      outputs: { applied_by: created },
    });
    expect(afterReject.request).toMatchObject({ status: 'Failed', inputs: { size: 'large' } });

    dispatcher.applyExit = '1';
    const failed = await send('PATCH', url, { size: 'large' });
    await decide(failed, 'approve');
    const afterFailure = await ended(failed, url);
    expect(afterFailure.target).toMatchObject({
      status: 'Ready',
      inputs: { size: 'small' },
      outputs: { applied_by: created },
    });
    expect(afterFailure.target['message']).toMatch(/not applied/);
    expect(afterFailure.request).toMatchObject({ status: 'Failed' });

    dispatcher.applyExit = '0';
    const applied = await send('PATCH', url, { size: 'large' });
    await decide(applied, 'approve');
    expect((await ended(applied, url)).target).toMatchObject({
      status: 'Ready',
      inputs: { size: 'large', engine: 'postgres' },
      outputs: { applied_by: applied },
      message: null,
    });
  });

  async function resourceName(requestId: string): Promise<string> {
    return (await store.requests.get(requestId))?.target ?? '';
  }
});
