import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../catalog/index.js';
import { isPlinthError } from '../errors/index.js';
import {
  createSecretResolver,
  evaluateSensor,
  parseSensor,
  type Sensor,
} from '../sensors/index.js';
import { createSqliteStore, type Store } from '../store/index.js';
import { workspaceDir } from '../terraform/index.js';
import {
  createTemplateRegistry,
  createWorkflowEngine,
  parseWorkflowTemplate,
  type Workflow,
  type WorkflowEngine,
} from '../workflows/index.js';
import { TTL_REQUESTER } from './environments.js';
import { signatureOf, type Notification } from './notifications.js';
import { createPlatform, type Platform } from './platform.js';
import { loadTierPolicy } from '../catalog/index.js';
import type { Dispatcher, EnvironmentView, Principal, RunView } from './types.js';

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
const HOOK_SECRET = 'notify-signing-key-0b1d';

const alice: Principal = { tokenId: 't1', name: 'alice', role: 'developer', team: 'payments' };
const bob: Principal = { tokenId: 't2', name: 'bob', role: 'approver', team: 'payments' };

/** Delivers a request as the webhook EventSource and the catalog's Sensor would, to the real engine. */
class SensorDispatcher implements Dispatcher {
  constructor(
    private readonly sensors: Map<string, Sensor>,
    private readonly engine: WorkflowEngine,
  ) {}
  async dispatch(eventName: string, body: Record<string, unknown>): Promise<void> {
    const sensor = this.sensors.get(eventName);
    if (!sensor) throw new Error(`no sensor for ${eventName}`);
    const decision = await evaluateSensor(sensor, [
      {
        specversion: '1.0',
        id: randomUUID(),
        source: 'webhook',
        subject: eventName,
        type: 'webhook',
        time: new Date().toISOString(),
        datacontenttype: 'application/json',
        data: { header: {}, body, metadata: {} },
      },
    ]);
    const trigger = decision.triggers[0];
    if (!trigger?.fired) throw new Error(`the sensor did not fire: ${JSON.stringify(decision)}`);
    await this.engine.submit(trigger.resource as Workflow);
  }
}

interface Received {
  headers: Record<string, string | string[] | undefined>;
  raw: string;
  body: Notification;
}

// Generous: the steps run Terraform through tsx, slow on a busy machine.
async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 240_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('environments as a product, on the real engine and Terraform', () => {
  let dir: string;
  let dataDir: string;
  let store: Store;
  let engine: WorkflowEngine;
  let platform: Platform;
  let hooks: Server;
  const received: Received[] = [];
  let now = new Date('2026-03-01T08:00:00Z');

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'plinth-envs-'));
    const binDir = path.join(dir, 'bin');
    mkdirSync(binDir);
    const launcher = path.join(binDir, 'plinth');
    writeFileSync(
      launcher,
      `#!/bin/sh\nexec ${JSON.stringify(path.join(projectRoot, 'node_modules/.bin/tsx'))} ${JSON.stringify(path.join(projectRoot, 'src/cli/main.ts'))} "$@"\n`,
    );
    chmodSync(launcher, 0o755);
    dataDir = path.join(dir, 'data');
    mkdirSync(dataDir);
    store = await createSqliteStore({ filename: path.join(dataDir, 'plinth.db') });
    const catalogDir = path.join(projectRoot, 'catalog');
    const catalog = await loadCatalog(catalogDir);
    const templates = createTemplateRegistry();
    for (const t of catalog.workflowTemplates) templates.set(parseWorkflowTemplate(t));
    const logger = pino({ level: 'silent' });
    engine = createWorkflowEngine({
      store,
      logger,
      dataDir,
      templates,
      stepEnv: {
        PLINTH_DATA_DIR: dataDir,
        PLINTH_CATALOG_DIR: catalogDir,
        PATH: `${binDir}:/usr/local/bin:/usr/bin:/bin`,
      },
    });
    await engine.start();
    const sensors = new Map<string, Sensor>();
    for (const s of catalog.sensors) {
      const sensor = parseSensor(s);
      for (const d of sensor.spec.dependencies) sensors.set(d.eventName, sensor);
    }
    hooks = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        received.push({ headers: req.headers, raw, body: JSON.parse(raw) as Notification });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', r));
    const address = hooks.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    platform = createPlatform({
      store,
      engine,
      dispatcher: new SensorDispatcher(sensors, engine),
      logger,
      clock: () => now,
      tierPolicy: await loadTierPolicy(
        path.join(import.meta.dirname, 'testdata', 'tiers-fast-development.json'),
      ),
      notifications: [
        {
          url: `http://127.0.0.1:${port}/hooks`,
          secret: { kind: 'secret', name: 'plinth-notifications', key: 'token' },
        },
      ],
      secrets: createSecretResolver({
        env: { PLINTH_SECRET_PLINTH_NOTIFICATIONS_TOKEN: HOOK_SECRET },
      }),
      ttlCheckIntervalMs: 0,
    });
    await platform.start();
  }, 30_000);

  afterAll(async () => {
    await platform?.stop();
    await engine?.stop();
    await store?.close();
    await new Promise((r) => hooks?.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  const envIs = (name: string, status: string) =>
    until(`environment ${name} ${status}`, async () => {
      await platform.settled();
      const env = await platform.environments.get(name);
      if (env.status === 'Failed' && status !== 'Failed') {
        throw new Error(`environment ${name} failed: ${env.message}`);
      }
      return env.status === status ? env : undefined;
    });

  const runOf = (requestId: string) =>
    until(`a run of request ${requestId}`, async () => {
      const request = await platform.requests.get(requestId);
      return request.runs[0]?.id;
    });

  const waitingRun = (runId: string) =>
    until(`run ${runId} at its approval`, async () => {
      const run = await platform.runs.get(runId);
      if (run.phase === 'Failed' || run.phase === 'Error') {
        throw new Error(`run ${runId} ${run.phase}: ${run.message}`);
      }
      return run.waitingForApproval ? run : undefined;
    });

  const finished = (runId: string) =>
    until(`run ${runId} to end`, async () => {
      const run = await platform.runs.get(runId);
      return ['Succeeded', 'Failed', 'Error'].includes(run.phase) ? run : undefined;
    });

  it('creates a development environment without an approval, and notifies, signed', async () => {
    const accepted = await platform.environments.create(
      { name: 'dev-a', region: 'eastus2' },
      alice,
    );
    const env = await envIs('dev-a', 'Ready');
    expect(env.outputs).toMatchObject({ name: 'dev-a', region: 'eastus2' });
    const run: RunView = await platform.runs.get(await runOf(accepted.id));
    expect(run.phase).toBe('Succeeded');
    expect(run.nodes.find((n) => n.displayName === 'approve')).toMatchObject({
      type: 'Skipped',
      phase: 'Skipped',
    });

    await platform.notifications.settled();
    const mine = received.filter((r) => r.body.requestId === accepted.id);
    expect(mine.map((r) => r.body.event)).toEqual(['request.accepted', 'run.succeeded']);
    for (const r of mine) {
      expect(r.headers['x-plinth-signature-256']).toBe(signatureOf(HOOK_SECRET, r.raw));
      expect(r.raw).not.toContain(HOOK_SECRET);
    }
  }, 300_000);

  it('waits for an approver of the team on staging, and an update shows its plan at the approval', async () => {
    const created = await platform.environments.create(
      { name: 'stage-a', region: 'eastus2', tier: 'staging' },
      alice,
    );
    const gate = await waitingRun(await runOf(created.id));
    await platform.notifications.settled();
    expect(
      received.some((r) => r.body.event === 'approval.needed' && r.body.runId === gate.id),
    ).toBe(true);
    await platform.runs.approve(gate.id, { actor: bob });
    await envIs('stage-a', 'Ready');

    const changed = await platform.environments.update('stage-a', { region: 'westus' }, alice);
    expect(changed.request?.action).toBe('update');
    expect((await platform.environments.get('stage-a')).status).toBe('Provisioning');
    const updateGate = await waitingRun(await runOf(changed.request!.id));
    expect(updateGate.action).toBe('update');
    // terraform_data.environment is replaced: the region is one of its triggers.
    expect(updateGate.approval?.planSummary).toMatchObject({ add: 1, change: 0, destroy: 1 });
    await platform.runs.approve(updateGate.id, { actor: bob });
    const updated = await envIs('stage-a', 'Ready');
    expect(updated.region).toBe('westus');
    expect(updated.outputs).toMatchObject({ region: 'westus' });
  }, 300_000);

  it('finds drift made outside Plinth and reconciles it with an approved run', async () => {
    const before: EnvironmentView = await platform.environments.get('stage-a');
    await promisify(execFile)(
      'terraform',
      ['apply', '-auto-approve', '-input=false', '-var', 'name=stage-a', '-var', 'region=northeu'],
      {
        cwd: workspaceDir(dataDir, 'environment-stage-a'),
        env: { ...process.env, CHECKPOINT_DISABLE: '1' },
      },
    );
    const check = await platform.environments.driftCheck('stage-a', alice);
    const checkRun = await finished(await runOf(check.id));
    expect(checkRun.phase).toBe('Succeeded');
    const drifted = await until('the drift result', async () => {
      await platform.settled();
      const env = await platform.environments.get('stage-a');
      return env.drift?.runId === checkRun.id ? env : undefined;
    });
    expect(drifted.drifted).toBe(true);
    expect(drifted.status).toBe('Ready');
    expect(drifted.lastRequestId).toBe(before.lastRequestId);
    expect(drifted.drift?.changes).toEqual([
      {
        address: 'terraform_data.environment',
        actions: expect.arrayContaining(['create', 'delete']),
      },
    ]);

    const reconcile = await platform.environments.reconcile('stage-a', alice);
    const gate = await waitingRun(await runOf(reconcile.id));
    expect(gate.approval?.planSummary).toMatchObject({ add: 1, destroy: 1 });
    await platform.runs.approve(gate.id, { actor: bob });
    await envIs('stage-a', 'Ready');
    const reconciled = await until('the drift to clear', async () => {
      await platform.settled();
      const env = await platform.environments.get('stage-a');
      return env.drifted ? undefined : env;
    });
    expect(reconciled.outputs).toMatchObject({ region: 'westus' });

    const again = await platform.environments.driftCheck('stage-a', alice);
    const againRun = await finished(await runOf(again.id));
    const clean = await until('the second drift result', async () => {
      await platform.settled();
      const env = await platform.environments.get('stage-a');
      return env.drift?.runId === againRun.id ? env : undefined;
    });
    expect(clean.drifted).toBe(false);
    expect(clean.drift?.changes).toEqual([]);
  }, 300_000);

  it('warns before a TTL ends, then destroys the development environment without an approval', async () => {
    await platform.environments.create({ name: 'tmp-a', region: 'eastus2', ttl: '8h' }, alice);
    const ready = await envIs('tmp-a', 'Ready');
    expect(ready.expiresAt).toBe('2026-03-01T16:00:00.000Z');

    now = new Date('2026-03-01T15:30:00Z');
    expect(await platform.ttl.tick()).toEqual({ warned: ['tmp-a'], expired: [] });
    expect(await platform.ttl.tick()).toEqual({ warned: [], expired: [] });
    await platform.notifications.settled();
    expect(
      received.some(
        (r) => r.body.event === 'environment.expiring' && r.body.environment === 'tmp-a',
      ),
    ).toBe(true);

    now = new Date('2026-03-01T16:00:01Z');
    expect(await platform.ttl.tick()).toEqual({ warned: [], expired: ['tmp-a'] });
    const destroying = await platform.environments.get('tmp-a');
    const request = await platform.requests.get(destroying.lastRequestId!);
    expect(request).toMatchObject({ action: 'delete', requester: TTL_REQUESTER });
    await envIs('tmp-a', 'Destroyed');
    now = new Date('2026-03-01T08:00:00Z');
  }, 300_000);

  it('never expires production or protected environments', async () => {
    const err = await platform.environments
      .create({ name: 'prod-x', region: 'eastus2', tier: 'production', ttl: '1h' }, alice)
      .catch((e: unknown) => e);
    expect(isPlinthError(err, 'INVALID_INPUT')).toBe(true);
    const protectedErr = await platform.environments
      .create({ name: 'keep-x', region: 'eastus2', protected: true, ttl: '1h' }, alice)
      .catch((e: unknown) => e);
    expect(isPlinthError(protectedErr, 'INVALID_INPUT')).toBe(true);

    const extendErr = await platform.environments
      .extend('stage-a', { ttl: '1h' }, alice)
      .then(() => platform.environments.update('stage-a', { protected: true }, alice))
      .then(() => platform.environments.extend('stage-a', { ttl: '1h' }, alice))
      .catch((e: unknown) => e);
    expect(isPlinthError(extendErr, 'CONFLICT')).toBe(true);
    const kept = await platform.environments.get('stage-a');
    expect(kept).toMatchObject({ protected: true, expiresAt: null });
    now = new Date('2027-01-01T00:00:00Z');
    expect((await platform.ttl.tick()).expired).toEqual([]);
    now = new Date('2026-03-01T08:00:00Z');
  });
});
