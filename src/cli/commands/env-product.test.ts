import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApi } from '../../api/index.js';
import { createPlatform, type Dispatcher, type Platform } from '../../platform/index.js';
import { createSqliteStore, type Store } from '../../store/index.js';
import { createWorkflowEngine, type WorkflowEngine } from '../../workflows/index.js';
import { runCli } from '../program.js';
import { memoryIO } from '../testing/fake-api.js';

class RecordingDispatcher implements Dispatcher {
  readonly sent: Record<string, unknown>[] = [];
  async dispatch(_eventName: string, body: Record<string, unknown>): Promise<void> {
    this.sent.push(body);
  }
}

describe('plinth env update|extend|drift-check|reconcile and runs list filters, against the real API', () => {
  let dir: string;
  let store: Store;
  let engine: WorkflowEngine;
  let platform: Platform;
  let app: FastifyInstance;
  let env: Record<string, string>;
  let dispatcher: RecordingDispatcher;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'plinth-cli-envs-'));
    store = await createSqliteStore({ filename: ':memory:' });
    const logger = pino({ level: 'silent' });
    engine = createWorkflowEngine({ store, logger, dataDir: dir });
    dispatcher = new RecordingDispatcher();
    platform = createPlatform({ store, engine, dispatcher, logger });
    const token = (await platform.auth.ensureAdminToken()) ?? '';
    app = buildApi({ platform, logger });
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    env = { PLINTH_SERVER: url, PLINTH_TOKEN: token };
    const now = new Date().toISOString();
    await store.environments.insert({
      name: 'stage-1',
      team: 'payments',
      status: 'Ready',
      inputs: { region: 'eastus2', tier: 'staging' },
      outputs: {},
      lastRequestId: null,
      message: null,
      createdBy: 'root',
      createdAt: now,
      updatedAt: now,
      expiresAt: null,
    });
  });
  afterEach(async () => {
    await app.close();
    await platform.stop();
    await engine.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates with a tier and a TTL, then extends it', async () => {
    const io = memoryIO(env, { briefWaitMs: 0 });
    const code = await runCli(
      ['env', 'create', 'eph', '--region', 'eu', '--team', 'payments', '--ttl', '8h', '-o', 'json'],
      io,
    );
    expect(code, io.err()).toBe(0);
    expect(dispatcher.sent[0]).toMatchObject({ action: 'create', approval_required: 'true' });
    const before = (await platform.environments.get('eph')).expiresAt ?? '';
    const ext = memoryIO(env);
    expect(
      await runCli(['env', 'extend', 'eph', '--ttl', '1d', '-o', 'json'], ext),
      ext.err(),
    ).toBe(0);
    const extended = JSON.parse(ext.out()) as { expiresAt: string };
    expect(Date.parse(extended.expiresAt) - Date.parse(before)).toBe(24 * 3600 * 1000);
  });

  it('updates policy fields at once, and a region through a request', async () => {
    const meta = memoryIO(env);
    expect(await runCli(['env', 'update', 'stage-1', '--protected', '-o', 'json'], meta)).toBe(0);
    expect(JSON.parse(meta.out())).toMatchObject({ name: 'stage-1', protected: true });

    const moved = memoryIO(env, { briefWaitMs: 0 });
    const code = await runCli(
      ['env', 'update', 'stage-1', '--region', 'westus', '-o', 'json'],
      moved,
    );
    expect(code, moved.err()).toBe(0);
    expect(JSON.parse(moved.out())).toMatchObject({ request: { action: 'update' } });

    const human = memoryIO(env);
    expect(await runCli(['env', 'get', 'stage-1'], human)).toBe(0);
    expect(human.out()).toMatch(/Tier:\s+staging/);
    expect(human.out()).toMatch(/Protected:\s+yes/);
  });

  it('reconciles, and says why a drift check cannot run now', async () => {
    const io = memoryIO(env, { briefWaitMs: 0 });
    expect(await runCli(['env', 'reconcile', 'stage-1', '-o', 'json'], io), io.err()).toBe(0);
    expect(dispatcher.sent.at(-1)).toMatchObject({
      action: 'reconcile',
      approval_required: 'true',
    });
    const drift = memoryIO(env);
    expect(await runCli(['env', 'drift-check', 'stage-1'], drift)).not.toBe(0);
    expect(drift.err()).toMatch(/Provisioning/);
  });

  it('lists runs by requester and time', async () => {
    const io = memoryIO(env);
    const code = await runCli(
      ['runs', 'list', '--requester', 'nobody', '--since', '2026-01-01T00:00:00Z', '-o', 'json'],
      io,
    );
    expect(code, io.err()).toBe(0);
    expect(JSON.parse(io.out())).toEqual({ items: [] });
    const bad = memoryIO(env);
    expect(await runCli(['runs', 'list', '--since', 'yesterday'], bad)).not.toBe(0);
    expect(bad.err()).toMatch(/since/);
  });
});
