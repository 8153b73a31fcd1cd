import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteStore, type Store } from '../store/index.js';
import { createAuditService } from './audit.js';
import { createAuthService } from './auth.js';
import { Permission, authorize, isAllowed, permissionsOf } from './authorization.js';
import { createIdempotencyService, fingerprintOf } from './idempotency.js';
import { parseLifetime } from './tokens.js';
import type { Principal, Role } from './types.js';

const as = (role: Role, team: string | null, name: string = role): Principal => ({
  tokenId: `t-${name}`,
  name,
  role,
  team,
});

describe('authorize', () => {
  const env = (team: string | null, tier = 'development') => ({
    kind: 'environment',
    name: 'e1',
    team,
    tier,
  });

  it('grants each role its permissions, writes only within its own team', () => {
    const cases: [Principal, Permission, ReturnType<typeof env>, boolean][] = [
      [as('viewer', 'a'), Permission.EnvironmentsRead, env('b'), true],
      [as('viewer', 'a'), Permission.EnvironmentsWrite, env('a'), false],
      [as('developer', 'a'), Permission.EnvironmentsWrite, env('a'), true],
      [as('developer', 'a'), Permission.EnvironmentsWrite, env('b'), false],
      [as('developer', 'a'), Permission.EnvironmentsWrite, env(null), false],
      [as('developer', null), Permission.EnvironmentsWrite, env(null), false],
      [as('developer', 'a'), Permission.RunsApprove, env('a'), false],
      [as('approver', 'a'), Permission.RunsApprove, env('a'), true],
      [as('approver', 'a'), Permission.RunsApprove, env('b'), false],
      [as('admin', null), Permission.EnvironmentsWrite, env('b'), true],
      [as('admin', null), Permission.EnvironmentsWrite, env(null), true],
      [as('approver', 'a'), Permission.TokensWrite, env('a'), false],
      [as('approver', 'a'), Permission.AuditRead, env('a'), false],
    ];
    for (const [principal, action, resource, allowed] of cases) {
      expect(isAllowed(principal, action, resource), `${principal.role} ${action}`).toBe(allowed);
    }
    expect(permissionsOf('viewer').every((p) => p.endsWith(':read'))).toBe(true);
  });

  it('names the missing permission, the caller and the owner', () => {
    expect(() =>
      authorize(as('developer', 'a'), Permission.EnvironmentsWrite, {
        kind: 'environment',
        name: 'x',
        team: 'b',
      }),
    ).toThrow(
      'developer of team "a" lacks environments:write on environment "x" owned by team "b"',
    );
    expect(() =>
      authorize(as('viewer', null, 'vic'), Permission.TokensWrite, { kind: 'tokens' }),
    ).toThrow('viewer "vic" (no team) lacks tokens:write on tokens');
  });

  it('lets nobody, admins included, approve their own production request', () => {
    const run = (requester: string, tier: string) => ({
      kind: 'run',
      name: 'r1',
      team: 'a',
      tier,
      requester,
    });
    for (const who of [as('approver', 'a', 'ann'), as('admin', null, 'ann')]) {
      expect(isAllowed(who, Permission.RunsApprove, run('ann', 'production'))).toBe(false);
      expect(isAllowed(who, Permission.RunsApprove, run('ann', 'staging'))).toBe(true);
      expect(isAllowed(who, Permission.RunsApprove, run('ben', 'production'))).toBe(true);
    }
  });
});

describe('parseLifetime', () => {
  it('reads m, h, d and w, and nothing else', () => {
    expect(parseLifetime('30d')).toBe(30 * 86_400_000);
    expect(parseLifetime('12h')).toBe(12 * 3_600_000);
    expect(parseLifetime('2w')).toBe(14 * 86_400_000);
    for (const bad of ['0d', '1y', 'd', '1.5h', '-1h', ''])
      expect(parseLifetime(bad)).toBeUndefined();
  });
});

describe('with a store', () => {
  let dir: string;
  let store: Store;
  let now: Date;
  const clock = () => now;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'plinth-access-'));
    store = await createSqliteStore({ filename: join(dir, 'plinth.db') });
    now = new Date('2026-03-01T10:00:00Z');
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('records a token use at most once a minute', async () => {
    const audit = createAuditService({ store, clock });
    const auth = createAuthService({ store, clock, audit });
    const { secret } = await auth.createToken({ name: 'ci', role: 'viewer' });
    await Promise.all([
      auth.authenticate(secret, { requestId: 'r1' }),
      auth.authenticate(secret, { requestId: 'r2' }),
    ]);
    now = new Date('2026-03-01T10:00:59Z');
    await auth.authenticate(secret, { requestId: 'r3' });
    now = new Date('2026-03-01T10:01:01Z');
    await auth.authenticate(secret, { requestId: 'r4' });
    const uses = (await store.audit.list({ action: 'token.use' })).items;
    expect(uses.map((u) => [u.actor, u.time])).toEqual([
      ['ci', '2026-03-01T10:01:01.000Z'],
      ['ci', '2026-03-01T10:00:00.000Z'],
    ]);
    expect(uses[0]?.requestId).toBe('r4');
  });

  describe('idempotency', () => {
    const request = (key: string, body: unknown) => ({
      scope: 'token-1',
      key,
      fingerprint: fingerprintOf('POST', '/api/v1/environments', body),
    });

    it('hashes bodies regardless of key order', () => {
      expect(fingerprintOf('POST', '/p', { a: 1, b: [1, { c: 2, d: 3 }] })).toBe(
        fingerprintOf('post', '/p', { b: [1, { d: 3, c: 2 }], a: 1 }),
      );
      expect(fingerprintOf('POST', '/p', { a: 1 })).not.toBe(fingerprintOf('PUT', '/p', { a: 1 }));
    });

    it('makes a duplicate wait for the first, then answer 409 when it takes too long', async () => {
      const service = createIdempotencyService({ store, clock, waitMs: 60, pollMs: 5 });
      const first = request('k', { name: 'a' });
      expect(await service.begin(first)).toEqual({ kind: 'run' });
      await expect(service.begin(first)).rejects.toMatchObject({ code: 'CONFLICT' });
      const waiting = service.begin(first);
      await service.complete(first, { status: 202, headers: {}, body: '{"id":"1"}' });
      expect(await waiting).toEqual({
        kind: 'replay',
        response: { status: 202, headers: {}, body: '{"id":"1"}' },
      });
      await expect(service.begin(request('k', { name: 'b' }))).rejects.toMatchObject({
        code: 'IDEMPOTENCY_MISMATCH',
      });
    });

    it('runs again after an abandoned attempt, after a dead one, and after expiry', async () => {
      const service = createIdempotencyService({ store, clock, waitMs: 0 });
      const req = request('k2', { name: 'a' });
      expect(await service.begin(req)).toEqual({ kind: 'run' });
      await service.abandon(req);
      expect(await service.begin(req)).toEqual({ kind: 'run' });
      // The process holding it died: after a while the key is free again.
      now = new Date(now.getTime() + 6 * 60_000);
      expect(await service.begin(req)).toEqual({ kind: 'run' });
      await service.complete(req, { status: 202, headers: {}, body: '{}' });
      now = new Date(now.getTime() + 23 * 3_600_000);
      expect((await service.begin(req)).kind).toBe('replay');
      now = new Date(now.getTime() + 2 * 3_600_000);
      expect(await service.begin(request('k2', { name: 'other' }))).toEqual({ kind: 'run' });
    });
  });
});
