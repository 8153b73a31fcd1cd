import http from 'node:http';
import https from 'node:https';
import { ManifestError, PlinthError } from '../../errors/index.js';
import { applyParams, constructPayload, resolveParamValue } from '../parameters/resolve.js';
import type { JsonValue } from '../parameters/sjson.js';
import { TriggerType, type TriggerParameter } from '../types.js';
import type { SecretRef, SecretResolver } from './secrets.js';
import type { Trigger } from './trigger.js';

/** A key of a Kubernetes Secret (or ConfigMap): `{name, key}`. */
interface KeySelector {
  name?: string;
  key?: string;
}

/** Argo's HTTPTrigger, as Plinth reads it. */
export interface HttpTriggerSpec {
  url?: string;
  method?: string;
  payload?: TriggerParameter[];
  parameters?: TriggerParameter[];
  headers?: Record<string, string>;
  dynamicHeaders?: TriggerParameter[];
  secureHeaders?: {
    name?: string;
    valueFrom?: { secretKeyRef?: KeySelector; configMapKeyRef?: KeySelector };
  }[];
  basicAuth?: { username?: KeySelector; password?: KeySelector };
  tls?: {
    caCertSecret?: KeySelector;
    clientCertSecret?: KeySelector;
    clientKeySecret?: KeySelector;
    insecureSkipVerify?: boolean;
  };
  /** Seconds; 60 by default. */
  timeout?: number;
  host?: string;
}

const defaultTimeoutSeconds = 60;
const maxResponseBytes = 1024 * 1024;

/**
 * A resolved HTTP request: everything but the secrets, which are read when it
 * is sent. Serializes (in decisions and `plinth sensor test`) as its payload.
 */
export class HttpRequestPlan {
  constructor(
    readonly name: string,
    readonly url: string,
    readonly method: string,
    readonly headers: Record<string, string>,
    readonly body: string | undefined,
    readonly timeoutMs: number,
    readonly spec: HttpTriggerSpec,
  ) {}

  /** The payload: its JSON value, or its text when it is not JSON, or null for an empty body. */
  toJSON(): unknown {
    if (this.body === undefined) return null;
    try {
      return JSON.parse(this.body) as unknown;
    } catch {
      return this.body;
    }
  }
}

/** What an http trigger did: the response's status, for `policy.status.allow`. */
export interface HttpResult {
  url: string;
  method: string;
  status: number;
}

function ref(kind: SecretRef['kind'], sel: KeySelector | undefined, what: string): SecretRef {
  if (!sel?.name || !sel.key) {
    throw new ManifestError(`${what} needs name and key`);
  }
  return { kind, name: sel.name, key: sel.key };
}

async function tlsOptions(
  spec: HttpTriggerSpec['tls'],
  secrets: SecretResolver | undefined,
  where: string,
): Promise<https.RequestOptions> {
  if (spec === undefined) return {};
  if (spec.insecureSkipVerify) return { rejectUnauthorized: false };
  const { caCertSecret, clientCertSecret, clientKeySecret } = spec;
  if (!caCertSecret && !clientCertSecret && !clientKeySecret) {
    throw new ManifestError(
      `${where}: invalid tls config, neither of caCertSecret, clientCertSecret and clientKeySecret is configured`,
    );
  }
  if (Boolean(clientCertSecret) !== Boolean(clientKeySecret)) {
    throw new ManifestError(
      `${where}: invalid tls config, both of clientCertSecret and clientKeySecret need to be configured`,
    );
  }
  const read = (sel: KeySelector, what: string): Promise<string> => {
    if (!secrets) throw new ManifestError(`${where}: ${what} needs a secret resolver`);
    return secrets.resolve(ref('secret', sel, `${where} ${what}`));
  };
  const options: https.RequestOptions = {};
  if (caCertSecret) options.ca = await read(caCertSecret, 'tls.caCertSecret');
  if (clientCertSecret && clientKeySecret) {
    options.cert = await read(clientCertSecret, 'tls.clientCertSecret');
    options.key = await read(clientKeySecret, 'tls.clientKeySecret');
  }
  return options;
}

function send(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
  timeoutMs: number,
  tls: https.RequestOptions,
): Promise<number> {
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(url, { method, headers, timeout: timeoutMs, ...tls }, (res) => {
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        // The body is not used; drain at most a bounded amount so the socket can close.
        if (size > maxResponseBytes) res.destroy();
      });
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('close', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** The `http` trigger: a real HTTP request built from the events, as Argo's HTTP trigger sends it. */
export const httpTrigger: Trigger<HttpRequestPlan> = {
  type: TriggerType.HTTP,
  resolve(template, events) {
    const where = `trigger "${template.name}" (http)`;
    const raw = (template.http ?? {}) as HttpTriggerSpec;
    const withMethod: HttpTriggerSpec = { ...raw, method: raw.method || 'POST' };
    const spec = (
      raw.parameters?.length
        ? applyParams(withMethod as unknown as JsonValue, raw.parameters, events)
        : withMethod
    ) as HttpTriggerSpec;
    if (!spec.url) throw new ManifestError(`${where}: url is required`);
    try {
      new URL(spec.url);
    } catch {
      throw new ManifestError(`${where}: url "${spec.url}" is not a URL`);
    }
    if (!/^https?:$/.test(new URL(spec.url).protocol)) {
      throw new ManifestError(`${where}: url "${spec.url}" must be http or https`);
    }
    const headers: Record<string, string> = { ...(spec.headers ?? {}) };
    for (const dynamic of spec.dynamicHeaders ?? []) {
      if (!dynamic.src || !dynamic.dest) continue;
      const resolved = resolveParamValue(dynamic.src, events);
      if (resolved !== undefined) headers[dynamic.dest] = resolved.value;
    }
    const body = spec.payload ? constructPayload(spec.payload, events) : undefined;
    const timeout = spec.timeout && spec.timeout > 0 ? spec.timeout : defaultTimeoutSeconds;
    return new HttpRequestPlan(
      template.name,
      spec.url,
      (spec.method ?? 'POST').toUpperCase(),
      headers,
      body,
      timeout * 1000,
      spec,
    );
  },
  async execute(plan, { secrets, logger, idempotencyKey }): Promise<HttpResult> {
    const where = `trigger "${plan.name}" (http)`;
    const { spec } = plan;
    const headers: Record<string, string> = { ...plan.headers };
    // The same for every attempt and redelivery of one firing, so a receiver can drop repeats.
    if (idempotencyKey && !Object.keys(headers).some((h) => h.toLowerCase() === 'idempotency-key'))
      headers['Idempotency-Key'] = idempotencyKey;
    if (
      plan.body !== undefined &&
      !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')
    )
      headers['Content-Type'] = 'application/json';
    if (spec.host) headers.Host = spec.host;
    for (const secure of spec.secureHeaders ?? []) {
      if (!secure.name) continue;
      const from = secure.valueFrom;
      const r = from?.secretKeyRef
        ? ref('secret', from.secretKeyRef, `${where} secureHeaders ${secure.name}`)
        : ref('configMap', from?.configMapKeyRef, `${where} secureHeaders ${secure.name}`);
      if (!secrets) throw new ManifestError(`${where}: secureHeaders need a secret resolver`);
      headers[secure.name] = await secrets.resolve(r);
    }
    if (spec.basicAuth) {
      if (!secrets) throw new ManifestError(`${where}: basicAuth needs a secret resolver`);
      const { username, password } = spec.basicAuth;
      const user = username
        ? await secrets.resolve(ref('secret', username, `${where} basicAuth.username`))
        : '';
      const pass = password
        ? await secrets.resolve(ref('secret', password, `${where} basicAuth.password`))
        : '';
      headers.Authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    }
    const tls = await tlsOptions(spec.tls, secrets, where);
    if (plan.body === undefined && ['POST', 'PUT', 'PATCH'].includes(plan.method)) {
      logger?.warn(
        { url: plan.url },
        'payload parameters are not specified; the request body is empty',
      );
    }
    try {
      const status = await send(
        new URL(plan.url),
        plan.method,
        headers,
        plan.body,
        plan.timeoutMs,
        tls,
      );
      logger?.info({ url: plan.url, method: plan.method, status }, 'http trigger sent its request');
      return { url: plan.url, method: plan.method, status };
    } catch (err) {
      // The trigger's retryStrategy retries it; a failed request is not Plinth's own failure to redeliver.
      throw new PlinthError(
        'UNAVAILABLE',
        `${where}: ${plan.method} ${plan.url} failed: ${(err as Error).message}`,
        { cause: err, retryable: false },
      );
    }
  },
  applyPolicy(outcome, policy) {
    const result = outcome as HttpResult;
    const allow = (policy?.status as { allow?: unknown } | undefined)?.allow;
    if (!Array.isArray(allow)) return;
    if (!allow.map(Number).includes(result.status)) {
      throw new PlinthError(
        'UNAVAILABLE',
        `policy application resulted in failure. http response status ${result.status} is not allowed`,
        { retryable: false, details: { status: result.status, allow } },
      );
    }
  },
};
