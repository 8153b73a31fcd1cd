import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isPlinthError } from '../errors/index.js';
import { createSqliteStore, type Store, type WorkflowRecord } from '../store/index.js';
import { createWorkflowEngine, type NodeStatus, type WorkflowEngine } from '../workflows/index.js';
import { hashSecret } from './auth.js';
import { createPlatform, type Platform } from './platform.js';
import type { Dispatcher, Principal } from './types.js';

/** Records what would have been posted to the event source; `fail` makes it refuse. */
class RecordingDispatcher implements Dispatcher {
  readonly sent: { eventName: string; body: Record<string, unknown> }[] = [];
  fail = false;
  async dispatch(eventName: string, body: Record<string, unknown>): Promise<void> {
    if (this.fail) throw new Error('connect ECONNREFUSED 127.0.0.1:12000');
    this.sent.push({ eventName, body });
  }
}

const alice: Principal = { tokenId: 't1', name: 'alice', role: 'developer', team: 'payments' };
const admin: Principal = { tokenId: 't0', name: 'root', role: 'admin', team: null };
const viewer: Principal = { tokenId: 't2', name: 'vic', role: 'viewer', team: null };

/** Puts a Workflow into the store the way the engine leaves it. */
async function seedRun(
  store: Store,
  opts: {
    name: string;
    labels: Record<string, string>;
    phase: string;
    createdAt?: string;
    outputs?: Record<string, string>;
    nodes?: Partial<NodeStatus>[];
    args?: Record<string, string>;
  },
): Promise<WorkflowRecord> {
  const record: WorkflowRecord = {
    uid: `uid-${opts.name}`,
    name: opts.name,
    namespace: 'argo-events',
    labels: opts.labels,
    phase: opts.phase,
    requestId: opts.labels['plinth.dev/request-id'] ?? null,
    createdAt: opts.createdAt ?? new Date().toISOString(),
    finishedAt: null,
    manifest: {
      metadata: { name: opts.name, labels: opts.labels },
      spec: {
        arguments: {
          parameters: Object.entries(opts.args ?? {}).map(([name, value]) => ({ name, value })),
        },
      },
    },
    status: {
      phase: opts.phase,
      startedAt: '2026-01-01T00:00:00Z',
      ...(opts.outputs
        ? {
            outputs: {
              parameters: Object.entries(opts.outputs).map(([name, value]) => ({ name, value })),
            },
          }
        : {}),
    },
  };
  await store.workflows.insert(record);
  await store.workflows.upsertNodes(
    (opts.nodes ?? []).map((n, i) => ({
      workflowUid: record.uid,
      nodeId: n.id ?? `${opts.name}-${i}`,
      node: { id: `${opts.name}-${i}`, name: `${opts.name}.n${i}`, displayName: `n${i}`, ...n },
    })),
  );
  return record;
}

describe('platform', () => {
  let store: Store;
  let dispatcher: RecordingDispatcher;
  let platform: Platform;
  let now: Date;
  let dir: string;
  let engine: WorkflowEngine;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'plinth-platform-'));
    store = await createSqliteStore({ filename: ':memory:' });
    engine = createWorkflowEngine({ store, logger: pino({ level: 'silent' }), dataDir: dir });
    dispatcher = new RecordingDispatcher();
    now = new Date('2026-03-01T10:00:00Z');
    platform = createPlatform({
      store,
      engine,
      dispatcher,
      logger: pino({ level: 'silent' }),
      clock: () => now,
    });
  });
  afterEach(async () => {
    await platform.stop();
    await engine.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('environments', () => {
    it('refuses a bad name, a missing region and an unknown field, naming each and its fix', async () => {
      const err = await platform.environments
        .create({ name: 'Dev_1', colour: 'blue' }, alice)
        .catch((e: unknown) => e);
      expect(isPlinthError(err, 'INVALID_INPUT')).toBe(true);
      const fields = isPlinthError(err) ? err.errors : [];
      expect(fields.map((f) => f.field).sort()).toEqual(['colour', 'name', 'region']);
      expect(fields.find((f) => f.field === 'colour')?.fix).toMatch(
        /allowed fields are name, region, team/,
      );
      expect(fields.find((f) => f.field === 'region')?.fix).toMatch(/add/);
      expect(fields.find((f) => f.field === 'name')?.fix).toMatch(/lowercase/);
      await expect(
        platform.environments.create({ name: 'a'.repeat(64), region: 'eu' }, alice),
      ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
      expect(dispatcher.sent).toEqual([]);
      expect((await store.environments.list()).items).toEqual([]);
    });

    it('records the environment and the request, then dispatches the body with the request id', async () => {
      const accepted = await platform.environments.create({ name: 'dev-1', region: 'eu' }, alice);
      expect(accepted).toMatchObject({
        kind: 'environment',
        action: 'create',
        status: 'Pending',
        target: 'dev-1',
        links: { self: `/api/v1/requests/${accepted.id}` },
      });
      expect(dispatcher.sent).toEqual([
        {
          eventName: 'environments',
          body: {
            action: 'create',
            name: 'dev-1',
            region: 'eu',
            team: 'payments',
            request_id: accepted.id,
            requester: 'alice',
            // The development tier's policy: no approval.
            approval_required: 'true',
          },
        },
      ]);
      expect(await platform.environments.get('dev-1')).toMatchObject({
        status: 'Provisioning',
        region: 'eu',
        team: 'payments',
        lastRequestId: accepted.id,
        createdBy: 'alice',
      });
      expect(await platform.requests.get(accepted.id)).toMatchObject({
        status: 'Pending',
        requester: 'alice',
        runs: [],
      });
    });

    it('lets exactly one of two concurrent creates of a name win', async () => {
      const results = await Promise.allSettled([
        platform.environments.create({ name: 'race', region: 'eu' }, alice),
        platform.environments.create({ name: 'race', region: 'us' }, alice),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const lost = results.find((r) => r.status === 'rejected');
      expect(isPlinthError(lost?.reason, 'CONFLICT')).toBe(true);
      expect(dispatcher.sent).toHaveLength(1);
      await expect(
        platform.environments.create({ name: 'race', region: 'eu' }, alice),
      ).rejects.toMatchObject({ code: 'CONFLICT', message: /Provisioning/ });
    });

    it('fails the request and environment when dispatch fails, and lets the caller retry', async () => {
      dispatcher.fail = true;
      const err = await platform.environments
        .create({ name: 'dev-2', region: 'eu' }, alice)
        .catch((e: unknown) => e);
      expect(isPlinthError(err, 'UNAVAILABLE')).toBe(true);
      expect(isPlinthError(err) && err.retryable).toBe(true);
      const failedId = isPlinthError(err) ? String(err.details['requestId']) : '';
      expect((await platform.requests.get(failedId)).status).toBe('Failed');
      expect((await platform.environments.get('dev-2')).status).toBe('Failed');

      dispatcher.fail = false;
      const retried = await platform.environments.create({ name: 'dev-2', region: 'eu' }, alice);
      expect((await platform.environments.get('dev-2')).status).toBe('Provisioning');
      expect((await platform.environments.get('dev-2')).lastRequestId).toBe(retried.id);
    });

    it('deletes only settled environments, naming the run that holds a busy one', async () => {
      await expect(platform.environments.delete('nope', alice)).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      const created = await platform.environments.create({ name: 'dev-3', region: 'eu' }, alice);
      await seedRun(store, {
        name: 'environment-abc12',
        phase: 'Running',
        labels: {
          'plinth.dev/kind': 'environment',
          'plinth.dev/request-id': created.id,
          'plinth.dev/environment': 'dev-3',
          'plinth.dev/action': 'create',
        },
      });
      await expect(platform.environments.delete('dev-3', alice)).rejects.toMatchObject({
        code: 'CONFLICT',
        message: /run environment-abc12/,
      });

      await store.environments.update('dev-3', { status: 'Ready' });
      const deleted = await platform.environments.delete('dev-3', alice);
      expect(deleted).toMatchObject({ action: 'delete', target: 'dev-3', status: 'Pending' });
      expect(await platform.environments.get('dev-3')).toMatchObject({
        status: 'Destroying',
        lastRequestId: deleted.id,
      });
      expect(dispatcher.sent.at(-1)?.body).toMatchObject({
        action: 'delete',
        name: 'dev-3',
        region: 'eu',
        request_id: deleted.id,
      });
    });

    it('leaves an environment as it was when its delete cannot be dispatched', async () => {
      await platform.environments.create({ name: 'dev-4', region: 'eu' }, alice);
      await store.environments.update('dev-4', { status: 'Ready' });
      dispatcher.fail = true;
      await expect(platform.environments.delete('dev-4', alice)).rejects.toMatchObject({
        code: 'UNAVAILABLE',
      });
      expect((await platform.environments.get('dev-4')).status).toBe('Ready');
    });

    it('refuses writes from a viewer', async () => {
      await expect(
        platform.environments.create({ name: 'dev-5', region: 'eu' }, viewer),
      ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    });

    it('lists by team and status', async () => {
      await platform.environments.create({ name: 'a1', region: 'eu' }, alice);
      await platform.environments.create({ name: 'b1', region: 'eu', team: 'search' }, admin);
      await store.environments.update('b1', { status: 'Ready' });
      const byTeam = await platform.environments.list({ team: 'search' });
      expect(byTeam.items.map((e) => e.name)).toEqual(['b1']);
      const provisioning = await platform.environments.list({ status: 'Provisioning' });
      expect(provisioning.items.map((e) => e.name)).toEqual(['a1']);
    });
  });

  describe('runs', () => {
    it('shows a run waiting at its approval step with its plan, nodes ordered by start', async () => {
      await seedRun(store, {
        name: 'env-xyz',
        phase: 'Running',
        labels: { 'plinth.dev/kind': 'environment', 'plinth.dev/environment': 'dev-9' },
        outputs: { 'plan-summary': '{"add":2,"change":0,"destroy":0,"resources":["a","b"]}' },
        nodes: [
          {
            id: 'env-xyz-3',
            type: 'Suspend',
            phase: 'Running',
            displayName: 'approve',
            startedAt: '2026-01-01T00:00:03Z',
          },
          {
            id: 'env-xyz',
            type: 'Steps',
            phase: 'Running',
            displayName: 'env-xyz',
            startedAt: '2026-01-01T00:00:00Z',
          },
          {
            id: 'env-xyz-1',
            type: 'Pod',
            phase: 'Succeeded',
            displayName: 'validate',
            startedAt: '2026-01-01T00:00:01Z',
            templateName: 'validate',
          },
        ],
      });
      const run = await platform.runs.get('env-xyz');
      expect(run).toMatchObject({
        id: 'env-xyz',
        phase: 'Running',
        kind: 'environment',
        environment: 'dev-9',
        requestId: null,
        waitingForApproval: true,
        approval: { node: 'approve', planSummary: { add: 2, change: 0, destroy: 0 } },
        plan: { add: 2, resources: ['a', 'b'] },
      });
      expect(run.nodes.map((n) => n.displayName)).toEqual(['env-xyz', 'validate', 'approve']);
      expect(run.nodes[1]).toMatchObject({
        type: 'Pod',
        templateName: 'validate',
        phase: 'Succeeded',
      });
      expect((await platform.runs.list({ kind: 'environment' })).items.map((r) => r.id)).toEqual([
        'env-xyz',
      ]);
      expect((await platform.runs.list({ phase: 'Succeeded' })).items).toEqual([]);
    });

    it('answers 404 for an unknown run and NOT_WAITING for one that is not waiting', async () => {
      await expect(platform.runs.get('nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await seedRun(store, { name: 'done-1', phase: 'Succeeded', labels: {} });
      await expect(platform.runs.approve('done-1', { actor: alice })).rejects.toMatchObject({
        code: 'NOT_WAITING',
      });
      await expect(platform.runs.reject('nope', { actor: alice })).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
    });
  });

  describe('status follow-up on start', () => {
    const labels = (requestId: string, env: string, action: string) => ({
      'plinth.dev/kind': 'environment',
      'plinth.dev/request-id': requestId,
      'plinth.dev/environment': env,
      'plinth.dev/action': action,
    });

    it('marks a created environment Ready with its Terraform outputs', async () => {
      const req = await platform.environments.create({ name: 'ok-1', region: 'eu' }, alice);
      await seedRun(store, {
        name: 'env-ok-1',
        phase: 'Succeeded',
        labels: labels(req.id, 'ok-1', 'create'),
        outputs: { 'terraform-outputs': '{"url":"https://ok-1.example","id":"abc"}' },
      });
      await platform.start();
      expect(await platform.environments.get('ok-1')).toMatchObject({
        status: 'Ready',
        outputs: { url: 'https://ok-1.example', id: 'abc' },
        message: null,
      });
      expect(await platform.requests.get(req.id)).toMatchObject({
        status: 'Succeeded',
        runs: [{ id: 'env-ok-1', phase: 'Succeeded' }],
      });
    });

    it("fails an environment with the failing step's message", async () => {
      const req = await platform.environments.create({ name: 'bad-1', region: 'eu' }, alice);
      await seedRun(store, {
        name: 'env-bad-1',
        phase: 'Failed',
        labels: labels(req.id, 'bad-1', 'create'),
        nodes: [
          { type: 'Steps', phase: 'Failed', message: 'child failed' },
          {
            type: 'Pod',
            phase: 'Failed',
            message: 'Error: Invalid region "mars"',
            finishedAt: '2026-01-01T00:00:05Z',
          },
        ],
      });
      await platform.start();
      expect(await platform.environments.get('bad-1')).toMatchObject({
        status: 'Failed',
        message: 'Error: Invalid region "mars"',
      });
      expect((await platform.requests.get(req.id)).status).toBe('Failed');
    });

    it('marks a deleted environment Destroyed and clears its outputs', async () => {
      await platform.environments.create({ name: 'gone-1', region: 'eu' }, alice);
      await store.environments.update('gone-1', { status: 'Ready', outputs: { url: 'x' } });
      const del = await platform.environments.delete('gone-1', alice);
      await seedRun(store, {
        name: 'env-gone-1',
        phase: 'Succeeded',
        labels: labels(del.id, 'gone-1', 'delete'),
      });
      await platform.start();
      expect(await platform.environments.get('gone-1')).toMatchObject({
        status: 'Destroyed',
        outputs: {},
      });
      // A destroyed name can be used again.
      await platform.environments.create({ name: 'gone-1', region: 'us' }, alice);
      expect((await platform.environments.get('gone-1')).region).toBe('us');
    });

    it('records an environment created by a run nobody requested through the API', async () => {
      await seedRun(store, {
        name: 'env-hook-1',
        phase: 'Running',
        labels: {
          'plinth.dev/kind': 'environment',
          'plinth.dev/environment': 'hooked',
          'plinth.dev/action': 'create',
        },
        args: { name: 'hooked', region: 'westeurope', team: 'ops' },
      });
      await platform.start();
      expect(await platform.environments.get('hooked')).toMatchObject({
        status: 'Provisioning',
        region: 'westeurope',
        team: 'ops',
        createdBy: 'webhook',
        lastRequestId: null,
      });
    });
  });

  describe('auth', () => {
    it('creates the admin token once, stores only its hash, and authenticates it', async () => {
      const secret = await platform.auth.ensureAdminToken();
      expect(secret).toMatch(/^plinth_[A-Za-z0-9_-]{32}$/);
      expect(await platform.auth.ensureAdminToken()).toBeUndefined();
      const [token] = await store.tokens.list();
      expect(token?.hash).toBe(hashSecret(secret ?? ''));
      expect(JSON.stringify(token)).not.toContain(secret);
      expect(await platform.auth.authenticate(secret)).toMatchObject({
        name: 'admin',
        role: 'admin',
      });
      await expect(platform.auth.authenticate('plinth_wrong')).rejects.toMatchObject({
        code: 'UNAUTHENTICATED',
      });
      await expect(platform.auth.authenticate(undefined)).rejects.toMatchObject({
        code: 'UNAUTHENTICATED',
      });
    });

    it('stores a given admin secret, and refuses expired and revoked tokens', async () => {
      expect(await platform.auth.ensureAdminToken('given-secret-0123456789')).toBe(
        'given-secret-0123456789',
      );
      await platform.auth.authenticate('given-secret-0123456789');
      const dev = await platform.auth.createToken({
        name: 'dev',
        role: 'developer',
        expiresAt: '2026-03-01T11:00:00Z',
      });
      expect((await platform.auth.authenticate(dev.secret)).role).toBe('developer');
      now = new Date('2026-03-01T11:00:01Z');
      await expect(platform.auth.authenticate(dev.secret)).rejects.toMatchObject({
        message: /expired/,
      });
      const other = await platform.auth.createToken({ name: 'ci', role: 'viewer' });
      await platform.auth.revokeToken(other.id);
      await expect(platform.auth.authenticate(other.secret)).rejects.toMatchObject({
        code: 'UNAUTHENTICATED',
      });
    });
  });
});
