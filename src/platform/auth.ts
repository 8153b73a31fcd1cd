import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { ForbiddenError, InputError, UnauthenticatedError } from '../errors/index.js';
import type { Store } from '../store/index.js';
import { Role, type AuthService, type Principal } from './types.js';

const roles = Object.values(Role) as string[];
/** `lastUsedAt` is written at most this often per token, so reads stay reads. */
const TOUCH_INTERVAL_MS = 60_000;
const MIN_SECRET_LENGTH = 16;

/** A new secret: `plinth_` and 32 base64url characters (192 random bits). */
export function generateSecret(): string {
  return `plinth_${randomBytes(24).toString('base64url')}`;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Today's rule, until full RBAC: every role but viewer may write. */
export function assertCanWrite(actor: Principal, what: string): void {
  if (actor.role === Role.Viewer) {
    throw new ForbiddenError(`the ${actor.role} role cannot ${what}`, {
      details: { role: actor.role },
    });
  }
}

export function createAuthService(deps: { store: Store; clock: () => Date }): AuthService {
  const { store, clock } = deps;

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

  return {
    async ensureAdminToken(givenSecret) {
      if ((await store.tokens.count()) > 0) return undefined;
      const { secret } = await insertToken({
        name: 'admin',
        role: Role.Admin,
        ...(givenSecret === undefined ? {} : { secret: givenSecret }),
      });
      return secret;
    },

    async authenticate(secret) {
      if (!secret) throw new UnauthenticatedError();
      const token = await store.tokens.findByHash(hashSecret(secret));
      const now = clock();
      if (!token || token.revokedAt !== null) {
        throw new UnauthenticatedError('the bearer token is not valid');
      }
      if (token.expiresAt !== null && Date.parse(token.expiresAt) <= now.getTime()) {
        throw new UnauthenticatedError('the bearer token has expired');
      }
      if (!roles.includes(token.role)) {
        throw new UnauthenticatedError('the bearer token has an unknown role');
      }
      if (
        token.lastUsedAt === null ||
        now.getTime() - Date.parse(token.lastUsedAt) > TOUCH_INTERVAL_MS
      ) {
        await store.tokens.touch(token.id, now.toISOString());
      }
      return { tokenId: token.id, name: token.name, role: token.role as Role, team: token.team };
    },

    createToken: insertToken,

    async revokeToken(id) {
      await store.tokens.revoke(id, clock().toISOString());
    },
  };
}
