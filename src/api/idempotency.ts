import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { fingerprintOf, type IdempotentRequest, type Platform } from '../platform/index.js';
import { principalOf } from './auth.js';
import { WRITE_METHODS, onWriteRoutes } from './write-hooks.js';

export { WRITE_METHODS } from './write-hooks.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set when the request carries an `Idempotency-Key`: what it holds, and whether it replays. */
    idempotency: { request: IdempotentRequest; replayed: boolean } | null;
  }
}

/** Response headers kept with the first answer and sent again on a replay. */
const KEPT_HEADERS = ['location', 'content-type'];
export const REPLAYED_HEADER = 'idempotent-replayed';

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * `Idempotency-Key` on every write of this scope. Runs after authentication
 * (keys belong to a token) and validation (a refused body holds no key); a
 * replay answers from here, before the handler.
 */
export function registerIdempotency(app: FastifyInstance, platform: Platform): void {
  app.decorateRequest('idempotency', null);

  onWriteRoutes(app, {
    preHandler: async (request: FastifyRequest, reply: FastifyReply) => {
      if (!WRITE_METHODS.has(request.method)) return;
      const key = headerValue(request.headers['idempotency-key']);
      if (key === undefined) return;
      const path = request.url.split('?')[0] ?? request.url;
      const idem: IdempotentRequest = {
        scope: principalOf(request).tokenId,
        key,
        fingerprint: fingerprintOf(request.method, path, request.body ?? null),
      };
      const decision = await platform.idempotency.begin(idem);
      request.idempotency = { request: idem, replayed: decision.kind === 'replay' };
      if (decision.kind === 'replay') {
        const { status, headers, body } = decision.response;
        reply.code(status).headers(headers).header(REPLAYED_HEADER, 'true');
        return reply.send(body);
      }
      return undefined;
    },

    onSend: async (request, reply, payload) => {
      const idem = request.idempotency;
      if (!idem || idem.replayed) return payload;
      // Plinth's own failures and streams are not kept: a retry with the same key runs again.
      if (reply.statusCode >= 500 || (typeof payload !== 'string' && !Buffer.isBuffer(payload))) {
        await platform.idempotency.abandon(idem.request);
        return payload;
      }
      const headers: Record<string, string> = {};
      for (const name of KEPT_HEADERS) {
        const value = reply.getHeader(name);
        if (value !== undefined) headers[name] = String(value);
      }
      await platform.idempotency.complete(idem.request, {
        status: reply.statusCode,
        headers,
        body: typeof payload === 'string' ? payload : payload.toString('utf8'),
      });
      return payload;
    },

    // An answer that never reached onSend (the connection dropped) frees its key.
    onResponse: async (request) => {
      const idem = request.idempotency;
      if (idem && !idem.replayed) await platform.idempotency.abandon(idem.request);
    },
  });
}
