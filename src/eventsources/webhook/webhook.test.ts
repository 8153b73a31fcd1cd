import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CloudEvent } from 'cloudevents';
import { pino } from 'pino';
import { parse } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmbeddedEventBus } from '../../eventbus/index.js';
import type { BusMessage, EventBus } from '../../eventbus/index.js';
import { parseEventSource } from '../parse.js';
import type { EventSource } from '../types.js';
import { createWebhookEventSources, type WebhookEventSources } from './webhook-sources.js';
import { payloadOf } from '../cloud-event.js';

const logger = pino({ level: 'silent' });
const testdata = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'testdata');
const seed = parseEventSource(
  parse(fs.readFileSync(path.join(testdata, 'eventsource.yaml'), 'utf8')),
  {
    file: 'eventsource.yaml',
  },
);
const toFreePort = new Map([[12000, 0]]);

function eventSource(name: string, webhook: Record<string, object>): EventSource {
  return parseEventSource({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'EventSource',
    metadata: { name },
    spec: { webhook },
  });
}

describe('webhook EventSources', () => {
  let dir: string;
  let bus: EventBus;
  let sources: WebhookEventSources[];
  let received: BusMessage[];

  const serve = async (eventSources: EventSource[], extra: object = {}) => {
    const s = createWebhookEventSources({
      eventSources,
      bus,
      host: '127.0.0.1',
      portMap: toFreePort,
      logger,
      ...extra,
    });
    sources.push(s);
    await s.start();
    return s;
  };
  const urlOf = (s: WebhookEventSources, eventName: string) => {
    const found = s.endpoints().find((e) => e.eventName === eventName);
    if (!found) throw new Error(`no endpoint ${eventName}`);
    return found.url;
  };
  /** Waits until the subscriber has seen `count` events. */
  const eventsOnBus = async (count: number) => {
    const deadline = Date.now() + 5_000;
    while (received.length < count && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 5));
    }
    return received.map((m) => m.event);
  };

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-webhook-'));
    bus = await EmbeddedEventBus.create({ dir, logger });
    received = [];
    sources = [];
    await bus.subscribe(
      async (m) => {
        received.push(m);
        await m.ack();
      },
      { durable: 'test' },
    );
  });
  afterEach(async () => {
    for (const s of sources) await s.stop();
    await bus.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("serves the seed's endpoints on one free port", async () => {
    const s = await serve([seed]);
    const endpoints = s.endpoints();
    expect(endpoints.map((e) => [e.eventSourceName, e.eventName, e.method])).toEqual([
      ['webhook', 'environments', 'POST'],
      ['webhook', 'applications', 'POST'],
      ['webhook', 'configuration', 'POST'],
    ]);
    const port = endpoints[0]!.port;
    expect(port).toBeGreaterThan(0);
    expect(endpoints.every((e) => e.port === port && e.manifestPort === 12000)).toBe(true);
    expect(endpoints[0]!.url).toBe(`http://127.0.0.1:${port}/environments`);
  });

  it('publishes a POSTed JSON body as an Argo-shaped CloudEvent, then answers 200', async () => {
    const s = await serve([seed]);
    const res = await fetch(urlOf(s, 'environments'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-team': 'payments' },
      body: JSON.stringify({ name: 'dev-1', ttl: 3600, request_id: 'r-1' }),
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('success');
    const id = res.headers.get('x-plinth-event-id');
    expect(id).toMatch(/^[0-9a-f]{32}$/);

    const [event] = await eventsOnBus(1);
    expect(event).toMatchObject({
      specversion: '1.0',
      id,
      source: 'webhook',
      subject: 'environments',
      type: 'webhook',
      datacontenttype: 'application/json',
    });
    expect(Number.isNaN(Date.parse(event!.time))).toBe(false);
    const data = payloadOf(event!) as Record<string, unknown>;
    expect(data.body).toEqual({ name: 'dev-1', ttl: 3600, request_id: 'r-1' });
    expect(data).not.toHaveProperty('metadata');
    const header = data.header as Record<string, string[]>;
    expect(header['Content-Type']).toEqual(['application/json']);
    expect(header['X-Team']).toEqual(['payments']);
    expect(header).not.toHaveProperty('Host');
  });

  it('writes the event as Argo’s Go SDK does: data_base64 of the payload text Go marshals', async () => {
    const s = await serve([
      eventSource('hooks', {
        deploy: {
          port: '12000',
          endpoint: '/deploy',
          method: 'POST',
          metadata: { team: 'payments', env: 'dev' },
        },
      }),
    ]);
    // Whitespace goes, number text stays (json.RawMessage), <>& are escaped, header names sorted.
    const sent = '{ "version": 1.50, "big": 12345678901234567890,\n "note": "a < b & c" }';
    const res = await fetch(urlOf(s, 'deploy'), {
      method: 'POST',
      headers: { 'x-zeta': 'z', 'content-type': 'application/json', 'x-alpha': 'a' },
      body: sent,
    });
    expect(res.status).toBe(200);
    const [event] = await eventsOnBus(1);
    expect(Object.keys(event!)).toEqual([
      'specversion',
      'id',
      'source',
      'type',
      'subject',
      'datacontenttype',
      'time',
      'data_base64',
    ]);
    expect(event!.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d*[1-9])?Z$/);
    const text = Buffer.from(event!.data_base64 as string, 'base64').toString('utf8');
    expect(text).toMatch(
      /^\{"header":\{"Accept":.*\},"body":\{"version":1\.50,"big":12345678901234567890,"note":"a \\u003c b \\u0026 c"\},"metadata":\{"env":"dev","team":"payments"\}\}$/,
    );
    const header = (JSON.parse(text) as { header: Record<string, string[]> }).header;
    expect(Object.keys(header)).toEqual(Object.keys(header).sort());
    expect(header['X-Alpha']).toEqual(['a']);
    // A valid CloudEvent 1.0 by the SDK's own validation.
    expect(() => new CloudEvent(event!, true)).not.toThrow();
  });

  it('leaves an empty metadata map out, as Go’s omitempty does', async () => {
    const s = await serve([
      eventSource('hooks', {
        deploy: { port: '12000', endpoint: '/deploy', method: 'POST', metadata: {} },
      }),
    ]);
    const res = await fetch(urlOf(s, 'deploy'), { method: 'POST', body: '{}' });
    expect(res.status).toBe(200);
    const [event] = await eventsOnBus(1);
    expect(payloadOf(event!)).not.toHaveProperty('metadata');
  });

  it('answers 400 to the wrong method, and publishes nothing', async () => {
    const s = await serve([seed]);
    const url = urlOf(s, 'applications');
    const wrong = await fetch(url, { method: 'PUT', body: '{}' });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toBe('http method does not match');
    expect((await fetch(url)).status).toBe(400);
    const ok = await fetch(url, { method: 'POST', body: '{"n":1}' });
    expect(ok.status).toBe(200);
    const events = await eventsOnBus(1);
    expect(events.map((e) => (payloadOf(e) as { body: unknown }).body)).toEqual([{ n: 1 }]);
  });

  it('answers 400 to a body that is not JSON, and publishes nothing', async () => {
    const s = await serve([seed]);
    const url = urlOf(s, 'configuration');
    const bad = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name": ',
    });
    expect(bad.status).toBe(400);
    expect((await fetch(url, { method: 'POST', body: '' })).status).toBe(400);
    expect((await fetch(url, { method: 'POST', body: 'plain words' })).status).toBe(400);
    expect((await fetch(url, { method: 'POST', body: '"a string is JSON"' })).status).toBe(200);
    const events = await eventsOnBus(1);
    await new Promise((r) => setTimeout(r, 20));
    expect(received).toHaveLength(1);
    expect((payloadOf(events[0]!) as { body: unknown }).body).toBe('a string is JSON');
  });

  it('answers 500 when the bus cannot record the event', async () => {
    const s = await serve([seed]);
    await bus.close();
    const res = await fetch(urlOf(s, 'environments'), { method: 'POST', body: '{}' });
    expect(res.status).toBe(500);
    expect(await res.text()).toBe('failed to record event');
    expect(res.headers.get('x-plinth-event-id')).toBeNull();
  });

  it('answers GET /health with 200 OK on each port, and 404 elsewhere', async () => {
    const other = eventSource('other', {
      push: { port: '13000', endpoint: '/push', method: 'POST' },
    });
    const s = await serve([seed, other], {
      portMap: new Map([
        [12000, 0],
        [13000, 0],
      ]),
    });
    const ports = [...new Set(s.endpoints().map((e) => e.port))];
    expect(ports).toHaveLength(2);
    for (const port of ports) {
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('OK');
      expect((await fetch(`http://127.0.0.1:${port}/nowhere`)).status).toBe(404);
    }
  });

  it('refuses a body over maxPayloadSize with 400', async () => {
    const small = eventSource('small', {
      tiny: { port: '12000', endpoint: '/tiny', method: 'POST', maxPayloadSize: 16 },
    });
    const s = await serve([small]);
    const url = urlOf(s, 'tiny');
    const big = await fetch(url, { method: 'POST', body: JSON.stringify({ pad: 'x'.repeat(64) }) });
    expect(big.status).toBe(400);
    expect((await fetch(url, { method: 'POST', body: '{"a":1}' })).status).toBe(200);
    expect(await eventsOnBus(1)).toHaveLength(1);
  });

  it('passes metadata along, reads GET queries and forms as Argo does', async () => {
    const es = eventSource('mixed', {
      query: { port: '12000', endpoint: '/q', method: 'GET', metadata: { team: 'a' } },
      form: { port: '12000', endpoint: '/f', method: 'POST' },
    });
    const s = await serve([es]);
    expect((await fetch(`${urlOf(s, 'query')}?env=dev&env=prod`)).status).toBe(200);
    const form = await fetch(urlOf(s, 'form'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=1&b=2&a=3',
    });
    expect(form.status).toBe(200);
    const events = await eventsOnBus(2);
    expect(events.map((e) => payloadOf(e))).toMatchObject([
      { body: { env: ['dev', 'prod'] }, metadata: { team: 'a' } },
      { body: { a: ['1', '3'], b: ['2'] } },
    ]);
  });

  it('checks a bearer token when the endpoint has an authSecret, and masks it', async () => {
    const es = eventSource('guarded', {
      hook: {
        port: '12000',
        endpoint: '/hook',
        method: 'POST',
        authSecret: { name: 'hook-token', key: 'token' },
      },
    });
    const s = await serve([es], {
      resolveSecret: async (ref: { name: string; key: string }) =>
        ref.name === 'hook-token' && ref.key === 'token' ? 's3cret' : undefined,
    });
    const url = urlOf(s, 'hook');
    const post = (authorization?: string) =>
      fetch(url, {
        method: 'POST',
        body: '{}',
        headers: authorization ? { authorization } : {},
      });
    expect((await post()).status).toBe(401);
    expect((await post('Basic abc')).status).toBe(401);
    expect((await post('Bearer wrong')).status).toBe(401);
    expect((await post('Bearer s3cret')).status).toBe(200);
    const [event] = await eventsOnBus(1);
    const header = (payloadOf(event!) as { header: Record<string, string[]> }).header;
    expect(header.Authorization).toEqual(['*** Masked Auth Secret ***']);
  });

  it('refuses two endpoints on one path and port', () => {
    const twin = eventSource('twin', {
      again: { port: '12000', endpoint: '/environments', method: 'POST' },
    });
    expect(() =>
      createWebhookEventSources({ eventSources: [seed, twin], bus, host: '127.0.0.1', logger }),
    ).toThrow(/already served by EventSource webhook, event environments/);
  });

  it('answers requests arriving together, each only after its event is durable', async () => {
    const s = await serve([seed]);
    const url = urlOf(s, 'environments');
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => fetch(url, { method: 'POST', body: `{"i":${i}}` })),
    );
    expect(answers.every((r) => r.status === 200)).toBe(true);
    const ids = new Set(answers.map((r) => r.headers.get('x-plinth-event-id')));
    await eventsOnBus(40);
    expect(new Set(received.map((m) => m.event.id))).toEqual(ids);
  });
});
