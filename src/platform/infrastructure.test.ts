import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog, type Catalog } from '../catalog/index.js';
import { isPlinthError } from '../errors/index.js';
import { createEventBus, type EventBus } from '../eventbus/index.js';
import { createWebhookEventSources, parseEventSource } from '../eventsources/index.js';
import { createSensorController, parseSensor, type SensorController } from '../sensors/index.js';
import { createSqliteStore, type Store } from '../store/index.js';
import {
  createTemplateRegistry,
  createWorkflowEngine,
  parseWorkflowTemplate,
  type WorkflowEngine,
} from '../workflows/index.js';
import { createHttpDispatcher } from './dispatcher.js';
import { createPlatform, type Platform } from './platform.js';
import type { Principal } from './types.js';

/** The shipped catalog's request kinds, in name order. */
const SIX_KINDS = ['application', 'compute', 'configuration', 'database', 'environment', 'storage'];

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
const catalogDir = path.join(projectRoot, 'catalog');
const terraformBin = process.env.PLINTH_TERRAFORM_BIN ?? 'terraform';

const alice: Principal = { tokenId: 't1', name: 'alice', role: 'developer', team: 'payments' };
const bob: Principal = { tokenId: 't3', name: 'bob', role: 'approver', team: 'payments' };
const vic: Principal = { tokenId: 't2', name: 'vic', role: 'viewer', team: null };

const seedBody = {
  region: 'eastus2',
  cloud_provider: 'azure',
  resource_type: 'kubernetes',
  environment: 'dev',
  requester_name: 'Jim Musana',
  requester_email: 'musanajim@gmail.com',
};

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 60_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * The catalog's compute kind through the real chain: the platform dispatches
 * to the webhook EventSource, the bus carries the event to the compute Sensor,
 * the engine runs the WorkflowTemplate with terraform and the catalog's module.
 */
describe('infrastructure requests of the catalog kinds', () => {
  let dir: string;
  let catalog: Catalog;
  let store: Store;
  let bus: EventBus;
  let engine: WorkflowEngine;
  let sensors: SensorController;
  let sources: ReturnType<typeof createWebhookEventSources>;
  let platform: Platform;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'plinth-infra-'));
    const logger = pino({ level: 'silent' });
    catalog = await loadCatalog(catalogDir);
    store = await createSqliteStore({ filename: path.join(dir, 'plinth.db') });
    bus = await createEventBus({ bus: 'embedded', dataDir: dir, logger });
    const templates = createTemplateRegistry();
    for (const t of catalog.workflowTemplates) templates.set(parseWorkflowTemplate(t));
    engine = createWorkflowEngine({
      store,
      logger,
      dataDir: dir,
      templates,
      stepEnv: {
        PLINTH_DATA_DIR: dir,
        PLINTH_CATALOG_DIR: catalogDir,
        PLINTH_TERRAFORM_BIN: terraformBin,
      },
    });
    await engine.start();
    sources = createWebhookEventSources({
      // The requests' EventSources; the github one (deploy on push) needs a secret store.
      eventSources: catalog.eventSources
        .filter((e) => e.metadata.name !== 'github')
        .map((e) => parseEventSource(e)),
      bus,
      host: '127.0.0.1',
      portMap: new Map([[12000, 0]]),
      logger,
    });
    await sources.start();
    const endpoint = sources.endpoints().find((e) => e.eventName === 'compute');
    if (!endpoint) throw new Error('no compute endpoint');
    sensors = createSensorController({ bus, workflows: engine, logger });
    await sensors.start(catalog.sensors.map((s) => parseSensor(s)));
    platform = createPlatform({
      store,
      engine,
      bus,
      logger,
      kinds: catalog.kinds,
      dispatcher: createHttpDispatcher({ baseUrl: new URL(endpoint.url).origin }),
    });
    await platform.start();
  });

  afterAll(async () => {
    await platform?.stop();
    await sensors?.stop();
    await sources?.stop();
    await engine?.stop();
    await bus?.close();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists the kinds with their schemas', () => {
    expect(platform.catalog.list().map((k) => k.name)).toEqual(SIX_KINDS);
    const compute = platform.catalog.get('compute');
    expect(compute.runs).toEqual({
      eventSourceName: 'infrastructure',
      eventName: 'compute',
      workflowTemplate: 'compute',
      module: 'compute',
    });
    expect(Object.keys(compute.schema['properties'] as object)).toEqual(Object.keys(seedBody));
    expect(() => platform.catalog.get('queue')).toThrow(
      /compute, configuration, database, environment, storage/,
    );
  });

  it('refuses input against the kind schema, naming each field and its fix', async () => {
    const err = await platform.infrastructure
      .create(
        'compute',
        { ...seedBody, cloud_provider: 'ibm', colour: 'blue', region: undefined },
        alice,
      )
      .catch((e: unknown) => e);
    expect(isPlinthError(err, 'INVALID_INPUT')).toBe(true);
    const problems = isPlinthError(err) ? err.errors : [];
    expect(problems.map((p) => p.field).sort()).toEqual(['cloud_provider', 'colour', 'region']);
    expect(problems.find((p) => p.field === 'cloud_provider')?.fix).toBe(
      'use one of "azure", "aws", "gcp"',
    );
    expect(problems.find((p) => p.field === 'colour')?.fix).toMatch(/allowed fields are region,/);
    await expect(platform.infrastructure.create('queue', {}, alice)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(platform.infrastructure.create('compute', seedBody, vic)).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    expect((await platform.infrastructure.list()).items).toEqual([]);
  });

  it('provisions compute: plan, approve, apply, outputs; then destroys it', async () => {
    const accepted = await platform.infrastructure.create('compute', seedBody, alice);
    expect(accepted).toMatchObject({ kind: 'compute', action: 'create', status: 'Pending' });
    const name = accepted.target;
    expect(name).toMatch(/^compute-[0-9a-f]{8}$/);
    expect(accepted.links.target).toBe(`/api/v1/infrastructure/compute/${name}`);

    // The run waits at its approval after planning.
    const run = await until('the run to wait for approval', async () => {
      const runs = await platform.runs.list({ requestId: accepted.id });
      const first = runs.items[0];
      if (!first) return undefined;
      const view = await platform.runs.get(first.id);
      return view.nodes.some((n) => n.type === 'Suspend' && n.phase === 'Running')
        ? view
        : undefined;
    });
    expect(run.phase).toBe('Running');
    await platform.settled();
    expect(await platform.infrastructure.get('compute', name)).toMatchObject({
      status: 'Provisioning',
      inputs: seedBody,
      message: expect.stringContaining('waiting for approval'),
    });

    await platform.runs.approve(run.id, { actor: bob });
    const ready = await until('the resource to be Ready', async () => {
      await platform.settled();
      const r = await platform.infrastructure.get('compute', name);
      if (r.status === 'Failed') throw new Error(`failed: ${r.message}`);
      return r.status === 'Ready' ? r : undefined;
    });
    expect(ready.outputs).toMatchObject({
      name,
      region: 'eastus2',
      provider: 'azure',
      type: 'kubernetes',
      environment: 'dev',
      owner: 'musanajim@gmail.com',
      endpoint: `https://api.${name}.eastus2.azure.compute.example.internal:6443`,
    });
    expect(ready.outputs['id']).toEqual(expect.any(String));
    expect((await platform.requests.get(accepted.id)).status).toBe('Succeeded');

    // A change of inputs plans, waits for an approval that shows the plan's changes, and applies.
    await expect(
      platform.infrastructure.update('compute', name, { name: 'other' }, 'merge', alice),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    const update = await platform.infrastructure.update(
      'compute',
      name,
      { region: 'westus' },
      'merge',
      alice,
    );
    expect(update).toMatchObject({ kind: 'compute', action: 'update', target: name });
    await expect(
      platform.infrastructure.update('compute', name, { region: 'northeurope' }, 'merge', alice),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    const updateRun = await until('the update run to wait for approval', async () => {
      const first = (await platform.runs.list({ requestId: update.id })).items[0];
      if (!first) return undefined;
      const view = await platform.runs.get(first.id);
      return view.waitingForApproval ? view : undefined;
    });
    const plan = updateRun.approval?.planSummary;
    expect(plan).toBeDefined();
    expect((plan?.add ?? 0) + (plan?.change ?? 0) + (plan?.destroy ?? 0)).toBeGreaterThan(0);
    await platform.runs.approve(updateRun.id, { actor: bob });
    const updated = await until('the update to apply', async () => {
      await platform.settled();
      const r = await platform.infrastructure.get('compute', name);
      if (r.status === 'Failed') throw new Error(`failed: ${r.message}`);
      return r.status === 'Ready' && r.lastRequestId === update.id ? r : undefined;
    });
    expect(updated.inputs).toEqual({ ...seedBody, region: 'westus' });
    expect(updated.outputs).toMatchObject({ name, region: 'westus' });

    const deletion = await platform.infrastructure.delete('compute', name, alice);
    await expect(platform.infrastructure.delete('compute', name, alice)).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    const destroyRun = await until('the destroy run to wait for approval', async () => {
      const first = (await platform.runs.list({ requestId: deletion.id })).items[0];
      if (!first) return undefined;
      const view = await platform.runs.get(first.id);
      return view.nodes.some((n) => n.type === 'Suspend' && n.phase === 'Running')
        ? view
        : undefined;
    });
    await platform.runs.approve(destroyRun.id, { actor: bob });
    const destroyed = await until('the resource to be Destroyed', async () => {
      await platform.settled();
      const r = await platform.infrastructure.get('compute', name);
      if (r.status === 'Failed') throw new Error(`failed: ${r.message}`);
      return r.status === 'Destroyed' ? r : undefined;
    });
    expect(destroyed.outputs).toEqual({});
  }, 120_000);
});
