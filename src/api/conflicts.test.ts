import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPlatform, type Dispatcher, type Platform } from '../platform/index.js';
import { createSqliteStore, type Store } from '../store/index.js';
import { createWorkflowEngine, parseWorkflow, type WorkflowEngine } from '../workflows/index.js';
import { buildApi } from './app.js';

const runYaml = readFileSync(new URL('./testdata/environment-run.yaml', import.meta.url), 'utf8');

/** Records each request's run as the catalog's Sensor would create it (the engine is not started). */
class SubmittingDispatcher implements Dispatcher {
  constructor(private readonly engine: WorkflowEngine) {}
  async dispatch(_eventName: string, body: Record<string, unknown>): Promise<void> {
    await this.engine.submit(parseWorkflow(runYaml), {
      labels: {
        'plinth.dev/kind': 'environment',
        'plinth.dev/request-id': String(body['request_id']),
        'plinth.dev/environment': String(body['name']),
        'plinth.dev/action': String(body['action']),
      },
    });
  }
}

describe('concurrent and conflicting writes', () => {
  let dir: string;
  let store: Store;
  let engine: WorkflowEngine;
  let platform: Platform;
  let app: FastifyInstance;
  let token: string;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'plinth-conflicts-'));
    store = await createSqliteStore({ filename: join(dir, 'plinth.db') });
    const logger = pino({ level: 'silent' });
    engine = createWorkflowEngine({ store, logger, dataDir: dir });
    platform = createPlatform({
      store,
      engine,
      dispatcher: new SubmittingDispatcher(engine),
      logger,
    });
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

  it('lets one of two concurrent deletes win; the other and any later request get 409 with the current run', async () => {
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/environments',
      headers: headers(),
      payload: { name: 'pay-1', region: 'eastus2' },
    });
    expect(created.statusCode).toBe(202);
    await store.environments.update('pay-1', { status: 'Ready' });

    const answers = await Promise.all(
      [1, 2].map(() =>
        app.inject({ method: 'DELETE', url: '/api/v1/environments/pay-1', headers: headers() }),
      ),
    );
    expect(answers.map((a) => a.statusCode).sort()).toEqual([202, 409]);
    const winner = answers.find((a) => a.statusCode === 202)!.json<{ id: string }>();
    const runs = await store.workflows.list({ requestId: winner.id });
    expect(runs.items).toHaveLength(1);
    const run = runs.items[0]!.name;

    const env = await app.inject({ url: '/api/v1/environments/pay-1', headers: headers() });
    expect(env.json()).toMatchObject({ status: 'Destroying', lastRequestId: winner.id });

    // The loser may be refused before the winner's run exists; it names the winning request.
    expect(answers.find((a) => a.statusCode === 409)!.json()).toMatchObject({
      code: 'CONFLICT',
      details: { name: 'pay-1', lastRequestId: winner.id },
    });
    for (const res of [
      await app.inject({
        method: 'PATCH',
        url: '/api/v1/environments/pay-1',
        headers: headers(),
        payload: { region: 'westeurope' },
      }),
    ]) {
      expect(res.statusCode).toBe(409);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json()).toMatchObject({
        code: 'CONFLICT',
        details: { name: 'pay-1', status: 'Destroying', lastRequestId: winner.id, run },
      });
      expect(res.json<{ detail: string }>().detail).toContain(run);
    }
    // No partial state: the losers changed nothing.
    expect((await store.workflows.list({})).items).toHaveLength(2);
  });
});
