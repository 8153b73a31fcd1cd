import type { FastifyInstance, FastifyRequest } from 'fastify';
import { UnauthenticatedError } from '../errors/index.js';
import type { Platform, Principal } from '../platform/index.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the bearer hook on every `/api/v1` route. */
    principal: Principal | null;
  }
}

/** The secret of an `Authorization: Bearer <secret>` header, if that is what was sent. */
export function bearerSecret(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw new UnauthenticatedError('the Authorization header must be "Bearer <token>"');
  return match[1];
}

/** Requires a valid bearer token on every route of this scope. */
export function registerBearerAuth(app: FastifyInstance, platform: Platform): void {
  app.addHook('onRequest', async (request) => {
    request.principal = await platform.auth.authenticate(
      bearerSecret(request.headers.authorization),
      { requestId: request.id },
    );
  });
}

/** The caller; routes of the authenticated scope always have one. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new UnauthenticatedError();
  return request.principal;
}
