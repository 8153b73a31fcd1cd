import { timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EventBus } from '../../eventbus/index.js';
import { ManifestError, PlinthError } from '../../errors/index.js';
import type { Logger } from '../../logging/index.js';
import {
  defaultMaxPayloadSize,
  type EventSource,
  type SecretKeySelector,
  type WebhookEventSource,
} from '../types.js';
import { readBody, valuesMap } from './body.js';
import { webhookCloudEvent, type WebhookEventData } from './event.js';
import { headerMap } from './headers.js';

/** Looks up a Secret's key; `undefined` when it does not exist. */
export type SecretResolver = (
  ref: SecretKeySelector,
  namespace: string | undefined,
) => Promise<string | undefined>;

/**
 * Evaluates an EventSource filter expression over the event's payload fields
 * (names with `-` written as `_`, as Argo does); true lets the event through.
 */
export type FilterEvaluator = (expression: string, env: Record<string, unknown>) => boolean;

export interface WebhookEventSourcesOptions {
  eventSources: readonly EventSource[];
  bus: EventBus;
  /** Interface the servers bind to. */
  host: string;
  /** Manifest port → port to bind; 0 picks a free port. */
  portMap?: ReadonlyMap<number, number>;
  logger: Logger;
  /** Needed when an endpoint has an `authSecret`. */
  resolveSecret?: SecretResolver;
  /** Needed when an endpoint has a `filter`. */
  evaluateFilter?: FilterEvaluator;
}

/** One endpoint being served. */
export interface WebhookEndpoint {
  eventSourceName: string;
  eventName: string;
  method: string;
  /** Where it is reached, with the bound port once started. */
  url: string;
  /** The port the manifest names. */
  manifestPort: number;
  /** The port bound (before `start`, the one that will be asked for; 0 = any). */
  port: number;
}

export interface WebhookEventSources {
  /** Binds one HTTP server per port. */
  start(): Promise<void>;
  /** Closes the servers; requests in progress finish first. */
  stop(): Promise<void>;
  endpoints(): WebhookEndpoint[];
}

interface Route {
  eventSource: EventSource;
  eventName: string;
  hook: WebhookEventSource;
  maxPayloadSize: number;
}

interface PortServer {
  manifestPort: number;
  requestedPort: number;
  routes: Map<string, Route>;
  server: http.Server | undefined;
  boundPort: number | undefined;
}

const formType = 'application/x-www-form-urlencoded';
const textPlain = 'text/plain; charset=utf-8';

/**
 * Serves the webhook endpoints of the given EventSources with Argo Events'
 * semantics (status codes, messages, order of checks) and publishes each
 * accepted request to the bus as a CloudEvent, answering 200 only once the
 * bus holds it.
 */
export function createWebhookEventSources(opts: WebhookEventSourcesOptions): WebhookEventSources {
  const ports = planPorts(opts);
  const log = opts.logger;

  const send = (
    res: http.ServerResponse,
    status: number,
    text: string,
    headers: Record<string, string> = {},
  ) => {
    res.writeHead(status, { 'Content-Type': textPlain, ...headers });
    res.end(text);
  };

  async function handle(route: Route, req: http.IncomingMessage, res: http.ServerResponse) {
    const { hook, eventName } = route;
    const eventSourceName = route.eventSource.metadata.name;
    if (hook.authSecret !== undefined) {
      const verdict = await checkAuth(route, hook.authSecret, req);
      if (verdict !== undefined) return send(res, verdict.status, verdict.text);
    }
    if (req.method !== hook.method) return send(res, 400, 'http method does not match');

    let body: unknown;
    if (req.method === 'GET') {
      body = valuesMap(new URL(req.url ?? '/', 'http://localhost').searchParams);
    } else if (req.method === 'POST') {
      const read = await readBody(req, route.maxPayloadSize);
      if (!read.ok) {
        if (read.reason === 'aborted') return;
        return send(res, 400, 'request body too large', { Connection: 'close' });
      }
      const contentType = req.headers['content-type'];
      if (contentType === formType) {
        body = valuesMap(new URLSearchParams(read.body.toString('utf8')));
      } else {
        try {
          body = JSON.parse(read.body.toString('utf8'));
        } catch {
          return send(res, 400, 'the request body is not valid JSON');
        }
      }
    } else {
      return send(res, 400, `unsupported method: ${req.method}`);
    }

    const data: WebhookEventData = { header: headerMap(req), body };
    if (hook.metadata !== undefined) data.metadata = hook.metadata;
    if (hook.filter?.expression && !passesFilter(hook.filter.expression, data)) {
      return send(res, 200, 'success');
    }
    const event = webhookCloudEvent(eventSourceName, eventName, data);
    try {
      await opts.bus.publish(event);
    } catch (err) {
      log.error({ err, eventSourceName, eventName }, 'failed to publish a webhook event');
      return send(res, 500, 'failed to record event');
    }
    log.debug({ eventSourceName, eventName, eventId: event.id }, 'webhook event published');
    send(res, 200, 'success', { 'X-Plinth-Event-Id': event.id });
  }

  async function checkAuth(
    route: Route,
    ref: SecretKeySelector,
    req: http.IncomingMessage,
  ): Promise<{ status: number; text: string } | undefined> {
    let token: string | undefined;
    try {
      token = await opts.resolveSecret?.(ref, route.eventSource.metadata.namespace);
    } catch (err) {
      log.error({ err, secret: ref.name }, 'failed to load a webhook auth secret');
    }
    if (token === undefined) return { status: 500, text: 'Error loading auth token' };
    const header = req.headers.authorization ?? '';
    if (!header.startsWith('Bearer ')) return { status: 401, text: 'Invalid Authorization Header' };
    const given = Buffer.from(header.slice('Bearer '.length));
    const wanted = Buffer.from(token);
    if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) {
      return { status: 401, text: 'Invalid Auth token' };
    }
    return undefined;
  }

  function passesFilter(expression: string, data: WebhookEventData): boolean {
    const env: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(data)) env[key.replaceAll('-', '_')] = value;
    try {
      return opts.evaluateFilter?.(expression, env) ?? true;
    } catch (err) {
      // Argo drops an event whose filter cannot be evaluated.
      log.warn({ err, expression }, 'webhook filter failed; event dropped');
      return false;
    }
  }

  function listener(port: PortServer): http.RequestListener {
    return (req, res) => {
      const path = pathOf(req.url);
      const route = port.routes.get(path);
      if (route === undefined) {
        if (path === '/health') return send(res, 200, 'OK');
        return send(res, 404, '404 page not found\n');
      }
      handle(route, req, res).catch((err: unknown) => {
        log.error({ err }, 'webhook request failed');
        if (!res.headersSent) send(res, 500, 'internal error');
        else res.destroy();
      });
    };
  }

  return {
    async start() {
      for (const port of ports) {
        if (port.server !== undefined) continue;
        const server = http.createServer(listener(port));
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(port.requestedPort, opts.host, () => {
            server.off('error', reject);
            resolve();
          });
        }).catch((err: unknown) => {
          throw new PlinthError(
            'UNAVAILABLE',
            `cannot listen on ${opts.host}:${port.requestedPort} for EventSource port ${port.manifestPort}: ${(err as Error).message}`,
            { cause: err, retryable: false },
          );
        });
        port.server = server;
        port.boundPort = (server.address() as AddressInfo).port;
        log.info(
          { port: port.boundPort, routes: [...port.routes.keys()] },
          'webhook server listening',
        );
      }
    },

    async stop() {
      await Promise.all(
        ports.map(async (port) => {
          const server = port.server;
          if (server === undefined) return;
          port.server = undefined;
          port.boundPort = undefined;
          await new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeIdleConnections();
          });
        }),
      );
    },

    endpoints() {
      const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
      return ports.flatMap((port) =>
        [...port.routes.values()].map((route) => {
          const bound = port.boundPort ?? port.requestedPort;
          return {
            eventSourceName: route.eventSource.metadata.name,
            eventName: route.eventName,
            method: route.hook.method,
            url: `http://${host}:${bound}${route.hook.endpoint}`,
            manifestPort: port.manifestPort,
            port: bound,
          };
        }),
      );
    },
  };
}

/** Groups the endpoints by the port they bind, refusing two endpoints on one path and port. */
function planPorts(opts: WebhookEventSourcesOptions): PortServer[] {
  const byKey = new Map<string, PortServer>();
  for (const eventSource of opts.eventSources) {
    for (const [eventName, hook] of Object.entries(eventSource.spec.webhook ?? {})) {
      const where = `EventSource ${eventSource.metadata.name}, spec.webhook.${eventName}`;
      const manifestPort = Number(hook.port);
      const requestedPort = opts.portMap?.get(manifestPort) ?? manifestPort;
      if (hook.filter?.expression && opts.evaluateFilter === undefined) {
        throw new ManifestError(`${where}.filter: event source filters are not supported yet`);
      }
      if (hook.authSecret !== undefined && opts.resolveSecret === undefined) {
        throw new ManifestError(`${where}.authSecret: no secret store is configured`);
      }
      // Several ports remapped to 0 each get their own free port.
      const key = requestedPort === 0 ? `any:${manifestPort}` : String(requestedPort);
      let port = byKey.get(key);
      if (port === undefined) {
        port = {
          manifestPort,
          requestedPort,
          routes: new Map(),
          server: undefined,
          boundPort: undefined,
        };
        byKey.set(key, port);
      }
      const taken = port.routes.get(hook.endpoint);
      if (taken !== undefined) {
        throw new ManifestError(
          `${where}: endpoint ${hook.endpoint} on port ${hook.port} is already served by EventSource ${taken.eventSource.metadata.name}, event ${taken.eventName}`,
        );
      }
      port.routes.set(hook.endpoint, {
        eventSource,
        eventName,
        hook,
        maxPayloadSize: hook.maxPayloadSize ?? defaultMaxPayloadSize,
      });
    }
  }
  return [...byKey.values()];
}

function pathOf(url: string | undefined): string {
  const raw = (url ?? '/').split('?', 1)[0] ?? '/';
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}
