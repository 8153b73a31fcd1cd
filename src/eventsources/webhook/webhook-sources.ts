import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { EventBus } from '../../eventbus/index.js';
import { PlinthError } from '../../errors/index.js';
import type { Logger } from '../../logging/index.js';
import {
  compactJson,
  goJson,
  goPayloadJson,
  goStringMap,
  sourceCloudEvent,
} from '../cloud-event.js';
import { passesFilter, type FilterEvaluator } from '../filter.js';
import { githubVerdict } from '../git/github.js';
import { gitlabTokenVerdict, gitlabVerdict } from '../git/gitlab.js';
import { checkSignature, constantTimeEqual } from '../git/signature.js';
import { answer, type Verdict } from '../git/verdict.js';
import type { EventSource, SecretKeySelector } from '../types.js';
import { readBody, valuesMap } from './body.js';
import type { WebhookEventData } from './event.js';
import { headerMap, maskedAuthorization } from './headers.js';
import { planPorts, unusedRemoteFields, type PortServer, type Route } from './routes.js';

/** Looks up a Secret's key; `undefined` when it does not exist. */
export type SecretResolver = (
  ref: SecretKeySelector,
  namespace: string | undefined,
) => Promise<string | undefined>;

export type { FilterEvaluator };

export interface WebhookEventSourcesOptions {
  eventSources: readonly EventSource[];
  bus: EventBus;
  /** Interface the servers bind to. */
  host: string;
  /** Manifest port → port to bind; 0 picks a free port. */
  portMap?: ReadonlyMap<number, number>;
  logger: Logger;
  /** Needed when an endpoint has a secret (auth, TLS, HMAC, GitHub or GitLab secrets). */
  resolveSecret?: SecretResolver;
  /** Needed when an endpoint has a `filter`. */
  evaluateFilter?: FilterEvaluator;
}

/** One endpoint being served. */
export interface WebhookEndpoint {
  /** The event source type serving it: `webhook`, `github` or `gitlab`. */
  type: Route['type'];
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
  /** Binds one HTTP (or HTTPS) server per port. */
  start(): Promise<void>;
  /** Closes the servers; requests in progress finish first. */
  stop(): Promise<void>;
  endpoints(): WebhookEndpoint[];
}

const formType = 'application/x-www-form-urlencoded';
const textPlain = 'text/plain; charset=utf-8';
/** Beyond Argo: the HMAC-SHA256 of a signed request's body, `sha256=<hex>`. */
export const signatureHeader = 'x-plinth-signature-256';

/**
 * Serves the webhook endpoints of the given EventSources with Argo Events'
 * semantics (status codes, messages, order of checks) and publishes each
 * accepted request to the bus as a CloudEvent, answering 200 only once the
 * bus holds it.
 */
export function createWebhookEventSources(opts: WebhookEventSourcesOptions): WebhookEventSources {
  const ports = planPorts({
    eventSources: opts.eventSources,
    ...(opts.portMap ? { portMap: opts.portMap } : {}),
    hasSecrets: opts.resolveSecret !== undefined,
    hasFilter: opts.evaluateFilter !== undefined,
  });
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

  /** A secret's value; `undefined` (and a log line) when it cannot be had. */
  async function secret(route: Route, ref: SecretKeySelector): Promise<string | undefined> {
    try {
      return await opts.resolveSecret?.(ref, route.eventSource.metadata.namespace);
    } catch (err) {
      log.error({ err, secret: ref.name, key: ref.key }, 'failed to load an event source secret');
      return undefined;
    }
  }

  async function handle(route: Route, req: http.IncomingMessage, res: http.ServerResponse) {
    const verdict = await decide(route, req);
    if (verdict === undefined) return;
    if (verdict.kind === 'answer') {
      const extra: Record<string, string> = verdict.status === 413 ? { Connection: 'close' } : {};
      return send(res, verdict.status === 413 ? 400 : verdict.status, verdict.text, extra);
    }
    const eventSourceName = route.eventSource.metadata.name;
    const { eventName } = route;
    if (!passesFilter(route.filter, verdict.data, opts.evaluateFilter, log)) {
      return send(res, 200, 'success');
    }
    const event = sourceCloudEvent(
      route.type,
      eventSourceName,
      eventName,
      verdict.json ?? verdict.data,
    );
    try {
      await opts.bus.publish(event);
    } catch (err) {
      log.error({ err, eventSourceName, eventName }, 'failed to publish an event');
      return send(res, 500, 'failed to record event');
    }
    log.debug({ eventSourceName, eventName, eventId: event.id }, 'event published');
    send(res, 200, 'success', { 'X-Plinth-Event-Id': event.id });
  }

  /** Reads the body within the endpoint's limit; `undefined` when the caller went away. */
  async function body(
    route: Route,
    req: http.IncomingMessage,
  ): Promise<Buffer | Verdict | undefined> {
    const read = await readBody(req, route.maxPayloadSize);
    if (read.ok) return read.body;
    // 413 stands for "too large": answered 400, as Argo does, with the connection closed.
    return read.reason === 'aborted' ? undefined : answer(413, 'request body too large');
  }

  /** Argo's checks, in its order, for each type of endpoint. */
  async function decide(route: Route, req: http.IncomingMessage): Promise<Verdict | undefined> {
    const { hook } = route;
    if (hook.authSecret !== undefined) {
      const denied = await checkAuth(route, hook.authSecret, req);
      if (denied !== undefined) return denied;
    }
    if (route.type === 'gitlab' && route.spec.secretToken !== undefined) {
      const token = await secret(route, route.spec.secretToken);
      if (token === undefined) return answer(500, 'Error loading secret token');
      const denied = gitlabTokenVerdict(token, headerMap(req));
      if (denied !== undefined) return denied;
    }
    if (req.method !== hook.method) return answer(400, 'http method does not match');
    if (route.type !== 'webhook') {
      const raw = await body(route, req);
      if (raw === undefined || !Buffer.isBuffer(raw)) return raw;
      const headers = headerMap(req);
      if (route.type === 'gitlab') {
        if (headers['X-Gitlab-Token'] !== undefined)
          headers['X-Gitlab-Token'] = [maskedAuthorization];
        return gitlabVerdict(route.spec, { headers, body: raw });
      }
      let hookSecret: string | undefined;
      if (route.spec.webhookSecret !== undefined) {
        hookSecret = await secret(route, route.spec.webhookSecret);
        if (hookSecret === undefined) return answer(500, 'Error loading webhook secret');
      }
      return githubVerdict(route.spec, hookSecret, { headers, body: raw });
    }

    let parsed: unknown;
    let bodyJson: string;
    if (req.method === 'GET') {
      // A signed GET signs its query string, the only input it has.
      const query = (req.url ?? '').split('?').slice(1).join('?');
      const denied = await checkHmac(route, req, Buffer.from(query));
      if (denied !== undefined) return denied;
      parsed = valuesMap(new URL(req.url ?? '/', 'http://localhost').searchParams);
      bodyJson = goJson(parsed);
    } else if (req.method === 'POST') {
      const raw = await body(route, req);
      if (raw === undefined || !Buffer.isBuffer(raw)) return raw;
      const denied = await checkHmac(route, req, raw);
      if (denied !== undefined) return denied;
      if (req.headers['content-type'] === formType) {
        parsed = valuesMap(new URLSearchParams(raw.toString('utf8')));
        bodyJson = goJson(parsed);
      } else {
        const text = raw.toString('utf8');
        try {
          parsed = JSON.parse(text);
        } catch {
          return answer(400, 'the request body is not valid JSON');
        }
        // Argo passes the body on as sent (json.RawMessage): numbers keep their digits.
        bodyJson = compactJson(text);
      }
    } else {
      return answer(400, `unsupported method: ${req.method}`);
    }
    const header = headerMap(req);
    const data: WebhookEventData = { header, body: parsed };
    const metadata = goStringMap(route.hook.metadata);
    if (metadata !== undefined) data.metadata = metadata;
    // The payload's text in the order and form Go writes WebhookEventData.
    return { kind: 'publish', data, json: goPayloadJson('header', header, bodyJson, metadata) };
  }

  /** Beyond Argo: the HMAC-SHA256 signature an EventSource's annotation asks for. */
  async function checkHmac(
    route: Route,
    req: http.IncomingMessage,
    signed: Buffer,
  ): Promise<Verdict | undefined> {
    if (route.type !== 'webhook' || route.hmacSecret === undefined) return undefined;
    const key = await secret(route, route.hmacSecret);
    if (key === undefined) return answer(500, 'Error loading signing secret');
    const header = req.headers[signatureHeader];
    const problem = checkSignature(Array.isArray(header) ? header[0] : header, key, signed);
    return problem === undefined ? undefined : answer(401, `invalid signature: ${problem}`);
  }

  async function checkAuth(
    route: Route,
    ref: SecretKeySelector,
    req: http.IncomingMessage,
  ): Promise<Verdict | undefined> {
    const token = await secret(route, ref);
    if (token === undefined) return answer(500, 'Error loading auth token');
    const header = req.headers.authorization ?? '';
    if (!header.startsWith('Bearer ')) return answer(401, 'Invalid Authorization Header');
    if (!constantTimeEqual(header.slice('Bearer '.length), token)) {
      return answer(401, 'Invalid Auth token');
    }
    return undefined;
  }

  async function tlsOptions(tls: NonNullable<PortServer['tls']>): Promise<https.ServerOptions> {
    const get = async (ref: SecretKeySelector) => {
      const value = await opts.resolveSecret?.(ref, tls.namespace);
      if (value === undefined) {
        throw new PlinthError('UNAVAILABLE', `TLS secret ${ref.name}/${ref.key} not found`, {
          retryable: false,
        });
      }
      return value;
    };
    return { cert: await get(tls.cert), key: await get(tls.key) };
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
        const server =
          port.tls === undefined
            ? http.createServer(listener(port))
            : https.createServer(await tlsOptions(port.tls), listener(port));
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
          port.tls ? 'webhook server listening (HTTPS)' : 'webhook server listening',
        );
        for (const route of port.routes.values()) {
          const ignored = unusedRemoteFields(route);
          if (ignored.length === 0) continue;
          log.info(
            {
              eventSourceName: route.eventSource.metadata.name,
              eventName: route.eventName,
              ignored,
              endpoint: `${port.tls ? 'https' : 'http'}://${opts.host}:${port.boundPort}${route.hook.endpoint}`,
            },
            `not registering the ${route.type} webhook through the ${route.type} API; point the repository's webhook at the endpoint`,
          );
        }
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
            type: route.type,
            eventSourceName: route.eventSource.metadata.name,
            eventName: route.eventName,
            method: route.hook.method,
            url: `${port.tls ? 'https' : 'http'}://${host}:${bound}${route.hook.endpoint}`,
            manifestPort: port.manifestPort,
            port: bound,
          };
        }),
      );
    },
  };
}

function pathOf(url: string | undefined): string {
  const raw = (url ?? '/').split('?', 1)[0] ?? '/';
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}
