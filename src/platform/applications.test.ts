import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../catalog/index.js';
import { isPlinthError } from '../errors/index.js';
import { evaluateSensor, parseSensor, type Sensor } from '../sensors/index.js';
import { createSqliteStore, type Store } from '../store/index.js';
import {
  createTemplateRegistry,
  createWorkflowEngine,
  parseWorkflowTemplate,
  type Workflow,
  type WorkflowEngine,
} from '../workflows/index.js';
import { createSecretBox, loadSecretKey } from './crypto.js';
import { parse as parseYaml } from 'yaml';
import { createPlatform, type Platform } from './platform.js';
import type { Dispatcher, Principal } from './types.js';

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
const SECRET = 'hunter2-do-not-leak-7f3a';

const alice: Principal = { tokenId: 't1', name: 'alice', role: 'developer', team: 'payments' };
const mallory: Principal = { tokenId: 't3', name: 'mallory', role: 'developer', team: 'other' };
const viewer: Principal = { tokenId: 't2', name: 'vic', role: 'viewer', team: 'payments' };

/**
 * Posts a request the way the webhook EventSource and the catalog's Sensor
 * would: a CloudEvent through the Sensor, and the Workflow it makes to the engine.
 */
class SensorDispatcher implements Dispatcher {
  readonly bodies: Record<string, unknown>[] = [];
  constructor(
    private readonly sensors: Map<string, Sensor>,
    private readonly engine: WorkflowEngine,
  ) {}
  async dispatch(eventName: string, body: Record<string, unknown>): Promise<void> {
    this.bodies.push(body);
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

describe('applications and configuration through the catalog and the engine', () => {
  let dir: string;
  let store: Store;
  let engine: WorkflowEngine;
  let platform: Platform;
  let dispatcher: SensorDispatcher;
  const logLines: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'plinth-apps-'));
    const binDir = path.join(dir, 'bin');
    execFileSync('mkdir', ['-p', binDir]);
    const launcher = path.join(binDir, 'plinth');
    writeFileSync(
      launcher,
      `#!/bin/sh\nexec ${JSON.stringify(path.join(projectRoot, 'node_modules/.bin/tsx'))} ${JSON.stringify(path.join(projectRoot, 'src/cli/main.ts'))} "$@"\n`,
    );
    chmodSync(launcher, 0o755);
    const dataDir = path.join(dir, 'data');
    store = await createSqliteStore({ filename: path.join(dataDir, 'plinth.db') });
    const catalog = await loadCatalog(path.join(projectRoot, 'catalog'));
    const templates = createTemplateRegistry();
    for (const t of catalog.workflowTemplates) templates.set(parseWorkflowTemplate(t));
    const logger = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) });
    engine = createWorkflowEngine({
      store,
      logger,
      dataDir,
      templates,
      stepEnv: { PLINTH_DATA_DIR: dataDir, PATH: `${binDir}:/usr/bin:/bin` },
    });
    await engine.start();
    const sensors = new Map<string, Sensor>();
    for (const s of catalog.sensors) {
      const sensor = parseSensor(s);
      for (const d of sensor.spec.dependencies) sensors.set(d.eventName, sensor);
    }
    dispatcher = new SensorDispatcher(sensors, engine);
    platform = createPlatform({
      store,
      engine,
      dispatcher,
      logger,
      secretKey: loadSecretKey({ dataDir }),
    });
    await platform.start();
    const now = new Date().toISOString();
    await store.environments.insert({
      name: 'dev1',
      team: 'payments',
      status: 'Ready',
      inputs: { region: 'eastus2' },
      outputs: { namespace: 'dev1-ns' },
      lastRequestId: null,
      message: null,
      createdBy: 'alice',
      createdAt: now,
      updatedAt: now,
    });
  }, 30_000);

  afterAll(async () => {
    await platform?.stop();
    await engine?.stop();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function settle(env: string, name: string, requestId: string) {
    const deadline = Date.now() + 30_000;
    for (;;) {
      await platform.settled();
      const d = await store.applications.getDeployment(requestId);
      if (d?.status === 'Failed') throw new Error(`deployment ${requestId} failed: ${d.message}`);
      if (d && d.status === 'Deployed') {
        return platform.applications.get(env, name);
      }
      if (Date.now() > deadline) throw new Error(`deployment ${requestId} did not end`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  const repo = () => path.join(dir, 'data', 'gitops', 'dev1');
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: repo(), encoding: 'utf8' }).trim();

  it('refuses bad input, an environment that is not Ready, and another team', async () => {
    const err = await platform.applications
      .deploy({ environment: 'dev1', name: 'Web', image: 'x; rm -rf /', colour: 1 }, alice)
      .catch((e: unknown) => e);
    expect(isPlinthError(err, 'INVALID_INPUT') && err.errors.map((e) => e.field).sort()).toEqual([
      'colour',
      'image',
      'name',
      'version',
    ]);
    const body = { environment: 'dev1', name: 'web', image: 'nginx:1', version: '1' };
    await expect(platform.applications.deploy(body, mallory)).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringContaining('applications:write'),
    });
    await expect(platform.applications.deploy(body, viewer)).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(
      platform.applications.deploy({ ...body, environment: 'nope' }, alice),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  let first: string;
  it('deploys: the Workflow commits the manifests and the revision is the commit', async () => {
    const set = await platform.configuration.set(
      'dev1',
      'web',
      { values: { LOG_LEVEL: 'info' }, secrets: { DB_PASSWORD: SECRET } },
      alice,
    );
    expect(set).toMatchObject({
      configuration: { version: 1, secrets: ['DB_PASSWORD'] },
      request: null,
    });
    const accepted = await platform.applications.deploy(
      {
        environment: 'dev1',
        name: 'web',
        image: 'ghcr.io/acme/web:1.0.0',
        version: '1.0.0',
        replicas: 2,
        port: 8080,
      },
      alice,
    );
    expect(accepted.links.target).toBe('/api/v1/environments/dev1/applications/web');
    const app = await settle('dev1', 'web', accepted.id);
    expect(app.message).toBeNull();
    expect(app).toMatchObject({
      name: 'web',
      environment: 'dev1',
      version: '1.0.0',
      status: 'Deployed',
      configVersion: 1,
    });
    expect(app.revision).toMatch(/^[0-9a-f]{40}$/);
    expect(git('rev-parse', 'HEAD')).toBe(app.revision);
    expect(git('log', '-1', '--format=%s')).toBe('Deploy web 1.0.0 to dev1');
    const deployment = readFileSync(path.join(repo(), 'apps/web/deployment.yaml'), 'utf8');
    expect(deployment).toContain('image: ghcr.io/acme/web:1.0.0');
    expect(deployment).toContain('namespace: dev1-ns');
    expect(deployment).toContain('replicas: 2');
    expect(readFileSync(path.join(repo(), 'apps/web/configmap.yaml'), 'utf8')).toContain(
      'LOG_LEVEL: info',
    );
    expect(git('ls-files').split('\n').sort()).toEqual([
      'apps/web/configmap.yaml',
      'apps/web/deployment.yaml',
      'apps/web/service.yaml',
    ]);
    expect((await platform.requests.get(accepted.id)).status).toBe('Succeeded');
    first = app.revision ?? '';
  }, 60_000);

  it('delivers a new configuration version as a new commit, and diffs versions by secret name only', async () => {
    const change = await platform.configuration.set(
      'dev1',
      'web',
      { values: { LOG_LEVEL: 'debug', FEATURE: 'on' }, secrets: { DB_PASSWORD: `${SECRET}-2` } },
      alice,
    );
    expect(change.configuration.version).toBe(2);
    expect(change.request).not.toBeNull();
    const app = await settle('dev1', 'web', change.request?.id ?? '');
    expect(app).toMatchObject({ version: '1.0.0', configVersion: 2, status: 'Deployed' });
    expect(app.revision).not.toBe(first);
    expect(readFileSync(path.join(repo(), 'apps/web/configmap.yaml'), 'utf8')).toContain(
      'FEATURE: "on"',
    );
    expect(readFileSync(path.join(repo(), 'apps/web/configmap.yaml'), 'utf8')).toContain(
      'LOG_LEVEL: debug',
    );
    const diff = await platform.configuration.diff('dev1', 'web', 1, 2);
    expect(diff.values).toEqual({
      added: { FEATURE: 'on' },
      removed: {},
      changed: { LOG_LEVEL: { from: 'info', to: 'debug' } },
    });
    expect(diff.secrets).toEqual({ added: [], removed: [], changed: ['DB_PASSWORD'] });
    const got = await platform.configuration.get('dev1', 'web');
    expect(got).toMatchObject({
      version: 2,
      values: { LOG_LEVEL: 'debug' },
      secrets: ['DB_PASSWORD'],
    });
  }, 60_000);

  it('rolls back to an earlier version: a new deployment of what it last delivered at that version', async () => {
    const second = await platform.applications.deploy(
      { environment: 'dev1', name: 'web', image: 'ghcr.io/acme/web:2.0.0', version: '2.0.0' },
      alice,
    );
    expect(await settle('dev1', 'web', second.id)).toMatchObject({
      message: null,
      version: '2.0.0',
      status: 'Deployed',
    });
    const back = await platform.applications.rollback('dev1', 'web', { version: '1.0.0' }, alice);
    const app = await settle('dev1', 'web', back.id);
    expect(app).toMatchObject({
      version: '1.0.0',
      configVersion: 2,
      image: 'ghcr.io/acme/web:1.0.0',
    });
    expect(git('rev-parse', 'HEAD')).toBe(app.revision);
    expect(readFileSync(path.join(repo(), 'apps/web/configmap.yaml'), 'utf8')).toContain(
      'LOG_LEVEL: debug',
    );
    const history = await platform.applications.history('dev1', 'web');
    expect(history.items.map((d) => [d.action, d.version])).toEqual([
      ['rollback', '1.0.0'],
      ['deploy', '2.0.0'],
      ['configure', '1.0.0'],
      ['deploy', '1.0.0'],
    ]);
    await expect(
      platform.applications.rollback('dev1', 'web', { version: '9.9.9' }, alice),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  }, 90_000);

  it('deploys on a push: the github Sensor maps the repository to the application', async () => {
    const here = path.dirname(fileURLToPath(import.meta.url));
    const sensor = parseSensor(
      parseYaml(
        readFileSync(path.join(here, '../../catalog/sensors/deploy-on-push.yaml'), 'utf8'),
      ) as Record<string, unknown>,
    );
    const event = JSON.parse(
      readFileSync(path.join(here, 'testdata/github-push.json'), 'utf8'),
    ) as Parameters<typeof evaluateSensor>[1][number];
    const other = {
      ...event,
      data: { header: {}, body: { ref: 'refs/heads/main', repository: { full_name: 'acme/api' } } },
    };
    expect((await evaluateSensor(sensor, [other])).triggers[0]?.fired).toBe(false);
    const decision = await evaluateSensor(sensor, [event]);
    const trigger = decision.triggers[0];
    expect(trigger?.fired).toBe(true);
    const wf = await engine.submit(trigger?.resource as Workflow);
    const deadline = Date.now() + 30_000;
    let app = await platform.applications.get('dev1', 'web');
    while (app.lastRequestId !== `run-${wf.metadata.uid}` || app.status !== 'Deployed') {
      if (app.status === 'Failed' || Date.now() > deadline)
        throw new Error(app.message ?? 'timed out');
      await new Promise((r) => setTimeout(r, 50));
      await platform.settled();
      app = await platform.applications.get('dev1', 'web');
    }
    expect(app).toMatchObject({
      version: '9fceb02',
      image: 'ghcr.io/acme/web:9fceb02d0ae598e95dc970b74767f19372d61af8',
      configVersion: 2,
    });
    expect(git('rev-parse', 'HEAD')).toBe(app.revision);
    expect(app.history?.[0]).toMatchObject({ requester: 'webhook', action: 'deploy' });
  }, 60_000);

  it('never lets a secret value out: store tables, logs, dispatched events, node outputs, git', async () => {
    const db = readFileSync(path.join(dir, 'data', 'plinth.db'));
    expect(db.includes(Buffer.from(SECRET))).toBe(false);
    const wal = path.join(dir, 'data', 'plinth.db-wal');
    expect(readFileSync(wal).includes(Buffer.from(SECRET))).toBe(false);
    expect(logLines.join('\n')).not.toContain(SECRET);
    expect(JSON.stringify(dispatcher.bodies)).not.toContain(SECRET);
    for (const wf of await engine.list({ limit: 100 })) {
      expect(JSON.stringify(wf)).not.toContain(SECRET);
      for await (const line of engine.logs(wf.metadata.namespace ?? '', wf.metadata.name ?? '')) {
        expect(line.text).not.toContain(SECRET);
      }
    }
    expect(
      execFileSync('git', ['log', '-p', '--all'], { cwd: repo(), encoding: 'utf8' }),
    ).not.toContain(SECRET);
    const stored = await store.applications.latestConfigVersion('dev1', 'web');
    expect(JSON.stringify(stored)).not.toContain(SECRET);
    // What is stored opens with the key, and only under the secret's own name.
    const box = createSecretBox(loadSecretKey({ dataDir: path.join(dir, 'data') }));
    const sealed = stored?.sealedSecrets['DB_PASSWORD'] ?? '';
    expect(box.open(sealed, 'plinth/config/dev1/web/DB_PASSWORD')).toBe(`${SECRET}-2`);
    expect(() => box.open(sealed, 'plinth/config/dev1/web/OTHER')).toThrow(/cannot be decrypted/);
    expect(statSync(path.join(dir, 'data', 'secret.key')).mode & 0o777).toBe(0o600);
  });
  it('catches up on start with runs that ended while the platform was down', async () => {
    const app = await platform.applications.get('dev1', 'web');
    await store.applications.updateDeployment(app.lastRequestId, {
      status: 'Deploying',
      revision: null,
    });
    const again = createPlatform({ store, engine, dispatcher, logger: pino({ level: 'silent' }) });
    await again.start();
    await again.stop();
    expect(await platform.applications.get('dev1', 'web')).toMatchObject({
      status: 'Deployed',
      revision: app.revision,
    });
  });
});
