import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, it, expect } from 'vitest';
import { isPlinthError } from '../../errors/index.js';
import { toSensorEvent } from '../events.js';
import { webhookEvent } from '../testing/fixtures.js';
import type { Trigger as SensorTrigger, TriggerTemplate } from '../types.js';
import { httpTrigger, HttpRequestPlan, type HttpResult } from './http.js';
import { createTriggerRunner } from './run.js';
import { createSecretResolver } from './secrets.js';

interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  clientCert: boolean;
}

const sensor = { name: 's', namespace: 'argo-events' };
const events = new Map([
  [
    'dep',
    toSensorEvent(
      webhookEvent(
        'e1',
        'webhook',
        'deploy',
        { app: 'shop', replicas: 3, tags: ['a'] },
        { 'X-Id': ['r1'] },
      ),
    ),
  ],
]);

let dir: string;
let received: Received[];
let status: number;
let plain: http.Server;
let secure: https.Server;
let plainUrl: string;
let secureUrl: string;

function record(req: http.IncomingMessage, res: http.ServerResponse): void {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString()));
  req.on('end', () => {
    received.push({
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body,
      clientCert: Boolean((req.socket as TLSSocket).getPeerCertificate?.()?.subject),
    });
    if (req.url === '/slow') return void setTimeout(() => res.end('late'), 2000);
    res.statusCode = status;
    res.end('ok');
  });
}

async function listen(server: http.Server | https.Server, scheme: string): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'plinth-http-trigger-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      path.join(dir, 'key.pem'),
      '-out',
      path.join(dir, 'cert.pem'),
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  const cert = readFileSync(path.join(dir, 'cert.pem'), 'utf8');
  const key = readFileSync(path.join(dir, 'key.pem'), 'utf8');
  // Secrets as files <dir>/<name>/<key>, as Argo mounts them.
  for (const [name, file, text] of [
    ['tls', 'ca.crt', cert],
    ['tls', 'tls.crt', cert],
    ['tls', 'tls.key', key],
    ['api', 'token', 'Bearer s3cret\n'],
  ] as const) {
    mkdirSync(path.join(dir, 'secrets', name), { recursive: true });
    writeFileSync(path.join(dir, 'secrets', name, file), text);
  }
  received = [];
  status = 200;
  plain = http.createServer(record);
  secure = https.createServer(
    { cert, key, ca: cert, requestCert: true, rejectUnauthorized: false },
    record,
  );
  plainUrl = await listen(plain, 'http');
  secureUrl = await listen(secure, 'https');
});

afterAll(async () => {
  plain.closeAllConnections();
  secure.closeAllConnections();
  await new Promise((r) => plain.close(r));
  await new Promise((r) => secure.close(r));
  rmSync(dir, { recursive: true, force: true });
});

const secrets = () =>
  createSecretResolver({
    secretsDir: path.join(dir, 'secrets'),
    env: {
      PLINTH_SECRET_CREDS_USER: 'ann',
      PLINTH_SECRET_CREDS_PASS: 'pw',
      NOPE_K: 'not a secret',
    },
  });

function template(http: Record<string, unknown>): TriggerTemplate {
  return { name: 'notify', http };
}

async function fire(trigger: SensorTrigger): Promise<HttpResult> {
  const resource = httpTrigger.resolve(trigger.template, events, sensor);
  return (await createTriggerRunner({ secrets: secrets(), sleep: () => Promise.resolve() }).run({
    key: 'k',
    trigger,
    implementation: httpTrigger,
    resource,
    execution: {
      workflows: { submit: () => Promise.reject(new Error('unused')) },
      idempotencyKey: 'i',
      labels: {},
    },
  })) as HttpResult;
}

describe('http trigger', () => {
  it('resolves the JSON payload from payload parameters and shows it as the resource', () => {
    const plan = httpTrigger.resolve(
      template({
        url: `${plainUrl}/hook`,
        payload: [
          { src: { dependencyName: 'dep', dataKey: 'body.app' }, dest: 'name' },
          {
            src: { dependencyName: 'dep', dataKey: 'body.replicas', useRawData: true },
            dest: 'spec.replicas',
          },
          {
            src: { dependencyName: 'dep', dataTemplate: '{{ .Input.body.app | upper }}' },
            dest: 'label',
          },
        ],
      }),
      events,
      sensor,
    );
    expect(plan).toBeInstanceOf(HttpRequestPlan);
    expect(plan.method).toBe('POST');
    expect(JSON.parse(JSON.stringify(plan))).toEqual({
      name: 'shop',
      spec: { replicas: 3 },
      label: 'SHOP',
    });
  });

  it('sends the request with headers, dynamic headers, secure headers and basic auth', async () => {
    received = [];
    const result = await fire({
      template: template({
        url: `${plainUrl}/hook`,
        method: 'PUT',
        payload: [{ src: { dependencyName: 'dep', dataKey: 'body' }, dest: '' }],
        headers: { 'X-Static': 'one' },
        dynamicHeaders: [
          { src: { dependencyName: 'dep', dataKey: 'header.X-Id.0' }, dest: 'X-Request' },
        ],
        secureHeaders: [
          {
            name: 'Authorization-Token',
            valueFrom: { secretKeyRef: { name: 'api', key: 'token' } },
          },
        ],
        basicAuth: {
          username: { name: 'creds', key: 'user' },
          password: { name: 'creds', key: 'pass' },
        },
      }),
    });
    expect(result).toEqual({ url: `${plainUrl}/hook`, method: 'PUT', status: 200 });
    const [req] = received;
    expect(req?.method).toBe('PUT');
    expect(JSON.parse(req?.body ?? '')).toEqual({ app: 'shop', replicas: 3, tags: ['a'] });
    expect(req?.headers['x-static']).toBe('one');
    expect(req?.headers['x-request']).toBe('r1');
    expect(req?.headers['authorization-token']).toBe('Bearer s3cret');
    expect(req?.headers.authorization).toBe(`Basic ${Buffer.from('ann:pw').toString('base64')}`);
    expect(req?.headers['content-type']).toBe('application/json');
  });

  it('applies trigger parameters to the http template itself (the url)', async () => {
    received = [];
    await fire({
      template: template({
        url: `${plainUrl}/base/`,
        method: 'GET',
        parameters: [
          { src: { dependencyName: 'dep', dataKey: 'body.app' }, dest: 'url', operation: 'append' },
        ],
      }),
    });
    expect(received.map((r) => [r.method, r.url, r.body])).toEqual([['GET', '/base/shop', '']]);
  });

  it('counts any response as success without a policy, and only allowed ones with policy.status.allow', async () => {
    status = 503;
    expect((await fire({ template: template({ url: `${plainUrl}/x` }) })).status).toBe(503);
    await expect(
      fire({
        template: template({ url: `${plainUrl}/x` }),
        policy: { status: { allow: [200, 201] } },
      }),
    ).rejects.toThrow(
      'policy application resulted in failure. http response status 503 is not allowed',
    );
    status = 201;
    expect(
      (
        await fire({
          template: template({ url: `${plainUrl}/x` }),
          policy: { status: { allow: [200, 201] } },
        })
      ).status,
    ).toBe(201);
    status = 200;
  });

  it('retries by retryStrategy: a policy failure is attempted steps times', async () => {
    status = 500;
    received = [];
    await expect(
      fire({
        template: template({ url: `${plainUrl}/r` }),
        policy: { status: { allow: [200] } },
        retryStrategy: { steps: 3, duration: '1ms' },
      }),
    ).rejects.toThrow(/failed after 3 attempts: policy application/);
    expect(received).toHaveLength(3);
    status = 200;
  });

  it('times out after timeout seconds', async () => {
    const err = await fire({ template: template({ url: `${plainUrl}/slow`, timeout: 1 }) }).catch(
      (e: unknown) => e,
    );
    expect(isPlinthError(err, 'UNAVAILABLE')).toBe(true);
    expect((err as Error).message).toMatch(/GET|POST/);
    expect((err as Error).message).toContain('timeout after 1000 ms');
  }, 5000);

  it('verifies TLS with caCertSecret, sends a client certificate, or skips verification', async () => {
    received = [];
    const tlsSecret = (key: string) => ({ name: 'tls', key });
    await fire({
      template: template({
        url: `${secureUrl}/tls`,
        tls: {
          caCertSecret: tlsSecret('ca.crt'),
          clientCertSecret: tlsSecret('tls.crt'),
          clientKeySecret: tlsSecret('tls.key'),
        },
      }),
    });
    expect(received.map((r) => [r.url, r.clientCert])).toEqual([['/tls', true]]);
    const unverified = await fire({ template: template({ url: `${secureUrl}/tls` }) }).catch(
      (e: unknown) => e,
    );
    expect((unverified as Error).message).toMatch(/self-signed|self signed/);
    expect(
      (
        await fire({
          template: template({ url: `${secureUrl}/i`, tls: { insecureSkipVerify: true } }),
        })
      ).status,
    ).toBe(200);
    await expect(fire({ template: template({ url: `${secureUrl}/i`, tls: {} }) })).rejects.toThrow(
      'invalid tls config, neither of caCertSecret, clientCertSecret and clientKeySecret is configured',
    );
    await expect(
      fire({
        template: template({
          url: `${secureUrl}/i`,
          tls: { clientCertSecret: tlsSecret('tls.crt') },
        }),
      }),
    ).rejects.toThrow('both of clientCertSecret and clientKeySecret need to be configured');
  });

  it('fails clearly when a secret is missing, naming where it looked', async () => {
    await expect(
      fire({
        template: template({
          url: `${plainUrl}/x`,
          secureHeaders: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'nope', key: 'k' } } }],
        }),
      }),
    ).rejects.toThrow(
      /secret nope key k not found \(looked in .*nope\/k, \$PLINTH_SECRET_NOPE_K\)/,
    );
  });

  it('refuses a template without a usable url', () => {
    expect(() => httpTrigger.resolve(template({}), events, sensor)).toThrow('url is required');
    expect(() => httpTrigger.resolve(template({ url: 'ftp://x' }), events, sensor)).toThrow(
      'must be http or https',
    );
  });
});
