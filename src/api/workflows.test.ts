import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createPlatform, type Platform } from '../platform/index.js';
import { createSqliteStore, type Store } from '../store/index.js';
import { createWorkflowEngine, type Workflow, type WorkflowEngine } from '../workflows/index.js';
import { buildApi } from './app.js';

const flaky = parse(
  readFileSync(new URL('./testdata/workflow-flaky.yaml', import.meta.url), 'utf8'),
) as Workflow;

describe('workflows through the API', () => {
  let dir: string;
  let store: Store;
  let engine: WorkflowEngine;
  let platform: Platform;
  let app: FastifyInstance;
  let headers: Record<string, string>;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'plinth-api-wf-'));
    store = await createSqliteStore({ filename: join(dir, 'plinth.db') });
    const logger = pino({ level: 'silent' });
    engine = createWorkflowEngine({ store, logger, dataDir: dir, graceSeconds: 1 });
    await engine.start();
    platform = createPlatform({
      store,
      engine,
      dispatcher: { dispatch: async () => undefined },
      logger,
    });
    await platform.start();
    headers = { authorization: `Bearer ${await platform.auth.ensureAdminToken()}` };
    app = buildApi({ platform, logger });
    await app.ready();
  });
  afterEach(async () => {
    await app.close();
    await platform.stop();
    await engine.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function finished(name: string): Promise<Workflow> {
    for (;;) {
      const res = await app.inject({ url: `/api/v1/workflows/default/${name}`, headers });
      const wf = res.json<Workflow>();
      if (wf.status?.finishedAt) return wf;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async function submit(parameters: string[], extra: Record<string, unknown> = {}) {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/workflows',
      headers,
      payload: { workflow: flaky, parameters: [`dir=${dir}`, ...parameters], ...extra },
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<Workflow>();
  }

  it('submits, lists, gets, logs, retries, resubmits and deletes', async () => {
    const wf = await submit([]);
    const name = wf.metadata.name!;
    expect(name).toMatch(/^flaky-/);
    const failed = await finished(name);
    expect(failed.status?.phase).toBe('Failed');
    expect(Object.values(failed.status?.nodes ?? {}).map((n) => n.displayName)).toContain('second');

    // The list reads the store, which the engine writes a moment after the change.
    let listed: string[] = [];
    for (let i = 0; i < 100 && listed.length === 0; i++) {
      const list = await app.inject({
        url: '/api/v1/workflows?labels=app=flaky&phase=Failed',
        headers,
      });
      listed = list.json<{ items: Workflow[] }>().items.map((w) => w.metadata.name!);
      if (listed.length === 0) await new Promise((r) => setTimeout(r, 20));
    }
    expect(listed).toEqual([name]);
    const none = await app.inject({ url: '/api/v1/workflows?labels=app=other', headers });
    expect(none.json<{ items: Workflow[] }>().items).toEqual([]);

    const log = await app.inject({ url: `/api/v1/workflows/default/${name}/log`, headers });
    expect(log.body).toContain('second: broken');

    writeFileSync(join(dir, 'fixed'), '');
    const retried = await app.inject({
      method: 'PUT',
      url: `/api/v1/workflows/default/${name}/retry`,
      headers,
    });
    expect(retried.statusCode, retried.body).toBe(200);
    expect(retried.json<Workflow>().status?.phase).toBe('Running');
    expect((await finished(name)).status?.phase).toBe('Succeeded');
    expect(readFileSync(join(dir, 'first'), 'utf8')).toBe('first\n');

    const again = await app.inject({
      method: 'PUT',
      url: `/api/v1/workflows/default/${name}/retry`,
      headers,
      payload: {},
    });
    expect(again.statusCode).toBe(409);
    expect(again.json<{ detail: string }>().detail).toContain('To retry a succeeded workflow');

    const resubmitted = await app.inject({
      method: 'PUT',
      url: `/api/v1/workflows/default/${name}/resubmit`,
      headers,
      payload: { parameters: ['seconds=0'] },
    });
    expect(resubmitted.statusCode, resubmitted.body).toBe(200);
    const copy = resubmitted.json<Workflow>();
    expect(copy.metadata.name).not.toBe(name);
    expect(copy.metadata.labels?.['workflows.argoproj.io/resubmitted-from-workflow']).toBe(name);
    expect((await finished(copy.metadata.name!)).status?.phase).toBe('Succeeded');

    const deleted = await app.inject({
      method: 'DELETE',
      url: `/api/v1/workflows/default/${name}`,
      headers,
    });
    expect(deleted.statusCode).toBe(204);
    const gone = await app.inject({ url: `/api/v1/workflows/default/${name}`, headers });
    expect(gone.statusCode).toBe(404);

    const audit = await app.inject({ url: '/api/v1/audit', headers });
    const actions = audit.json<{ items: { action: string }[] }>().items.map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['workflows.retry', 'workflows.resubmit']));
  });

  it('suspends, resumes and stops, and keeps other teams out', async () => {
    const wf = await submit(['seconds=0.3'], { labels: { 'plinth.dev/team': 'blue' } });
    const name = wf.metadata.name!;
    const put = (op: string, auth = headers, payload: unknown = {}) =>
      app.inject({
        method: 'PUT',
        url: `/api/v1/workflows/default/${name}/${op}`,
        headers: auth,
        payload: payload as Record<string, unknown>,
      });

    const { secret } = await platform.auth.createToken({
      name: 'red-dev',
      role: 'developer',
      team: 'red',
    });
    const denied = await put('stop', { authorization: `Bearer ${secret}` });
    expect(denied.statusCode).toBe(403);
    expect(denied.json<{ details: { permission: string } }>().details.permission).toBe(
      'workflows:write',
    );

    const suspended = await put('suspend');
    expect(suspended.statusCode, suspended.body).toBe(200);
    expect(suspended.json<Workflow>().spec['suspend']).toBe(true);
    await new Promise((r) => setTimeout(r, 600));
    expect(existsSync(join(dir, 'first'))).toBe(true);
    const held = await app.inject({ url: `/api/v1/workflows/default/${name}`, headers });
    expect(held.json<Workflow>().status?.phase).toBe('Running');
    const second = Object.values(held.json<Workflow>().status?.nodes ?? {}).find(
      (n) => n.displayName === 'second',
    );
    expect(second?.phase ?? 'Pending').toBe('Pending');

    const stopped = await put('stop', headers, { message: 'enough' });
    expect(stopped.statusCode, stopped.body).toBe(200);
    const done = await finished(name);
    expect(done.status?.phase).toBe('Failed');
    expect(done.status?.message).toBe("Stopped with strategy 'Stop'");

    const resume = await put('resume');
    expect(resume.statusCode).toBe(409);
  });

  it('retries and cancels runs by id', async () => {
    const wf = await submit(['seconds=30']);
    const name = wf.metadata.name!;
    const early = await app.inject({ method: 'POST', url: `/api/v1/runs/${name}/retry`, headers });
    expect(early.statusCode).toBe(409);
    const cancel = await app.inject({
      method: 'POST',
      url: `/api/v1/runs/${name}/cancel`,
      headers,
    });
    expect(cancel.statusCode, cancel.body).toBe(200);
    const done = await finished(name);
    expect(done.status?.message).toBe("Stopped with strategy 'Terminate'");

    writeFileSync(join(dir, 'fixed'), '');
    const retry = await app.inject({ method: 'POST', url: `/api/v1/runs/${name}/retry`, headers });
    expect(retry.statusCode, retry.body).toBe(200);
    expect(retry.json<{ phase: string }>().phase).toBe('Running');
    const missing = await app.inject({ method: 'POST', url: '/api/v1/runs/nope/cancel', headers });
    expect(missing.statusCode).toBe(404);
    await app.inject({ method: 'POST', url: `/api/v1/runs/${name}/cancel`, headers });
    await finished(name);
  });
});
