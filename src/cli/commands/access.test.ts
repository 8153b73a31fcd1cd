import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApi } from '../../api/index.js';
import { createPlatform, type Platform } from '../../platform/index.js';
import { createSqliteStore, type Store } from '../../store/index.js';
import { createWorkflowEngine, type WorkflowEngine } from '../../workflows/index.js';
import { runCli } from '../program.js';
import { memoryIO } from '../testing/fake-api.js';
import { parseSince } from './audit.js';

describe('plinth tokens, teams and audit against the real API', () => {
  let dir: string;
  let store: Store;
  let engine: WorkflowEngine;
  let platform: Platform;
  let app: FastifyInstance;
  let env: Record<string, string>;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'plinth-cli-access-'));
    store = await createSqliteStore({ filename: join(dir, 'plinth.db') });
    const logger = pino({ level: 'silent' });
    engine = createWorkflowEngine({ store, logger, dataDir: dir });
    platform = createPlatform({
      store,
      engine,
      dispatcher: { dispatch: async () => undefined },
      logger,
    });
    const admin = (await platform.auth.ensureAdminToken()) ?? '';
    app = buildApi({ platform, logger });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as AddressInfo).port;
    env = { PLINTH_SERVER: `http://127.0.0.1:${port}`, PLINTH_TOKEN: admin };
  });
  afterEach(async () => {
    await app.close();
    await platform.stop();
    await engine.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function cli(args: string[], extra: Record<string, string> = {}) {
    const io = memoryIO({ ...env, ...extra });
    const code = await runCli(args, io);
    return { code, out: io.out(), err: io.err() };
  }

  it('creates, lists and revokes tokens, and lists teams', async () => {
    const created = await cli([
      'tokens',
      'create',
      'alice',
      '--role',
      'developer',
      '--team',
      'payments',
      '--expires-in',
      '30d',
    ]);
    expect(created.code).toBe(0);
    const secret = created.out.trim();
    expect(secret).toMatch(/^plinth_[\w-]+$/);
    expect(created.err).toContain('shown only now');

    const json = await cli(['tokens', 'create', 'ci', '--role', 'viewer', '-o', 'json']);
    const ci = JSON.parse(json.out) as { id: string; token: string; role: string };
    expect(ci.role).toBe('viewer');

    const list = await cli(['tokens', 'list']);
    expect(list.code).toBe(0);
    expect(list.out).toMatch(/^ID\s+NAME\s+ROLE\s+TEAM\s+AGE\s+LAST USED\s+STATE\n/);
    expect(list.out).toMatch(/alice\s+developer\s+payments/);
    expect(list.out).not.toContain(secret);

    const teams = await cli(['teams', '-o', 'json']);
    expect(JSON.parse(teams.out)).toEqual({
      items: [{ name: 'payments', tokens: 1, environments: 0 }],
    });

    // A developer's token may not manage tokens: exit 1 with the missing permission.
    const denied = await cli(['tokens', 'list'], { PLINTH_TOKEN: secret });
    expect(denied.code).toBe(1);
    expect(denied.err).toBe('plinth: developer of team "payments" lacks tokens:read on tokens\n');

    const revoked = await cli(['tokens', 'revoke', ci.id]);
    expect(revoked).toMatchObject({ code: 0, out: `Token ${ci.id} (ci) revoked.\n` });
    expect((await cli(['teams'], { PLINTH_TOKEN: ci.token })).code).toBe(1);

    const usage = await cli(['tokens', 'create', 'x', '--role', 'owner']);
    expect(usage.code).toBe(2);
  });

  it('shows the audit log with filters, as a table or JSON', async () => {
    await cli(['tokens', 'create', 'alice', '--role', 'viewer']);
    const table = await cli(['audit', '--action', 'tokens.create']);
    expect(table.code).toBe(0);
    expect(table.out).toMatch(/^TIME\s+ACTOR\s+ACTION\s+TARGET\s+OUTCOME\s+REQUEST\n/);
    expect(table.out).toMatch(/admin\s+tokens\.create\s+tokens\/\S+\s+succeeded \(201\)/);

    const json = await cli(['audit', '--actor', 'admin', '--since', '1h', '-o', 'json']);
    const page = JSON.parse(json.out) as { items: { action: string }[] };
    expect(page.items.map((e) => e.action)).toEqual(['tokens.create', 'token.use']);

    const none = await cli(['audit', '--since', '2999-01-01T00:00:00Z']);
    expect(none).toMatchObject({ code: 0, out: '', err: 'No audit entries.\n' });
    expect((await cli(['audit', '--since', 'yesterday'])).code).toBe(2);
  });

  it('reads --since as a time or a duration back from now', () => {
    const now = Date.parse('2026-03-01T12:00:00Z');
    expect(parseSince('2h', now)).toBe('2026-03-01T10:00:00.000Z');
    expect(parseSince('2026-03-01T11:00:00+01:00', now)).toBe('2026-03-01T10:00:00.000Z');
  });
});
