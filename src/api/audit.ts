import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Platform } from '../platform/index.js';
import { WRITE_METHODS, onWriteRoutes } from './write-hooks.js';

/** What a route may add to its audit entry (never a body or a secret). */
export interface AuditNote {
  target?: string;
  details?: Record<string, unknown>;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by a handler to name the target or add facts to the write's audit entry. */
    auditNote: AuditNote | null;
  }
  interface FastifyContextConfig {
    /** Overrides the audit action derived from the route, e.g. `tokens.revoke`. */
    auditAction?: string;
  }
}

const API_PREFIX = '/api/v1/';
const verbs: Record<string, string> = {
  POST: 'create',
  PUT: 'update',
  PATCH: 'update',
  DELETE: 'delete',
};

/**
 * The action and target of a write, from its route: `POST /environments` is
 * `environments.create` on `environments/<body.name>`, `DELETE
 * /environments/:name` is `environments.delete` on `environments/<name>`, and
 * `POST /runs/:id/approve` is `runs.approve` on `runs/<id>`.
 */
export function describeWrite(
  method: string,
  route: string,
  params: Record<string, string>,
  body: unknown,
): { action: string; target: string } {
  const segments = route.startsWith(API_PREFIX)
    ? route.slice(API_PREFIX.length).split('/').filter(Boolean)
    : route.split('/').filter(Boolean);
  const last = segments[segments.length - 1];
  const beforeLast = segments[segments.length - 2];
  const isVerb =
    method === 'POST' &&
    last !== undefined &&
    !last.startsWith(':') &&
    beforeLast?.startsWith(':') === true;
  const resource = isVerb ? segments.slice(0, -1) : segments;
  const nouns = resource.filter((s) => !s.startsWith(':'));
  const action = `${nouns.join('.')}.${isVerb ? last : (verbs[method] ?? method.toLowerCase())}`;
  const path = resource.map((s) =>
    s.startsWith(':') ? encodeURIComponent(params[s.slice(1)] ?? s) : s,
  );
  const named =
    method === 'POST' && !isVerb && body !== null && typeof body === 'object'
      ? (body as Record<string, unknown>)['name']
      : undefined;
  if (typeof named === 'string') path.push(encodeURIComponent(named));
  return { action, target: path.join('/') };
}

function outcomeOf(status: number): 'succeeded' | 'denied' | 'failed' {
  if (status < 400) return 'succeeded';
  return status === 401 || status === 403 ? 'denied' : 'failed';
}

/** The error code of a problem+json answer, for the entry's details. */
function problemCode(reply: FastifyReply, payload: unknown): string | undefined {
  if (reply.statusCode < 400 || typeof payload !== 'string') return undefined;
  try {
    const code = (JSON.parse(payload) as { code?: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Records every authenticated write of this scope in the audit log before
 * its answer is sent: actor, action, target, request id, outcome and status.
 * Replays of an idempotent write are not new writes and are not recorded.
 */
export function registerAuditTrail(app: FastifyInstance, platform: Platform): void {
  app.decorateRequest('auditNote', null);
  onWriteRoutes(app, {
    onSend: async (request: FastifyRequest, reply: FastifyReply, payload) => {
      if (!WRITE_METHODS.has(request.method) || !request.principal) return payload;
      if (request.idempotency?.replayed) return payload;
      const route = request.routeOptions.url ?? request.url.split('?')[0] ?? request.url;
      const described = describeWrite(
        request.method,
        route,
        (request.params ?? {}) as Record<string, string>,
        request.body,
      );
      const note = request.auditNote;
      const code = problemCode(reply, payload);
      try {
        await platform.audit.record({
          actor: request.principal,
          action: request.routeOptions.config.auditAction ?? described.action,
          target: note?.target ?? described.target,
          requestId: request.id,
          outcome: outcomeOf(reply.statusCode),
          status: reply.statusCode,
          details: { ...note?.details, ...(code === undefined ? {} : { code }) },
        });
      } catch (err) {
        request.log.error({ err }, 'recording the audit entry failed');
      }
      return payload;
    },
  });
}
