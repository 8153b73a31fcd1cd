import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { pino } from 'pino';
import { loadConfig } from '../src/config/index.js';
import { createEventBus } from '../src/eventbus/index.js';
import { createWebhookEventSources, parseEventSource } from '../src/eventsources/index.js';
import {
  createEventRecorder,
  createHttpDispatcher,
  createPlatform,
} from '../src/platform/index.js';
import { createSensorController, parseSensor, type SensorDecision } from '../src/sensors/index.js';
import { startPlatform } from '../src/server/index.js';
import { createSqliteStore } from '../src/store/index.js';
import { createWorkflowEngine } from '../src/workflows/index.js';

/** The machine's NATS server, shared by the JetStream measurements. */
const natsUrl = process.env['PLINTH_BENCH_NATS'] ?? 'nats://127.0.0.1:4222';
const connections = 32;
const durationSeconds = 3;
const body = JSON.stringify({ name: 'bench', region: 'eastus2', request_id: 'r-1' });

const eventSource = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'EventSource',
  metadata: { name: 'webhook', namespace: 'argo-events' },
  spec: { webhook: { environments: { port: '12000', endpoint: '/environments', method: 'POST' } } },
};

// One Workflow per event.
const sensor = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Sensor',
  metadata: { name: 'bench', namespace: 'argo-events' },
  spec: {
    dependencies: [{ name: 'req', eventSourceName: 'webhook', eventName: 'environments' }],
    triggers: [
      {
        template: {
          name: 'create',
          k8s: {
            operation: 'create',
            source: {
              resource: {
                apiVersion: 'argoproj.io/v1alpha1',
                kind: 'Workflow',
                metadata: { generateName: 'bench-', namespace: 'argo-events' },
                spec: {
                  entrypoint: 'main',
                  templates: [
                    { name: 'main', container: { image: 'none', command: ['/bin/true'] } },
                  ],
                },
              },
            },
          },
        },
      },
    ],
  },
};

function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function natsReachable(): Promise<boolean> {
  try {
    const nc = await connect({ servers: natsUrl, timeout: 1000 });
    await nc.close();
    return true;
  } catch {
    return false;
  }
}

/** Requests per second that answered 2xx, under the same load for every target. */
async function load(url: string): Promise<number> {
  const result = await autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections,
    duration: durationSeconds,
  });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${url}: ${result.non2xx} answers not 2xx, ${result.errors} errors`);
  }
  return result.requests.average;
}

/** A bare Fastify handler answering the webhook's POST like the webhook, storing nothing. */
async function bareIngest(): Promise<number> {
  const app = Fastify({ logger: false });
  app.post('/environments', async (_request, reply) => reply.type('text/plain').send('success'));
  await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    return await load(`http://127.0.0.1:${port}/environments`);
  } finally {
    await app.close();
  }
}

/** The same handler, but each POST waits for a raw nats.js JetStream publish ack. */
async function rawJetStreamIngest(): Promise<number> {
  const nc = await connect({ servers: natsUrl });
  const stream = `plinth_bench_raw_${process.pid}`;
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: stream, subjects: [`${stream}.>`] });
  const js = jetstream(nc);
  const app = Fastify({ logger: false });
  let n = 0;
  app.post('/environments', async (request, reply) => {
    // The same work per message as the bus: a JSON body, a message id for dedupe, an ack.
    const payload = JSON.stringify({ id: `raw-${++n}`, data: request.body });
    await js.publish(`${stream}.webhook.environments`, payload, { msgID: `raw-${n}` });
    return reply.type('text/plain').send('success');
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    return await load(`http://127.0.0.1:${port}/environments`);
  } finally {
    await app.close();
    await jsm.streams.delete(stream).catch(() => false);
    await nc.close();
  }
}

/**
 * Plinth's webhook ingest through the composition root: the event durably on
 * the bus (and kept by the event log) before the 200. No sensor runs, so the
 * figure is ingest alone.
 */
async function plinthIngest(bus: string): Promise<number> {
  const dataDir = tempDir('plinth-bench-ingest-');
  const catalogDir = tempDir('plinth-bench-catalog-');
  fs.writeFileSync(path.join(catalogDir, 'eventsource.yaml'), JSON.stringify(eventSource));
  const webhookPort = await freePort();
  const stream = `plinth_bench_${process.pid}`;
  const config = loadConfig({
    env: {},
    flags: {
      dataDir,
      catalogDir,
      port: 0,
      eventSourcePorts: `12000=${webhookPort}`,
      bus,
      busStream: bus === 'embedded' ? undefined : stream,
      adminToken: 'plinth_bench_admin_token_0123456789abcdef',
      logLevel: 'silent',
    },
  });
  const running = await startPlatform(config, { logger: pino({ level: 'silent' }) });
  try {
    return await load(`http://127.0.0.1:${webhookPort}/environments`);
  } finally {
    await running.stop();
    if (bus !== 'embedded') {
      const nc = await connect({ servers: natsUrl });
      await (await jetstreamManager(nc)).streams.delete(stream).catch(() => false);
      await nc.close();
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(catalogDir, { recursive: true, force: true });
  }
}

function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, i)] ?? NaN;
}

/**
 * Accept-to-workflow-created on the embedded bus: the parts `startPlatform`
 * wires (store, bus, engine, webhook, event log, sensors recording their
 * decisions), built here so the engine's change feed is in reach. Each event
 * is posted alone; the latency runs from its 200 to the first sight of the
 * stored Workflow its sensor created.
 */
async function acceptToWorkflow(events: number): Promise<{ p50: number; p99: number }> {
  const dataDir = tempDir('plinth-bench-latency-');
  const logger = pino({ level: process.env['BENCH_LOG'] ?? 'silent' });
  const store = await createSqliteStore({ filename: path.join(dataDir, 'plinth.db') });
  const bus = await createEventBus({ bus: 'embedded', dataDir, logger });
  const engine = createWorkflowEngine({ store, logger, dataDir });
  await engine.start();
  const webhookPort = await freePort();
  const sources = createWebhookEventSources({
    eventSources: [parseEventSource(eventSource)],
    bus,
    host: '127.0.0.1',
    portMap: new Map([[12000, webhookPort]]),
    logger,
  });
  await sources.start();
  const platform = createPlatform({
    store,
    engine,
    bus,
    dispatcher: createHttpDispatcher({ baseUrl: `http://127.0.0.1:${webhookPort}` }),
    logger,
  });
  const recorder = createEventRecorder({ bus, store, logger });
  await recorder.start();
  let onDecided: (decision: SensorDecision) => void = () => undefined;
  const sensors = createSensorController({
    bus,
    workflows: engine,
    logger,
    onDecision: (decision) => {
      onDecided(decision);
      return platform.events.recordDecision(decision);
    },
  });
  await sensors.start([parseSensor(sensor)]);

  // The engine reports a Workflow as soon as it is stored; the sensor's decision, recorded
  // after, names the event that created it.
  const firstSeen = new Map<string, number>();
  const stopWatching = engine.onChange((wf) => {
    const uid = wf.metadata.uid;
    if (uid !== undefined && !firstSeen.has(uid)) firstSeen.set(uid, performance.now());
  });
  const decided = new Map<string, (uid: string) => void>();
  onDecided = (decision) => {
    const resource = decision.triggers.find((t) => t.fired)?.resource as
      { metadata?: { uid?: string } } | undefined;
    const uid = resource?.metadata?.uid;
    if (uid !== undefined) decided.get(decision.eventId)?.(uid);
  };
  const latencies: number[] = [];
  try {
    for (let i = 0; i < events; i++) {
      const res = await fetch(`http://127.0.0.1:${webhookPort}/environments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: `lat-${i}` }),
      });
      await res.text();
      const accepted = performance.now();
      const eventId = res.headers.get('x-plinth-event-id');
      if (res.status !== 200 || !eventId) throw new Error(`the webhook answered ${res.status}`);
      const uid = await new Promise<string>((resolve) => decided.set(eventId, resolve));
      decided.delete(eventId);
      // The Workflow may be stored before the client has read the 200: that counts as 0.
      latencies.push(Math.max(0, (firstSeen.get(uid) ?? NaN) - accepted));
    }
  } finally {
    stopWatching();
    await sensors.stop();
    await recorder.stop();
    await sources.stop();
    await engine.waitUntilIdle();
    await engine.stop();
    await bus.close();
    await store.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  const sorted = latencies.slice(20).sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

/** Webhook ingest against its floors, and accept-to-workflow latency. */
export async function benchEvents(): Promise<Record<string, number>> {
  const step = (what: string) => console.warn(`events: ${what}`);
  step('warming up');
  await bareIngest(); // the first run pays for loading and JIT
  step('bare Fastify ingest');
  const bare = await bareIngest();
  step('ingest on the embedded bus');
  const embedded = await plinthIngest('embedded');
  step('accept-to-workflow latency on the embedded bus');
  const latency = await acceptToWorkflow(200);
  const results: Record<string, number> = {
    'events: ingest req/s, embedded bus / bare Fastify': embedded / bare,
    'events: ingest req/s, embedded bus': embedded,
    'events: ingest req/s, bare Fastify': bare,
    'events: accept-to-workflow p50 (ms), embedded bus': latency.p50,
    'events: accept-to-workflow p99 (ms), embedded bus': latency.p99,
  };
  if (await natsReachable()) {
    step('raw nats.js ingest, then ingest on the JetStream bus');
    const raw = await rawJetStreamIngest();
    const viaBus = await plinthIngest(natsUrl);
    results['events: ingest req/s, JetStream bus / raw nats.js publish'] = viaBus / raw;
    results['events: ingest req/s, JetStream bus'] = viaBus;
    results['events: ingest req/s, raw nats.js publish-with-ack'] = raw;
  } else {
    console.warn(`events: skipping JetStream, nothing answers at ${natsUrl}`);
  }
  return results;
}
