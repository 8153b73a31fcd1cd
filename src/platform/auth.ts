import { hash as oneShotHash, randomBytes, randomUUID } from 'node:crypto';
import { InputError, UnauthenticatedError, isPlinthError } from '../errors/index.js';
import type { Store, TokenRecord } from '../store/index.js';
import type { AuditService } from './audit.js';
import { Role, type AuthService, type Principal } from './types.js';

const roles = Object.values(Role) as string[];
/** `lastUsedAt` (and a `token.use` audit entry) is written at most this often per token, so reads stay cheap. */
const TOUCH_INTERVAL_MS = 60_000;
const MIN_SECRET_LENGTH = 16;
/**
 * How long an authenticated token is trusted without reading the store. A
 * revoke through this process drops it at once; one through another process
 * (the clustered shape) takes effect here within this time.
 */
export const TOKEN_CACHE_TTL_MS = 5_000;
const TOKEN_CACHE_SIZE = 1_000;

interface CachedToken {
  token: TokenRecord;
  principal: Principal;
  cachedAt: number;
}

/** A new secret: `plinth_` and 32 base64url characters (192 random bits). */
export function generateSecret(): string {
  return `plinth_${randomBytes(24).toString('base64url')}`;
}

/** SHA-256 of the secret, in hex; the one-shot form costs a third of a Hash object's per request. */
export function hashSecret(secret: string): string {
  return oneShotHash('sha256', secret, 'hex');
}

export function createAuthService(deps: {
  store: Store;
  clock: () => Date;
  /** Where token use is recorded; none in tests of authentication alone. */
  audit?: AuditService;
}): AuthService {
  const { store, clock, audit } = deps;

  async function insertToken(input: {
    name: string;
    role: Role;
    team?: string | null;
    expiresAt?: string | null;
    secret?: string;
  }) {
    if (!roles.includes(input.role)) {
      throw new InputError(`unknown role "${input.role}"`, {
        errors: [{ field: 'role', message: 'unknown role', fix: `use one of ${roles.join(', ')}` }],
      });
    }
    const secret = input.secret ?? generateSecret();
    if (secret.length < MIN_SECRET_LENGTH) {
      throw new InputError('the token is too short', {
        errors: [
          {
            field: 'token',
            message: `has ${secret.length} characters`,
            fix: `use at least ${MIN_SECRET_LENGTH} random characters`,
          },
        ],
      });
    }
    const id = randomUUID();
    await store.tokens.insert({
      id,
      name: input.name,
      role: input.role,
      team: input.team ?? null,
      hash: hashSecret(secret),
      createdAt: clock().toISOString(),
      expiresAt: input.expiresAt ?? null,
      revokedAt: null,
      lastUsedAt: null,
    });
    return { id, secret };
  }

  /** Authenticated tokens by the hash of their secret (never the secret itself). */
  const cache = new Map<string, CachedToken>();

  function forget(tokenId: string): void {
    for (const [hash, entry] of cache) {
      if (entry.token.id === tokenId) cache.delete(hash);
    }
  }

  async function cachedOrLoaded(hash: string, nowMs: number): Promise<CachedToken> {
    const hit = cache.get(hash);
    if (hit && nowMs - hit.cachedAt < TOKEN_CACHE_TTL_MS) return hit;
    cache.delete(hash);
    const token = await store.tokens.findByHash(hash);
    if (!token || token.revokedAt !== null) {
      throw new UnauthenticatedError('the bearer token is not valid');
    }
    if (!roles.includes(token.role)) {
      throw new UnauthenticatedError('the bearer token has an unknown role');
    }
    const entry: CachedToken = {
      token,
      principal: {
        tokenId: token.id,
        name: token.name,
        role: token.role as Role,
        team: token.team,
      },
      cachedAt: nowMs,
    };
    if (cache.size >= TOKEN_CACHE_SIZE) {
      const oldest = cache.keys().next();
      if (!oldest.done) cache.delete(oldest.value);
    }
    cache.set(hash, entry);
    return entry;
  }

  return {
    async ensureAdminToken(givenSecret) {
      if ((await store.tokens.count()) > 0) return undefined;
      try {
        const { secret } = await insertToken({
          name: 'admin',
          role: Role.Admin,
          ...(givenSecret === undefined ? {} : { secret: givenSecret }),
        });
        return secret;
      } catch (err) {
        // Processes starting together on one database: the first one made it.
        if (isPlinthError(err, 'CONFLICT')) return undefined;
        throw err;
      }
    },

    async authenticate(secret, context = {}) {
      if (!secret) throw new UnauthenticatedError();
      const hash = hashSecret(secret);
      const now = clock();
      const entry = await cachedOrLoaded(hash, now.getTime());
      const { token, principal } = entry;
      if (token.expiresAt !== null && Date.parse(token.expiresAt) <= now.getTime()) {
        cache.delete(hash);
        throw new UnauthenticatedError('the bearer token has expired');
      }
      if (
        token.lastUsedAt === null ||
        now.getTime() - Date.parse(token.lastUsedAt) > TOUCH_INTERVAL_MS
      ) {
        const notAfter = new Date(now.getTime() - TOUCH_INTERVAL_MS).toISOString();
        // Marked before the write, so concurrent requests of the same token touch it once.
        entry.token = { ...token, lastUsedAt: now.toISOString() };
        const first = await store.tokens.touch(token.id, now.toISOString(), notAfter);
        if (first && audit) {
          await audit.record({
            actor: principal,
            action: 'token.use',
            target: `tokens/${token.id}`,
            requestId: context.requestId ?? null,
            outcome: 'succeeded',
          });
        }
      }
      return principal;
    },

    createToken: insertToken,

    async revokeToken(id) {
      await store.tokens.revoke(id, clock().toISOString());
      forget(id);
    },
  };
}
