import type http from 'node:http';
import type https from 'node:https';
import { ManifestError } from '../../errors/index.js';
import {
  defaultMaxPayloadSize,
  hmacSecretAnnotation,
  type EventSource,
  type GithubEventSource,
  type GitlabEventSource,
  type SecretKeySelector,
  type WebhookContext,
} from '../types.js';

/** One endpoint and what serves it. */
export type Route = {
  eventSource: EventSource;
  eventName: string;
  hook: WebhookContext;
  maxPayloadSize: number;
  filter: string | undefined;
} & (
  | { type: 'webhook'; hmacSecret: SecretKeySelector | undefined }
  | { type: 'github'; spec: GithubEventSource }
  | { type: 'gitlab'; spec: GitlabEventSource }
);

export interface PortServer {
  manifestPort: number;
  requestedPort: number;
  routes: Map<string, Route>;
  /** Certificate and key secrets when the port serves HTTPS. */
  tls: { cert: SecretKeySelector; key: SecretKeySelector; namespace?: string } | undefined;
  server: http.Server | https.Server | undefined;
  boundPort: number | undefined;
}

export interface PlanOptions {
  eventSources: readonly EventSource[];
  portMap?: ReadonlyMap<number, number>;
  hasSecrets: boolean;
  hasFilter: boolean;
}

/** The HMAC secret an EventSource's annotations name for one webhook endpoint. */
function hmacSecretOf(eventSource: EventSource, eventName: string): SecretKeySelector | undefined {
  const annotations = eventSource.metadata.annotations ?? {};
  const value =
    annotations[`${hmacSecretAnnotation}.${eventName}`] ?? annotations[hmacSecretAnnotation];
  if (value === undefined) return undefined;
  const [name, key, extra] = value.split('/');
  if (!name || !key || extra !== undefined) {
    throw new ManifestError(
      `EventSource ${eventSource.metadata.name}, metadata.annotations.${hmacSecretAnnotation}: ${JSON.stringify(value)} is not <secret name>/<key>`,
    );
  }
  return { name, key };
}

function routesOf(eventSource: EventSource): Route[] {
  const out: Route[] = [];
  const common = (eventName: string, hook: WebhookContext, filter: string | undefined) => ({
    eventSource,
    eventName,
    hook,
    maxPayloadSize: hook.maxPayloadSize ?? defaultMaxPayloadSize,
    filter: filter || undefined,
  });
  for (const [eventName, hook] of Object.entries(eventSource.spec.webhook ?? {})) {
    out.push({
      ...common(eventName, hook, hook.filter?.expression),
      type: 'webhook',
      hmacSecret: hmacSecretOf(eventSource, eventName),
    });
  }
  for (const [eventName, spec] of Object.entries(eventSource.spec.github ?? {})) {
    if (spec.webhook === undefined) continue;
    out.push({ ...common(eventName, spec.webhook, spec.filter?.expression), type: 'github', spec });
  }
  for (const [eventName, spec] of Object.entries(eventSource.spec.gitlab ?? {})) {
    if (spec.webhook === undefined) continue;
    out.push({ ...common(eventName, spec.webhook, spec.filter?.expression), type: 'gitlab', spec });
  }
  return out;
}

function secretsOf(route: Route): SecretKeySelector[] {
  const refs = [route.hook.authSecret, route.hook.serverCertSecret, route.hook.serverKeySecret];
  if (route.type === 'webhook') refs.push(route.hmacSecret);
  if (route.type === 'github') refs.push(route.spec.webhookSecret);
  if (route.type === 'gitlab') refs.push(route.spec.secretToken);
  return refs.filter((r): r is SecretKeySelector => r !== undefined);
}

/** Groups the endpoints by the port they bind, refusing two endpoints on one path and port. */
export function planPorts(opts: PlanOptions): PortServer[] {
  const byKey = new Map<string, PortServer>();
  for (const eventSource of opts.eventSources) {
    for (const route of routesOf(eventSource)) {
      const { hook, eventName } = route;
      const where = `EventSource ${eventSource.metadata.name}, spec.${route.type}.${eventName}`;
      const manifestPort = Number(hook.port);
      const requestedPort = opts.portMap?.get(manifestPort) ?? manifestPort;
      if (route.filter && !opts.hasFilter) {
        throw new ManifestError(`${where}.filter: event source filters are not supported yet`);
      }
      if (secretsOf(route).length > 0 && !opts.hasSecrets) {
        throw new ManifestError(`${where}: no secret store is configured for its secrets`);
      }
      // Several ports remapped to 0 each get their own free port.
      const key = requestedPort === 0 ? `any:${manifestPort}` : String(requestedPort);
      let port = byKey.get(key);
      const tls =
        hook.serverCertSecret && hook.serverKeySecret
          ? {
              cert: hook.serverCertSecret,
              key: hook.serverKeySecret,
              ...(eventSource.metadata.namespace
                ? { namespace: eventSource.metadata.namespace }
                : {}),
            }
          : undefined;
      if (port === undefined) {
        port = {
          manifestPort,
          requestedPort,
          routes: new Map(),
          tls,
          server: undefined,
          boundPort: undefined,
        };
        byKey.set(key, port);
      } else if ((port.tls === undefined) !== (tls === undefined)) {
        throw new ManifestError(
          `${where}: port ${hook.port} serves both HTTP and HTTPS endpoints (give every endpoint on a port the same serverCertSecret and serverKeySecret)`,
        );
      }
      const taken = port.routes.get(hook.endpoint);
      if (taken !== undefined) {
        throw new ManifestError(
          `${where}: endpoint ${hook.endpoint} on port ${hook.port} is already served by EventSource ${taken.eventSource.metadata.name}, event ${taken.eventName}`,
        );
      }
      port.routes.set(hook.endpoint, route);
    }
  }
  return [...byKey.values()];
}

const remoteFields = {
  github: [
    'owner',
    'repository',
    'repositories',
    'organizations',
    'apiToken',
    'githubApp',
    'githubBaseURL',
    'githubUploadURL',
    'active',
    'insecure',
    'contentType',
    'deleteHookOnFinish',
  ],
  gitlab: [
    'projectID',
    'projects',
    'groups',
    'accessToken',
    'gitlabBaseURL',
    'enableSSLVerification',
    'deleteHookOnFinish',
  ],
} as const;

/**
 * The fields of a github or gitlab route that Argo uses to create the hook
 * through the provider's API, which Plinth does not call: the hook is set up
 * by hand to POST to the endpoint.
 */
export function unusedRemoteFields(route: Route): string[] {
  if (route.type === 'webhook') return [];
  const spec = route.spec as Record<string, unknown>;
  const fields: string[] = remoteFields[route.type].filter((f) => spec[f] !== undefined);
  if (route.hook.url !== undefined) fields.push('webhook.url');
  return fields;
}
