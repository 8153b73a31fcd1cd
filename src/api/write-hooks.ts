import type {
  FastifyInstance,
  RouteOptions,
  onResponseAsyncHookHandler,
  onSendAsyncHookHandler,
  preHandlerAsyncHookHandler,
} from 'fastify';

/** The methods that change something; only they take an `Idempotency-Key` and are audited. */
export const WRITE_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Hooks that only writes need. */
export interface WriteHooks {
  preHandler?: preHandlerAsyncHookHandler;
  onSend?: onSendAsyncHookHandler;
  onResponse?: onResponseAsyncHookHandler;
}

function isWrite(route: RouteOptions): boolean {
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  return methods.some((m) => WRITE_METHODS.has(m));
}

function appended<T>(existing: T | T[] | undefined, hook: T): T[] {
  if (existing === undefined) return [hook];
  return Array.isArray(existing) ? [...existing, hook] : [existing, hook];
}

/**
 * Adds hooks to the write routes of this scope only, so that reads (most of
 * the traffic) do not pay for them. Call before the routes are registered.
 */
export function onWriteRoutes(app: FastifyInstance, hooks: WriteHooks): void {
  app.addHook('onRoute', (route) => {
    if (!isWrite(route)) return;
    const { preHandler, onSend, onResponse } = hooks;
    if (preHandler) route.preHandler = appended(route.preHandler, preHandler);
    if (onSend) route.onSend = appended(route.onSend, onSend);
    if (onResponse) route.onResponse = appended(route.onResponse, onResponse);
  });
}
