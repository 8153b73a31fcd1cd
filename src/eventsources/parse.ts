import { ManifestError } from '../errors/index.js';
import {
  EventSourceTypes,
  SupportedEventSourceTypes,
  type EventSource,
  type EventSourceSpec,
  type SecretKeySelector,
  type WebhookEventSource,
} from './types.js';

/** Where the manifest came from, for error messages. */
export interface ManifestLocation {
  file?: string;
}

const specFields = new Set(['eventBusName', 'replicas', 'service', 'template']);
const webhookFields = new Set([
  'endpoint',
  'method',
  'port',
  'url',
  'maxPayloadSize',
  'authSecret',
  'metadata',
  'filter',
  'serverCertSecret',
  'serverKeySecret',
]);

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks a parsed EventSource object and returns it typed, with `port`
 * normalised to a string. Throws a ManifestError for shapes Argo would refuse
 * and for event source types Plinth does not run yet.
 */
export function parseEventSource(value: unknown, location: ManifestLocation = {}): EventSource {
  const fail = (field: string, message: string, fix?: string): never => {
    throw new ManifestError(`${field}: ${message}${fix ? ` (${fix})` : ''}`, location, {
      errors: [{ field, message, ...(fix ? { fix } : {}) }],
    });
  };
  if (!isObj(value)) return fail('(root)', 'an EventSource must be a YAML/JSON object');
  if (value.apiVersion !== 'argoproj.io/v1alpha1') {
    fail('apiVersion', `is ${JSON.stringify(value.apiVersion)}`, 'use argoproj.io/v1alpha1');
  }
  if (value.kind !== 'EventSource') {
    fail('kind', `is ${JSON.stringify(value.kind)}, not EventSource`);
  }
  const metadata = value.metadata;
  if (!isObj(metadata) || typeof metadata.name !== 'string' || metadata.name === '') {
    return fail('metadata.name', 'is required', 'name the EventSource');
  }
  const spec = value.spec;
  if (!isObj(spec)) return fail('spec', 'is required');

  const out: EventSourceSpec = {};
  for (const key of Object.keys(spec)) {
    if (specFields.has(key)) continue;
    if (key === 'webhook') continue;
    if ((EventSourceTypes as readonly string[]).includes(key)) {
      fail(
        `spec.${key}`,
        `the ${key} event source type is not supported yet`,
        `${SupportedEventSourceTypes.join(', ')} is what Plinth runs now`,
      );
    }
    fail(`spec.${key}`, 'is not a field of an EventSource spec', 'remove it or check its spelling');
  }
  if (spec.eventBusName !== undefined) {
    if (typeof spec.eventBusName !== 'string') fail('spec.eventBusName', 'must be a string');
    out.eventBusName = spec.eventBusName as string;
  }
  if (spec.replicas !== undefined) out.replicas = spec.replicas as number;
  if (spec.service !== undefined) {
    if (!isObj(spec.service)) fail('spec.service', 'must be an object');
    out.service = spec.service as EventSourceSpec['service'];
  }
  if (spec.template !== undefined) out.template = spec.template;

  if (spec.webhook !== undefined) {
    if (!isObj(spec.webhook)) return fail('spec.webhook', 'must map event names to endpoints');
    out.webhook = {};
    for (const [eventName, raw] of Object.entries(spec.webhook)) {
      out.webhook[eventName] = parseWebhook(`spec.webhook.${eventName}`, raw, fail);
    }
  }
  if (out.webhook === undefined || Object.keys(out.webhook).length === 0) {
    fail('spec', 'defines no event source', 'add a webhook map of event names to endpoints');
  }

  const meta: EventSource['metadata'] = { name: metadata.name };
  if (typeof metadata.namespace === 'string') meta.namespace = metadata.namespace;
  if (isObj(metadata.labels)) meta.labels = metadata.labels as Record<string, string>;
  if (isObj(metadata.annotations)) {
    meta.annotations = metadata.annotations as Record<string, string>;
  }
  return { apiVersion: 'argoproj.io/v1alpha1', kind: 'EventSource', metadata: meta, spec: out };
}

function parseWebhook(
  path: string,
  raw: unknown,
  fail: (field: string, message: string, fix?: string) => never,
): WebhookEventSource {
  if (!isObj(raw)) return fail(path, 'must be an object with endpoint, method and port');
  for (const key of Object.keys(raw)) {
    if (!webhookFields.has(key)) {
      fail(`${path}.${key}`, 'is not a field of a webhook event source', 'remove it');
    }
  }
  const { endpoint, method } = raw;
  if (typeof endpoint !== 'string' || endpoint === '') {
    return fail(`${path}.endpoint`, "can't be empty", 'give a path such as /environments');
  }
  if (!endpoint.startsWith('/')) {
    fail(`${path}.endpoint`, `${JSON.stringify(endpoint)} is not a path`, `write /${endpoint}`);
  }
  if (typeof method !== 'string' || method === '') {
    return fail(`${path}.method`, "can't be empty", 'give the HTTP method, e.g. POST');
  }
  const port = typeof raw.port === 'number' ? String(raw.port) : raw.port;
  if (typeof port !== 'string' || port === '') {
    return fail(`${path}.port`, "can't be empty", 'give the port as a string, e.g. "12000"');
  }
  if (!/^\d+$/.test(port) || Number(port) > 65_535) {
    fail(`${path}.port`, `${JSON.stringify(port)} is not a port number`);
  }
  const hook: WebhookEventSource = { endpoint, method, port };
  if (raw.url !== undefined) {
    if (typeof raw.url !== 'string') fail(`${path}.url`, 'must be a string');
    hook.url = raw.url as string;
  }
  if (raw.maxPayloadSize !== undefined) {
    const size = raw.maxPayloadSize;
    if (typeof size !== 'number' || !Number.isInteger(size) || size <= 0) {
      fail(`${path}.maxPayloadSize`, 'must be a positive integer (bytes)');
    }
    hook.maxPayloadSize = size as number;
  }
  if (raw.metadata !== undefined) {
    const md = raw.metadata;
    if (!isObj(md) || Object.values(md).some((v) => typeof v !== 'string')) {
      fail(`${path}.metadata`, 'must map names to strings');
    }
    hook.metadata = { ...(md as Record<string, string>) };
  }
  if (raw.authSecret !== undefined) {
    hook.authSecret = parseSecretRef(`${path}.authSecret`, raw.authSecret, fail);
  }
  if (raw.filter !== undefined) {
    const filter = raw.filter;
    if (
      !isObj(filter) ||
      (filter.expression !== undefined && typeof filter.expression !== 'string')
    ) {
      fail(`${path}.filter`, 'must be an object with a string expression');
    }
    hook.filter = { ...(filter as { expression?: string }) };
  }
  for (const tls of ['serverCertSecret', 'serverKeySecret'] as const) {
    if (raw[tls] !== undefined) {
      fail(
        `${path}.${tls}`,
        'TLS on webhook endpoints is not supported yet',
        'remove it and terminate TLS in front of Plinth',
      );
    }
  }
  return hook;
}

function parseSecretRef(
  path: string,
  raw: unknown,
  fail: (field: string, message: string, fix?: string) => never,
): SecretKeySelector {
  if (!isObj(raw) || typeof raw.name !== 'string' || typeof raw.key !== 'string') {
    return fail(path, 'must be a secret key selector {name, key}');
  }
  const ref: SecretKeySelector = { name: raw.name, key: raw.key };
  if (typeof raw.optional === 'boolean') ref.optional = raw.optional;
  return ref;
}
