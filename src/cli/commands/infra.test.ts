import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../api/index.js';
import { loadCatalog } from '../../catalog/index.js';
import { createPlatform, type Platform } from '../../platform/index.js';
import { createSqliteStore, type Store } from '../../store/index.js';
import { createWorkflowEngine, type WorkflowEngine } from '../../workflows/index.js';
import { runCli } from '../program.js';
import { memoryIO } from '../testing/fake-api.js';

const catalogDir = fileURLToPath(new URL('../../../catalog', import.meta.url));
const here = fileURLToPath(new URL('.', import.meta.url));

describe('plinth catalog and plinth infra against the real API', () => {
  let dir: string;
  let store: Store;
  let engine: WorkflowEngine;
  let platform: Platform;
  let app: FastifyInstance;
  let env: Record<string, string>;
  const sent: { eventName: string; body: Record<string, unknown> }[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'plinth-cli-infra-'));
    store = await createSqliteStore({ filename: join(dir, 'plinth.db') });
    const logger = pino({ level: 'silent' });
    engine = createWorkflowEngine({ store, logger, dataDir: dir });
    platform = createPlatform({
      store,
      engine,
      logger,
      kinds: (await loadCatalog(catalogDir)).kinds,
      dispatcher: { dispatch: async (eventName, body) => void sent.push({ eventName, body }) },
    });
    const admin = (await platform.auth.ensureAdminToken()) ?? '';
    app = buildApi({ platform, logger });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as AddressInfo).port;
    env = { PLINTH_SERVER: `http://127.0.0.1:${port}`, PLINTH_TOKEN: admin };
  });
  afterAll(async () => {
    await app.close();
    await platform.stop();
    await engine.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function cli(args: string[]) {
    const io = memoryIO(env, { cwd: here, briefWaitMs: 50 });
    const code = await runCli(args, io);
    return { code, out: io.out(), err: io.err() };
  }

  it('lists the kinds and shows one with its fields', async () => {
    const list = await cli(['catalog', 'list']);
    expect(list.code).toBe(0);
    expect(list.out).toMatch(/compute\s+Compute\s+yes/);
    expect(list.out).toContain('database');
    const json = await cli(['catalog', 'get', 'compute', '-o', 'json']);
    expect(JSON.parse(json.out)).toMatchObject({ name: 'compute', schema: { type: 'object' } });
    const get = await cli(['catalog', 'get', 'compute']);
    expect(get.out).toMatch(/cloud_provider\s+string\s+yes\s+azure\|aws\|gcp/);
    const missing = await cli(['catalog', 'get', 'queue']);
    expect(missing.code).not.toBe(0);
    expect(missing.err).toMatch(/no request kind "queue"/);
  });

  it('creates from --set and -f, typing values by the schema; lists, gets and deletes', async () => {
    const created = await cli([
      'infra',
      'create',
      'compute',
      '--set',
      'region=eastus2',
      '--set',
      'cloud_provider=azure',
      '--set',
      'resource_type=vm',
      '--set',
      'environment=dev',
      '--set',
      'requester_name=Jim Musana',
      '--set',
      'requester_email=musanajim@gmail.com',
      '-o',
      'json',
    ]);
    expect(created.code).toBe(0);
    const { request } = JSON.parse(created.out) as { request: { id: string; target: string } };
    expect(sent.at(-1)).toMatchObject({
      eventName: 'compute',
      body: { resource_type: 'vm', requester_name: 'Jim Musana', request_id: request.id },
    });

    const fromFile = await cli([
      'infra',
      'create',
      'storage',
      '-f',
      'testdata/storage-input.json',
      '--set',
      'size_gb=20',
      '--set',
      'versioning=true',
    ]);
    expect(fromFile.code).toBe(0);
    expect(fromFile.out).toMatch(/Request \S+ accepted \(create storage storage-[0-9a-f]{8}\)/);
    expect(sent.at(-1)?.body).toMatchObject({ bucket: 'logs', size_gb: 20, versioning: true });

    const list = await cli(['infra', 'list']);
    expect(list.out).toMatch(/storage\s+storage-[0-9a-f]{8}\s+Provisioning/);
    expect(list.out).toContain(request.target);
    const onlyCompute = await cli(['infra', 'list', 'compute', '-o', 'json']);
    expect(
      (JSON.parse(onlyCompute.out) as { items: { kind: string }[] }).items.map((r) => r.kind),
    ).toEqual(['compute']);

    const get = await cli(['infra', 'get', 'compute', request.target]);
    expect(get.code).toBe(0);
    expect(get.out).toMatch(/Status:\s+Provisioning/);
    expect(get.out).toContain('resource_type = vm');

    const del = await cli(['infra', 'delete', 'compute', request.target]);
    expect(del.code).not.toBe(0);
    expect(del.err).toMatch(/cannot be deleted now: it is Provisioning/);
  });

  it('updates a Ready resource: PATCH by default, PUT with --replace', async () => {
    const created = await cli([
      'infra',
      'create',
      'storage',
      '-f',
      'testdata/storage-input.json',
      '-o',
      'json',
    ]);
    const { request } = JSON.parse(created.out) as { request: { target: string } };
    const early = await cli(['infra', 'update', 'storage', request.target, '--set', 'size_gb=50']);
    expect(early.code).not.toBe(0);
    expect(early.err).toMatch(/cannot be updated now: it is Provisioning/);
    await store.resources.update('storage', request.target, { status: 'Ready' });
    const patched = await cli([
      'infra',
      'update',
      'storage',
      request.target,
      '--set',
      'size_gb=50',
    ]);
    expect(patched.code, patched.err).toBe(0);
    expect(patched.out).toMatch(/Request \S+ accepted \(update storage storage-[0-9a-f]{8}\)/);
    expect(sent.at(-1)).toMatchObject({
      eventName: 'storage',
      body: { bucket: 'logs', size_gb: 50, action: 'update', name: request.target },
    });
    await store.resources.update('storage', request.target, { status: 'Ready' });
    const replaced = await cli([
      'infra',
      'update',
      'storage',
      request.target,
      '--replace',
      '--set',
      'size_gb=5',
    ]);
    expect(replaced.code).not.toBe(0);
    expect(replaced.err).toMatch(/region/);
  });

  it('names each bad field and its fix', async () => {
    const bad = await cli(['infra', 'create', 'compute', '--set', 'region=EAST', '--set', 'oops']);
    expect(bad.code).not.toBe(0);
    expect(bad.err).toMatch(/oops/);
    const invalid = await cli(['infra', 'create', 'database', '--set', 'engine=oracle']);
    expect(invalid.code).not.toBe(0);
    expect(invalid.err).toMatch(/engine.*(postgres|allowed)/);
    expect(invalid.err).toMatch(/region/);
  });
});
