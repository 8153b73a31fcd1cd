import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmbeddedEventBus } from '../../eventbus/index.js';
import type { CloudEventJson, EventBus } from '../../eventbus/index.js';
import { createEventSources, secretResolverFrom, type EventSources } from '../event-sources.js';
import { parseEventSource } from '../parse.js';
import type { SecretKeySelector } from '../types.js';
import { payloadOf } from '../cloud-event.js';

const logger = pino({ level: 'silent' });

function eventSource(webhook: Record<string, object>, annotations: Record<string, string> = {}) {
  return parseEventSource({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'EventSource',
    metadata: { name: 'hooks', annotations },
    spec: { webhook },
  });
}

describe('webhook options', () => {
  let dir: string;
  let bus: EventBus;
  let received: CloudEventJson[];
  let running: EventSources[];
  let secrets: Record<string, string>;

  const serve = async (es: ReturnType<typeof eventSource>, extra: object = {}) => {
    const s = createEventSources({
      eventSources: [es],
      bus,
      logger,
      host: '127.0.0.1',
      portMap: new Map([[12000, 0]]),
      resolveSecret: async (ref: SecretKeySelector) => secrets[`${ref.name}/${ref.key}`],
      ...extra,
    });
    running.push(s);
    await s.start();
    return s;
  };
  const settle = async (count: number) => {
    const deadline = Date.now() + 5_000;
    while (received.length < count && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 5));
    }
    await new Promise((r) => setTimeout(r, 20));
    return received;
  };

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-webhook-opts-'));
    bus = await EmbeddedEventBus.create({ dir: path.join(dir, 'bus'), logger });
    received = [];
    running = [];
    secrets = {};
    await bus.subscribe(
      async (m) => {
        received.push(m.event);
        await m.ack();
      },
      { durable: 'test' },
    );
  });
  afterEach(async () => {
    for (const s of running) await s.stop();
    await bus.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const hook = { port: '12000', endpoint: '/hook', method: 'POST' };

  it('answers 401 to a missing or wrong bearer token', async () => {
    secrets['hook-auth/token'] = 't0ken';
    const s = await serve(
      eventSource({ h: { ...hook, authSecret: { name: 'hook-auth', key: 'token' } } }),
    );
    const url = s.endpoints()[0]!.url;
    expect((await fetch(url, { method: 'POST', body: '{}' })).status).toBe(401);
    const wrong = await fetch(url, {
      method: 'POST',
      body: '{}',
      headers: { authorization: 'Bearer t0ke' },
    });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toBe('Invalid Auth token');
    const ok = await fetch(url, {
      method: 'POST',
      body: '{}',
      headers: { authorization: 'Bearer t0ken' },
    });
    expect(ok.status).toBe(200);
    expect(await settle(1)).toHaveLength(1);
  });

  it('answers 200 to an event its filter rejects, and puts nothing on the bus', async () => {
    const seen: Record<string, unknown>[] = [];
    const s = await serve(
      eventSource({ h: { ...hook, filter: { expression: 'body.env == "prod"' } } }),
      {
        evaluateFilter: (expression: string, env: Record<string, unknown>) => {
          seen.push(env);
          if (expression !== 'body.env == "prod"') throw new Error('unexpected expression');
          return (env.body as { env?: string }).env === 'prod';
        },
      },
    );
    const url = s.endpoints()[0]!.url;
    const dev = await fetch(url, { method: 'POST', body: '{"env":"dev"}' });
    expect(dev.status).toBe(200);
    expect(dev.headers.get('x-plinth-event-id')).toBeNull();
    expect((await fetch(url, { method: 'POST', body: '{"env":"prod"}' })).status).toBe(200);
    const events = await settle(1);
    expect(events.map((e) => (payloadOf(e) as { body: unknown }).body)).toEqual([{ env: 'prod' }]);
    expect(seen[0]).toHaveProperty('header');
  });

  it('refuses a filter or a secret it cannot evaluate or resolve', () => {
    const filtered = eventSource({ h: { ...hook, filter: { expression: 'true' } } });
    expect(() =>
      createEventSources({ eventSources: [filtered], bus, logger, host: '127.0.0.1' }),
    ).toThrow(/filter: event source filters are not supported yet/);
    const guarded = eventSource({ h: { ...hook, authSecret: { name: 'a', key: 'b' } } });
    expect(() =>
      createEventSources({ eventSources: [guarded], bus, logger, host: '127.0.0.1' }),
    ).toThrow(/no secret store is configured/);
  });

  it('checks HMAC-signed requests when the EventSource asks for them', async () => {
    secrets['signing/key'] = 'shh';
    const s = await serve(
      eventSource(
        { signed: hook, open: { ...hook, endpoint: '/open' } },
        { 'plinth.dev/hmac-secret.signed': 'signing/key' },
      ),
    );
    const [signed, open] = s.endpoints();
    const body = '{"name":"dev-1"}';
    const signature = `sha256=${createHmac('sha256', 'shh').update(body).digest('hex')}`;
    const post = (url: string, sig?: string) =>
      fetch(url, {
        method: 'POST',
        body,
        headers: sig ? { 'x-plinth-signature-256': sig } : {},
      });
    const missing = await post(signed!.url);
    expect(missing.status).toBe(401);
    expect(await missing.text()).toBe('invalid signature: missing signature');
    expect((await post(signed!.url, signature.replace(/.$/, '0'))).status).toBe(401);
    expect((await post(signed!.url, signature)).status).toBe(200);
    expect((await post(open!.url)).status).toBe(200);
    expect(await settle(2)).toHaveLength(2);
  });

  it('checks a signed GET over its query string', async () => {
    secrets['signing/key'] = 'shh';
    const s = await serve(
      eventSource({ q: { ...hook, method: 'GET' } }, { 'plinth.dev/hmac-secret': 'signing/key' }),
    );
    const url = s.endpoints()[0]!.url;
    const query = 'env=dev';
    const sig = `sha256=${createHmac('sha256', 'shh').update(query).digest('hex')}`;
    expect((await fetch(`${url}?${query}`)).status).toBe(401);
    expect(
      (await fetch(`${url}?env=prod`, { headers: { 'x-plinth-signature-256': sig } })).status,
    ).toBe(401);
    expect(
      (await fetch(`${url}?${query}`, { headers: { 'x-plinth-signature-256': sig } })).status,
    ).toBe(200);
    const [event] = await settle(1);
    expect((payloadOf(event!) as { body: unknown }).body).toEqual({ env: ['dev'] });
  });

  it('refuses an HMAC annotation that does not name a secret key', () => {
    const es = eventSource({ h: hook }, { 'plinth.dev/hmac-secret': 'just-a-name' });
    expect(() =>
      createEventSources({
        eventSources: [es],
        bus,
        logger,
        host: '127.0.0.1',
        resolveSecret: async () => undefined,
      }),
    ).toThrow(/is not <secret name>\/<key>/);
  });

  it('serves HTTPS with the certificate and key from the secrets', async () => {
    const key = path.join(dir, 'tls.key');
    const crt = path.join(dir, 'tls.crt');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-keyout',
        key,
        '-out',
        crt,
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    // Secrets as files, read through the same resolver shape the sensors use.
    fs.mkdirSync(path.join(dir, 'secrets', 'tls'), { recursive: true });
    fs.copyFileSync(crt, path.join(dir, 'secrets', 'tls', 'crt'));
    fs.copyFileSync(key, path.join(dir, 'secrets', 'tls', 'key'));
    const resolveSecret = secretResolverFrom({
      resolve: async (ref) => {
        try {
          return fs.readFileSync(path.join(dir, 'secrets', ref.name, ref.key), 'utf8');
        } catch {
          throw Object.assign(new Error('not found'), { code: 'NOT_FOUND' });
        }
      },
    });
    const s = await serve(
      eventSource({
        tls: {
          ...hook,
          serverCertSecret: { name: 'tls', key: 'crt' },
          serverKeySecret: { name: 'tls', key: 'key' },
        },
      }),
      { resolveSecret },
    );
    const url = new URL(s.endpoints()[0]!.url);
    expect(url.protocol).toBe('https:');
    const ca = fs.readFileSync(crt);
    const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = https.request(url, { method: 'POST', ca }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      req.end('{"secure":true}');
    });
    expect(answer).toEqual({ status: 200, text: 'success' });
    const [event] = await settle(1);
    expect((payloadOf(event!) as { body: unknown }).body).toEqual({ secure: true });
    await expect(fetch(url.href.replace('https:', 'http:'), { method: 'POST' })).rejects.toThrow();
  });
});
