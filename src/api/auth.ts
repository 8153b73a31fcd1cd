import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from 'fastify';
import { UnauthenticatedError } from '../errors/index.js';
import { authorize, readPermissionFor, type Platform, type Principal } from '../platform/index.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the bearer hook on every `/api/v1` route. */
    principal: Principal | null;
  }
}

const API_PREFIX = '/api/v1';
const READ_METHODS = new Set(['GET', 'HEAD']);

/** The secret of an `Authorization: Bearer <secret>` header, if that is what was sent. */
export function bearerSecret(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw new UnauthenticatedError('the Authorization header must be "Bearer <token>"');
  return match[1];
}

/** The caller; routes of the authenticated scope always have one. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new UnauthenticatedError();
  return request.principal;
}

/**
 * Requires a valid bearer token on every route of this scope, and the read
 * permission of its resource on every read route (writes are decided by the
 * services, which know the owning team). Call before the routes are added: a
 * read route whose resource has no read permission is refused at start.
 */
export function registerBearerAuth(app: FastifyInstance, platform: Platform): void {
  app.addHook('onRequest', async (request) => {
    request.principal = await platform.auth.authenticate(
      bearerSecret(request.headers.authorization),
      { requestId: request.id },
    );
  });

  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (!methods.every((m) => READ_METHODS.has(m))) return;
    const path = route.url.startsWith(API_PREFIX) ? route.url.slice(API_PREFIX.length) : route.url;
    const permission = readPermissionFor(path);
    if (permission === undefined) {
      throw new Error(`no read permission is defined for GET ${route.url}`);
    }
    const kind = path.split('/').filter((s) => s !== '' && !s.startsWith(':'))[0] ?? path;
    const check: onRequestHookHandler = (request, _reply, done) => {
      const params = (request.params ?? {}) as Record<string, string | undefined>;
      const name = params['name'] ?? params['id'] ?? params['env'] ?? params['kind'];
      try {
        authorize(principalOf(request), permission, { kind, ...(name ? { name } : {}) });
        done();
      } catch (err) {
        done(err as Error);
      }
    };
    const existing = route.onRequest;
    route.onRequest =
      existing === undefined
        ? [check]
        : Array.isArray(existing)
          ? [...existing, check]
          : [existing, check];
  });
}
