import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../api/index.js';
import {
  createPlatform,
  loadSecretKey,
  type Dispatcher,
  type Platform,
} from '../../platform/index.js';
import { createSqliteStore, type Store } from '../../store/index.js';
import { createWorkflowEngine, type WorkflowEngine } from '../../workflows/index.js';
import { runCli } from '../program.js';
import { memoryIO } from '../testing/fake-api.js';

const SECRET = 'cli-secret-never-printed';

class RecordingDispatcher implements Dispatcher {
  readonly sent: { eventName: string; body: Record<string, unknown> }[] = [];
  async dispatch(eventName: string, body: Record<string, unknown>): Promise<void> {
    this.sent.push({ eventName, body });
  }
}

/** `plinth app` and `plinth config` against the real API on port 0. */
describe('plinth app and plinth config', () => {
  let dir: string;
  let store: Store;
  let engine: WorkflowEngine;
  let platform: Platform;
  let api: FastifyInstance;
  let env: Record<string, string>;
  const dispatcher = new RecordingDispatcher();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'plinth-cli-app-'));
    const logger = pino({ level: 'silent' });
    store = await createSqliteStore({ filename: ':memory:' });
    engine = createWorkflowEngine({ store, logger, dataDir: dir });
    platform = createPlatform({
      store,
      engine,
      dispatcher,
      logger,
      secretKey: loadSecretKey({ dataDir: dir }),
    });
    const token = (await platform.auth.ensureAdminToken()) ?? '';
    api = buildApi({ platform, logger });
    const url = await api.listen({ host: '127.0.0.1', port: 0 });
    env = { PLINTH_SERVER: url, PLINTH_TOKEN: token };
    const now = new Date().toISOString();
    await store.environments.insert({
      name: 'dev1',
      team: null,
      status: 'Ready',
      inputs: {},
      outputs: {},
      lastRequestId: null,
      message: null,
      createdBy: 'root',
      createdAt: now,
      updatedAt: now,
    });
  });
  afterAll(async () => {
    await api?.close();
    await platform?.stop();
    await engine?.stop();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function cli(...argv: string[]) {
    const io = memoryIO(env);
    const code = await runCli(argv, io);
    return { code, out: io.out(), err: io.err() };
  }

  it('deploys, gets, lists, shows history and rolls back', async () => {
    const deployed = await cli(
      'app',
      'deploy',
      'dev1',
      'web',
      '--image',
      'ghcr.io/acme/web:1.0.0',
      '--version',
      '1.0.0',
      '--replicas',
      '2',
      '--port',
      '9000',
      '-o',
      'json',
    );
    expect(deployed.err).toBe('');
    expect(deployed.code).toBe(0);
    expect(JSON.parse(deployed.out)).toMatchObject({ kind: 'application', action: 'deploy' });
    expect(dispatcher.sent.at(-1)?.body).toMatchObject({
      version: '1.0.0',
      replicas: '2',
      port: '9000',
    });
    expect(
      (await cli('app', 'deploy', 'dev1', 'web', '--image', 'i:2', '--version', '2.0.0')).out,
    ).toMatch(/Request .* accepted \(deploy web 2.0.0 to dev1\)/);
    const got = await cli('app', 'get', 'dev1', 'web');
    expect(got.out).toMatch(/Version:\s+2.0.0/);
    expect(got.out).toMatch(/Status:\s+Pending/);
    expect(JSON.parse((await cli('app', 'list', 'dev1', '-o', 'json')).out).items).toHaveLength(1);
    const history = await cli('app', 'history', 'dev1', 'web');
    expect(
      history.out
        .split('\n')
        .filter((l) => /^\s*\d/.test(l))
        .map((l) => l.split(/\s+/)[0]),
    ).toEqual(['2.0.0', '1.0.0']);
    const back = await cli('app', 'rollback', 'dev1', 'web', '--version', '1.0.0', '-o', 'json');
    expect(back.code).toBe(0);
    expect(dispatcher.sent.at(-1)?.body).toMatchObject({
      action: 'rollback',
      image: 'ghcr.io/acme/web:1.0.0',
    });
    const missing = await cli('app', 'get', 'dev1', 'nope');
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/not deployed/);
  });

  it('sets, gets, lists, diffs and rolls back configuration; never prints a secret', async () => {
    const set1 = await cli(
      'config',
      'set',
      'dev1',
      'web',
      'LOG_LEVEL=info',
      'A=1',
      '--secret',
      `TOKEN=${SECRET}`,
    );
    expect(set1.code).toBe(0);
    expect(set1.out).toMatch(/Configuration version 1 of web in dev1 saved/);
    const set2 = await cli('config', 'set', 'dev1', 'web', 'LOG_LEVEL=debug', 'A-', '-o', 'json');
    expect(JSON.parse(set2.out)).toMatchObject({
      configuration: { version: 2, values: { LOG_LEVEL: 'debug' }, secrets: ['TOKEN'] },
    });
    const got = await cli('config', 'get', 'dev1', 'web');
    expect(got.out).toContain('LOG_LEVEL=debug');
    expect(got.out).toContain('TOKEN=(secret)');
    const versions = await cli('config', 'versions', 'dev1', 'web', '-o', 'json');
    expect(JSON.parse(versions.out).items).toHaveLength(2);
    const diff = await cli('config', 'diff', 'dev1', 'web', '--from', '1', '--to', '2');
    expect(diff.out).toContain('- A=1');
    expect(diff.out).toContain('~ LOG_LEVEL: info -> debug');
    const back = await cli('config', 'rollback', 'dev1', 'web', '--version', '1', '-o', 'json');
    expect(JSON.parse(back.out)).toMatchObject({
      configuration: { version: 3, values: { A: '1' } },
    });
    const bad = await cli('config', 'set', 'dev1', 'web', 'novalue');
    expect(bad.code).not.toBe(0);
    const all = [set1, set2, got, versions, diff, back, bad].map((r) => r.out + r.err).join('\n');
    expect(all).not.toContain(SECRET);
  });
});
