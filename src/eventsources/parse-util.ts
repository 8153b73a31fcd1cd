import type { EventSourceFilter, SecretKeySelector, WebhookContext } from './types.js';

export type Obj = Record<string, unknown>;
/** Throws the ManifestError of one field. */
export type Fail = (field: string, message: string, fix?: string) => never;

export const isObj = (v: unknown): v is Obj =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Refuses keys that are not in `fields`. */
export function onlyFields(path: string, raw: Obj, fields: ReadonlySet<string>, fail: Fail): void {
  for (const key of Object.keys(raw)) {
    if (!fields.has(key))
      fail(`${path}.${key}`, 'is not a field of this event source', 'remove it');
  }
}

export function parseSecretRef(path: string, raw: unknown, fail: Fail): SecretKeySelector {
  if (!isObj(raw) || typeof raw.name !== 'string' || typeof raw.key !== 'string') {
    return fail(path, 'must be a secret key selector {name, key}');
  }
  const ref: SecretKeySelector = { name: raw.name, key: raw.key };
  if (typeof raw.optional === 'boolean') ref.optional = raw.optional;
  return ref;
}

export function parseStringMap(path: string, raw: unknown, fail: Fail): Record<string, string> {
  if (!isObj(raw) || Object.values(raw).some((v) => typeof v !== 'string')) {
    return fail(path, 'must map names to strings');
  }
  return { ...(raw as Record<string, string>) };
}

export function parseStringList(path: string, raw: unknown, fail: Fail): string[] {
  if (!Array.isArray(raw) || raw.some((v) => typeof v !== 'string')) {
    return fail(path, 'must be a list of strings');
  }
  return [...(raw as string[])];
}

export function parseFilter(path: string, raw: unknown, fail: Fail): EventSourceFilter {
  if (!isObj(raw) || (raw.expression !== undefined && typeof raw.expression !== 'string')) {
    return fail(path, 'must be an object with a string expression');
  }
  return { ...(raw as EventSourceFilter) };
}

const contextFields = new Set([
  'endpoint',
  'method',
  'port',
  'url',
  'maxPayloadSize',
  'authSecret',
  'metadata',
  'serverCertSecret',
  'serverKeySecret',
]);

/** Reads Argo's WebhookContext (the endpoint part of webhook, github and gitlab sources). */
export function parseWebhookContext(
  path: string,
  raw: unknown,
  fail: Fail,
  extraFields: readonly string[] = [],
): WebhookContext {
  if (!isObj(raw)) return fail(path, 'must be an object with endpoint, method and port');
  onlyFields(path, raw, new Set([...contextFields, ...extraFields]), fail);
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
  const hook: WebhookContext = { endpoint, method, port };
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
    hook.metadata = parseStringMap(`${path}.metadata`, raw.metadata, fail);
  }
  if (raw.authSecret !== undefined) {
    hook.authSecret = parseSecretRef(`${path}.authSecret`, raw.authSecret, fail);
  }
  for (const tls of ['serverCertSecret', 'serverKeySecret'] as const) {
    if (raw[tls] !== undefined) hook[tls] = parseSecretRef(`${path}.${tls}`, raw[tls], fail);
  }
  if ((hook.serverCertSecret === undefined) !== (hook.serverKeySecret === undefined)) {
    fail(path, 'TLS needs both serverCertSecret and serverKeySecret', 'give both, or neither');
  }
  return hook;
}
