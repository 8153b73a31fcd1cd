import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteStore, type Store } from '../store/index.js';
import { createAuditService } from './audit.js';
import { TOKEN_CACHE_TTL_MS, createAuthService } from './auth.js';
import { Permission, readPermissionFor } from './authorization.js';
import { Role } from './types.js';

describe('authentication with the token cache', () => {
  let store: Store;
  let now: number;
  let lookups: number;
  const clock = () => new Date(now);

  beforeEach(async () => {
    now = Date.parse('2026-11-25T10:00:00Z');
    lookups = 0;
    const real = await createSqliteStore({ filename: ':memory:' });
    // Counts the store reads of tokens; everything else goes to the real store.
    const findByHash = real.tokens.findByHash.bind(real.tokens);
    real.tokens.findByHash = (hash) => {
      lookups++;
      return findByHash(hash);
    };
    store = real;
  });
  afterEach(async () => {
    await store.close();
  });

  it('reads the store once per token while cached, and again after the cache time', async () => {
    const auth = createAuthService({ store, clock });
    const { secret } = await auth.createToken({ name: 'ci', role: Role.Viewer });
    for (let i = 0; i < 5; i++) await auth.authenticate(secret);
    expect(lookups).toBe(1);
    now += TOKEN_CACHE_TTL_MS;
    await auth.authenticate(secret);
    expect(lookups).toBe(2);
  });

  it('refuses a revoked token at once, though it was cached', async () => {
    const auth = createAuthService({ store, clock });
    const { id, secret } = await auth.createToken({ name: 'ci', role: Role.Developer, team: 'a' });
    await expect(auth.authenticate(secret)).resolves.toMatchObject({ tokenId: id });
    await auth.revokeToken(id);
    await expect(auth.authenticate(secret)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('refuses a cached token the moment it expires', async () => {
    const auth = createAuthService({ store, clock });
    const expiresAt = new Date(now + 1_000).toISOString();
    const { secret } = await auth.createToken({ name: 'ci', role: Role.Viewer, expiresAt });
    await auth.authenticate(secret);
    now += 1_000;
    await expect(auth.authenticate(secret)).rejects.toThrow(/expired/);
    expect(lookups).toBe(1);
  });

  it('records the use of a token once a minute however often it is used, and updates lastUsedAt', async () => {
    const audit = createAuditService({ store, clock });
    const auth = createAuthService({ store, clock, audit });
    const { id, secret } = await auth.createToken({ name: 'ci', role: Role.Viewer });
    await Promise.all([1, 2, 3].map(() => auth.authenticate(secret)));
    now += 30_000;
    await auth.authenticate(secret);
    const uses = async () =>
      (await store.audit.list({})).items.filter((e) => e.action === 'token.use');
    expect(await uses()).toHaveLength(1);
    expect((await store.tokens.get(id))?.lastUsedAt).toBe('2026-11-25T10:00:00.000Z');
    now += 31_000;
    await auth.authenticate(secret);
    expect(await uses()).toHaveLength(2);
    expect((await store.tokens.get(id))?.lastUsedAt).toBe('2026-11-25T10:01:01.000Z');
  });
});

describe('readPermissionFor', () => {
  it('names the read permission of every API resource, configuration apart', () => {
    expect(readPermissionFor('/environments/:name')).toBe(Permission.EnvironmentsRead);
    expect(readPermissionFor('/environments/:env/applications/:name')).toBe(
      Permission.ApplicationsRead,
    );
    expect(readPermissionFor('/environments/:env/applications/:name/configuration/diff')).toBe(
      Permission.ConfigurationRead,
    );
    expect(readPermissionFor('/runs/:id/logs')).toBe(Permission.RunsRead);
    expect(readPermissionFor('/events')).toBe(Permission.EventsRead);
    expect(readPermissionFor('/audit')).toBe(Permission.AuditRead);
    expect(readPermissionFor('/unknown')).toBeUndefined();
  });
});
