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

/** Starts the request's run as the catalog's Sensor would, and counts what it was handed. */
class SubmittingDispatcher implements Dispatcher {
  readonly sent: Record<string, unknown>[] = [];
  /** Off: the request is only recorded, so the environment stays as a test sets it. */
  submit = true;
  constructor(private readonly engine: WorkflowEngine) {}
  async dispatch(_eventName: string, body: Record<string, unknown>): Promise<void> {
    this.sent.push(body);
    if (!this.submit) return;
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

async function until<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface AuditItem {
  seq: number;
  actor: string;
  action: string;
  target: string;
  requestId: string | null;
  outcome: string;
  status: number | null;
  details: Record<string, unknown>;
}

describe('access control, audit, idempotency and metrics', () => {
  let dir: string;
  let store: Store;
  let engine: WorkflowEngine;
  let platform: Platform;
  let app: FastifyInstance;
  let dispatcher: SubmittingDispatcher;
  let adminSecret: string;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'plinth-access-'));
    store = await createSqliteStore({ filename: join(dir, 'plinth.db') });
    const logger = pino({ level: 'silent' });
    engine = createWorkflowEngine({ store, logger, dataDir: dir, graceSeconds: 1 });
    await engine.start();
    dispatcher = new SubmittingDispatcher(engine);
    platform = createPlatform({ store, engine, dispatcher, logger });
    await platform.start();
    adminSecret = (await platform.auth.ensureAdminToken()) ?? '';
    app = buildApi({ platform, logger, metrics: { queueDepth: () => 3 } });
  });
  afterEach(async () => {
    await app.close();
    await platform.stop();
    await engine.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });
  const admin = () => bearer(adminSecret);

  async function issue(name: string, role: string, team?: string): Promise<string> {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: admin(),
      payload: { name, role, ...(team ? { team } : {}), expiresIn: '30d' },
    });
    expect(res.statusCode).toBe(201);
    return res.json<{ token: string }>().token;
  }

  async function createEnv(secret: string, body: Record<string, unknown>) {
    return app.inject({
      method: 'POST',
      url: '/api/v1/environments',
      headers: bearer(secret),
      payload: { region: 'westeurope', ...body },
    });
  }

  async function auditOf(query = ''): Promise<AuditItem[]> {
    const res = await app.inject({ url: `/api/v1/audit${query}`, headers: admin() });
    expect(res.statusCode).toBe(200);
    return res.json<{ items: AuditItem[] }>().items;
  }

  describe('tokens and teams', () => {
    it('issues a token once, lists it without its secret, and revokes it', async () => {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        headers: admin(),
        payload: { name: 'alice', role: 'developer', team: 'payments', expiresIn: '12h' },
      });
      expect(res.statusCode).toBe(201);
      const created = res.json<{ token: string; id: string; expiresAt: string }>();
      expect(created).toMatchObject({ name: 'alice', role: 'developer', team: 'payments' });
      expect(created.token).toMatch(/^plinth_/);
      const lifetime = Date.parse(created.expiresAt) - Date.now();
      expect(lifetime).toBeGreaterThan(11.9 * 3_600_000);
      expect(lifetime).toBeLessThanOrEqual(12 * 3_600_000);

      const me = await app.inject({ url: '/api/v1/environments', headers: bearer(created.token) });
      expect(me.statusCode).toBe(200);

      const list = await app.inject({ url: '/api/v1/tokens', headers: admin() });
      expect(list.statusCode).toBe(200);
      expect(list.body).not.toContain(created.token);
      expect(list.body).not.toMatch(/"hash"/);
      const alice = list
        .json<{ items: { id: string; name: string; lastUsedAt: string | null }[] }>()
        .items.find((t) => t.id === created.id);
      expect(alice).toMatchObject({ name: 'alice', revokedAt: null });
      expect(alice?.lastUsedAt).not.toBeNull();

      const teams = await app.inject({ url: '/api/v1/teams', headers: bearer(created.token) });
      expect(teams.json()).toEqual({
        items: [{ name: 'payments', tokens: 1, environments: 0 }],
      });

      const revoked = await app.inject({
        method: 'DELETE',
        url: `/api/v1/tokens/${created.id}`,
        headers: admin(),
      });
      expect(revoked.statusCode).toBe(200);
      expect(revoked.json<{ revokedAt: string | null }>().revokedAt).not.toBeNull();
      const after = await app.inject({
        url: '/api/v1/environments',
        headers: bearer(created.token),
      });
      expect(after.statusCode).toBe(401);
    });

    it('lets only admins manage tokens, and refuses bad input naming the field', async () => {
      const dev = await issue('dan', 'developer', 'payments');
      const denied = await app.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        headers: bearer(dev),
        payload: { name: 'eve', role: 'admin' },
      });
      expect(denied.statusCode).toBe(403);
      expect(denied.json<{ detail: string }>().detail).toBe(
        'developer of team "payments" lacks tokens:write on tokens',
      );
      expect((await app.inject({ url: '/api/v1/tokens', headers: bearer(dev) })).statusCode).toBe(
        403,
      );

      for (const [payload, field] of [
        [{ name: 'x', role: 'developer' }, 'team'],
        [{ name: 'x', role: 'viewer', expiresIn: '10y' }, 'expiresIn'],
        [{ name: 'x', role: 'viewer', expiresIn: '999d' }, 'expiresIn'],
        [{ name: 'x', role: 'owner' }, 'role'],
      ] as const) {
        const res = await app.inject({
          method: 'POST',
          url: '/api/v1/tokens',
          headers: admin(),
          payload,
        });
        expect(res.statusCode, JSON.stringify(payload)).toBe(400);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(res.json<{ errors: { field: string }[] }>().errors.map((e) => e.field)).toContain(
          field,
        );
      }

      const adminId = (await store.tokens.list()).find((t) => t.role === 'admin')?.id ?? '';
      const last = await app.inject({
        method: 'DELETE',
        url: `/api/v1/tokens/${adminId}`,
        headers: admin(),
      });
      expect(last.statusCode).toBe(409);
      const missing = await app.inject({
        method: 'DELETE',
        url: '/api/v1/tokens/nope',
        headers: admin(),
      });
      expect(missing.statusCode).toBe(404);
    });
  });

  describe('roles', () => {
    it('refuses a viewer any request, naming the missing permission', async () => {
      const viewer = await issue('vic', 'viewer', 'payments');
      const res = await createEnv(viewer, { name: 'dev-v' });
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({
        code: 'FORBIDDEN',
        detail:
          'viewer of team "payments" lacks environments:write on environment "dev-v" owned by team "payments"',
        details: { permission: 'environments:write', reason: 'role' },
      });
      expect(dispatcher.sent).toEqual([]);
      expect(
        (await app.inject({ url: '/api/v1/environments', headers: bearer(viewer) })).statusCode,
      ).toBe(200);
    });

    it('decides every read in the one authorization module: viewers read, only admins read audit and tokens', async () => {
      const viewer = await issue('vic', 'viewer');
      const developer = await issue('dana', 'developer', 'payments');
      for (const url of [
        '/api/v1/environments',
        '/api/v1/environments/nowhere',
        '/api/v1/environments/nowhere/applications',
        '/api/v1/environments/nowhere/applications/web',
        '/api/v1/environments/nowhere/applications/web/configuration',
        '/api/v1/runs',
        '/api/v1/events',
        '/api/v1/catalog',
      ]) {
        const res = await app.inject({ url, headers: bearer(viewer) });
        expect([200, 404], `${url} answered ${res.statusCode}`).toContain(res.statusCode);
      }
      for (const [url, permission] of [
        ['/api/v1/audit', 'audit:read'],
        ['/api/v1/tokens', 'tokens:read'],
      ] as const) {
        const res = await app.inject({ url, headers: bearer(developer) });
        expect(res.statusCode).toBe(403);
        expect(res.json()).toMatchObject({
          code: 'FORBIDDEN',
          details: { permission, role: 'developer', team: 'payments' },
        });
        expect(res.json<{ detail: string }>().detail).toContain(permission);
      }
    });

    it("refuses a developer another team's environment, and lets the owners and admins in", async () => {
      dispatcher.submit = false;
      const alice = await issue('alice', 'developer', 'payments');
      const bob = await issue('bob', 'developer', 'search');
      expect((await createEnv(alice, { name: 'pay-1' })).statusCode).toBe(202);
      expect(
        (await app.inject({ url: '/api/v1/environments/pay-1', headers: admin() })).json(),
      ).toMatchObject({
        team: 'payments',
        tier: 'development',
      });

      const cross = await createEnv(bob, { name: 'pay-2', team: 'payments' });
      expect(cross.statusCode).toBe(403);
      expect(cross.json<{ detail: string }>().detail).toBe(
        'developer of team "search" lacks environments:write on environment "pay-2" owned by team "payments"',
      );

      await store.environments.update('pay-1', { status: 'Ready' });
      const del = await app.inject({
        method: 'DELETE',
        url: '/api/v1/environments/pay-1',
        headers: bearer(bob),
      });
      expect(del.statusCode).toBe(403);
      expect(del.json()).toMatchObject({
        detail:
          'developer of team "search" lacks environments:write on environment "pay-1" owned by team "payments"',
        details: { permission: 'environments:write', reason: 'team' },
      });
      expect(
        (await app.inject({ url: '/api/v1/environments/pay-1', headers: admin() })).json(),
      ).toMatchObject({ status: 'Ready' });

      // An environment without a team is the admins' alone.
      expect((await createEnv(adminSecret, { name: 'shared-1' })).statusCode).toBe(202);
      await store.environments.update('shared-1', { status: 'Ready' });
      const noTeam = await app.inject({
        method: 'DELETE',
        url: '/api/v1/environments/shared-1',
        headers: bearer(alice),
      });
      expect(noTeam.statusCode).toBe(403);
      expect(noTeam.json<{ detail: string }>().detail).toMatch(
        /lacks environments:write on environment "shared-1", which has no team/,
      );
      const byAdmin = await app.inject({
        method: 'DELETE',
        url: '/api/v1/environments/pay-1',
        headers: admin(),
      });
      expect(byAdmin.statusCode).toBe(202);
    });

    it('lets nobody approve their own production request; another approver of the team may', async () => {
      const ann = await issue('ann', 'approver', 'payments');
      const ben = await issue('ben', 'approver', 'payments');
      const dev = await issue('dev', 'developer', 'payments');
      const other = await issue('oli', 'approver', 'search');
      const res = await createEnv(ann, { name: 'prod-1', tier: 'production' });
      expect(res.statusCode).toBe(202);
      const requestId = res.json<{ id: string }>().id;
      const runId = await until(async () => {
        const r = await app.inject({ url: `/api/v1/requests/${requestId}`, headers: admin() });
        const id = r.json<{ runs: { id: string }[] }>().runs[0]?.id;
        if (!id) return undefined;
        const run = await app.inject({ url: `/api/v1/runs/${id}`, headers: admin() });
        return run.json<{ waitingForApproval: boolean }>().waitingForApproval ? id : undefined;
      }, 'the run to wait for approval');
      const approve = (secret: string) =>
        app.inject({
          method: 'POST',
          url: `/api/v1/runs/${runId}/approve`,
          headers: bearer(secret),
          payload: { comment: 'ok' },
        });

      const own = await approve(ann);
      expect(own.statusCode).toBe(403);
      expect(own.json()).toMatchObject({
        details: { permission: 'runs:approve', reason: 'own-production-request' },
      });
      expect(own.json<{ detail: string }>().detail).toMatch(
        /^"ann" lacks runs:approve on run ".+" owned by team "payments": nobody approves their own request for a production environment/,
      );
      const byDev = await approve(dev);
      expect(byDev.statusCode).toBe(403);
      expect(byDev.json<{ detail: string }>().detail).toMatch(
        /^developer of team "payments" lacks runs:approve on run/,
      );
      const byOtherTeam = await approve(other);
      expect(byOtherTeam.statusCode).toBe(403);
      expect(byOtherTeam.json()).toMatchObject({ details: { reason: 'team' } });

      const ok = await approve(ben);
      expect(ok.statusCode).toBe(200);

      const entries = await auditOf(`?action=runs.approve`);
      expect(entries.map((e) => [e.actor, e.outcome, e.status])).toEqual([
        ['ben', 'succeeded', 200],
        ['oli', 'denied', 403],
        ['dev', 'denied', 403],
        ['ann', 'denied', 403],
      ]);
      expect(entries[0]).toMatchObject({ target: `runs/${runId}`, details: { comment: 'ok' } });
      expect(entries[1]?.details).toMatchObject({ code: 'FORBIDDEN' });
    });
  });

  describe('audit', () => {
    it('records writes, token use and nothing secret; filters and pages', async () => {
      const alice = await issue('alice', 'developer', 'payments');
      const created = await createEnv(alice, { name: 'aud-1' });
      expect(created.statusCode).toBe(202);
      await createEnv(alice, { name: 'aud-1' });
      await app.inject({ url: '/api/v1/environments', headers: bearer(alice) });
      await app.inject({ url: '/api/v1/environments', headers: bearer(alice) });

      const all = await auditOf();
      expect(JSON.stringify(all)).not.toContain(alice);
      expect(JSON.stringify(all)).not.toContain(adminSecret);

      const mine = await auditOf('?actor=alice');
      expect(mine.map((e) => [e.action, e.target, e.outcome, e.status])).toEqual([
        ['environments.create', 'environments/aud-1', 'failed', 409],
        ['environments.create', 'environments/aud-1', 'succeeded', 202],
        ['token.use', expect.stringMatching(/^tokens\//), 'succeeded', null],
      ]);
      expect(mine[1]?.requestId).toBe(created.headers['x-request-id']);
      expect(mine[0]?.details).toEqual({ code: 'CONFLICT' });
      // The token was used in one request after another: its use is recorded once a minute.
      expect(mine.filter((e) => e.action === 'token.use')).toHaveLength(1);

      const tokens = await auditOf('?action=tokens.create');
      expect(tokens).toHaveLength(1);
      expect(tokens[0]).toMatchObject({
        actor: 'admin',
        outcome: 'succeeded',
        status: 201,
        details: { name: 'alice', role: 'developer', team: 'payments' },
      });

      const byTarget = await auditOf('?target=environments/aud-1&limit=1');
      expect(byTarget).toHaveLength(1);
      const page1 = await app.inject({ url: '/api/v1/audit?limit=2', headers: admin() });
      const body1 = page1.json<{ items: AuditItem[]; nextCursor?: string }>();
      expect(body1.nextCursor).toBeDefined();
      const page2 = await app.inject({
        url: `/api/v1/audit?limit=2&cursor=${body1.nextCursor}`,
        headers: admin(),
      });
      const body2 = page2.json<{ items: AuditItem[] }>();
      expect(body2.items[0]?.seq).toBeLessThan(body1.items[1]?.seq ?? 0);
      expect(await auditOf('?since=2999-01-01T00:00:00Z')).toEqual([]);

      const denied = await app.inject({ url: '/api/v1/audit', headers: bearer(alice) });
      expect(denied.statusCode).toBe(403);
      expect(denied.json<{ detail: string }>().detail).toContain('lacks audit:read');
      const badCursor = await app.inject({ url: '/api/v1/audit?cursor=zzz', headers: admin() });
      expect(badCursor.statusCode).toBe(400);
    });

    it('has no way to change or remove an entry', () => {
      expect(Object.keys(store.audit).sort()).toEqual(['append', 'list']);
    });
  });

  describe('Idempotency-Key', () => {
    const post = (key: string, body: Record<string, unknown>, secret = adminSecret) =>
      app.inject({
        method: 'POST',
        url: '/api/v1/environments',
        headers: { ...bearer(secret), 'idempotency-key': key },
        payload: { region: 'westeurope', ...body },
      });

    it('answers the first result again for the same key and body, and 422 for another body', async () => {
      const first = await post('k-1', { name: 'idem-1' });
      expect(first.statusCode).toBe(202);
      const again = await post('k-1', { name: 'idem-1' });
      expect(again.statusCode).toBe(202);
      expect(again.body).toBe(first.body);
      expect(again.headers.location).toBe(first.headers.location);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(dispatcher.sent).toHaveLength(1);
      expect((await store.requests.list({ target: 'idem-1' })).items).toHaveLength(1);

      const other = await post('k-1', { name: 'idem-2' });
      expect(other.statusCode).toBe(422);
      expect(other.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(other.json()).toMatchObject({
        code: 'IDEMPOTENCY_MISMATCH',
        errors: [expect.objectContaining({ field: 'Idempotency-Key' })],
      });
      expect(await store.environments.get('idem-2')).toBeUndefined();

      // Keys belong to a token: another token's same key is another request.
      const alice = await issue('alice', 'developer', 'payments');
      expect((await post('k-1', { name: 'idem-3' }, alice)).statusCode).toBe(202);
      // Only the first answer is audited; replays are not new writes.
      expect(await auditOf('?target=environments/idem-1')).toHaveLength(1);
    });

    it('lets one of two concurrent duplicates run; the other gets its answer', async () => {
      const [a, b] = await Promise.all([
        post('k-2', { name: 'idem-c' }),
        post('k-2', { name: 'idem-c' }),
      ]);
      expect([a.statusCode, b.statusCode]).toEqual([202, 202]);
      expect(a.body).toBe(b.body);
      expect(dispatcher.sent).toHaveLength(1);
    });

    it('keeps refusals too, and refuses a malformed key', async () => {
      const viewer = await issue('vic', 'viewer');
      const first = await post('k-3', { name: 'idem-v' }, viewer);
      expect(first.statusCode).toBe(403);
      const again = await post('k-3', { name: 'idem-v' }, viewer);
      expect(again.statusCode).toBe(403);
      expect(again.headers['idempotent-replayed']).toBe('true');
      const bad = await post('has space', { name: 'idem-b' });
      expect(bad.statusCode).toBe(400);
      expect(bad.json()).toMatchObject({ errors: [{ field: 'Idempotency-Key' }] });
    });
  });

  it('serves metrics in Prometheus text format without a token', async () => {
    await app.inject({ url: '/api/v1/environments', headers: admin() });
    await app.inject({ url: '/api/v1/nope', headers: admin() });
    const res = await app.inject({ url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const samples = new Map<string, number>();
    for (const line of res.body.split('\n')) {
      if (line === '' || line.startsWith('#')) continue;
      const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (-?[0-9.e+-]+|NaN|\+Inf)$/.exec(
        line,
      );
      expect(match, line).not.toBeNull();
      samples.set(match?.[1] ?? '', Number(match?.[2]));
    }
    expect(
      samples.get(
        'plinth_http_requests_total{method="GET",route="/api/v1/environments",status_code="200"}',
      ),
    ).toBe(1);
    expect(
      samples.get('plinth_http_requests_total{method="GET",route="unmatched",status_code="404"}'),
    ).toBe(1);
    expect(
      samples.get(
        'plinth_http_request_duration_seconds_count{method="GET",route="/api/v1/environments",status_code="200"}',
      ),
    ).toBe(1);
    expect(samples.get('plinth_runs{phase="Running"}')).toBe(0);
    expect(samples.get('plinth_eventbus_queue_depth')).toBe(3);
    expect(res.body).toContain('# TYPE plinth_runs gauge');
  });
});
