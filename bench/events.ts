import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
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
    if (bus !== 'embedded') await deleteStream(stream);
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
async function acceptToWorkflow(
  events: number,
  busUrl = 'embedded',
): Promise<{ accept: Percentiles; send: Percentiles }> {
  const dataDir = tempDir('plinth-bench-latency-');
  const logger = pino({ level: process.env['BENCH_LOG'] ?? 'silent' });
  const store = await createSqliteStore({ filename: path.join(dataDir, 'plinth.db') });
  const stream = `plinth_bench_latency_${process.pid}`;
  const bus = await createEventBus({
    bus: busUrl,
    dataDir,
    logger,
    ...(busUrl === 'embedded' ? {} : { stream }),
  });
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
  // A decision may come before the client has read the 200 (JetStream delivers at once).
  const decided = new Map<string, (uid: string) => void>();
  const early = new Map<string, string>();
  onDecided = (decision) => {
    const resource = decision.triggers.find((t) => t.fired)?.resource as
      { metadata?: { uid?: string } } | undefined;
    const uid = resource?.metadata?.uid;
    if (uid === undefined) return;
    const waiting = decided.get(decision.eventId);
    if (waiting) waiting(uid);
    else early.set(decision.eventId, uid);
  };
  const latencies: number[] = [];
  const fromSend: number[] = [];
  try {
    for (let i = 0; i < events; i++) {
      const sent = performance.now();
      const res = await fetch(`http://127.0.0.1:${webhookPort}/environments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: `lat-${i}` }),
      });
      await res.text();
      const accepted = performance.now();
      const eventId = res.headers.get('x-plinth-event-id');
      if (res.status !== 200 || !eventId) throw new Error(`the webhook answered ${res.status}`);
      const uid =
        early.get(eventId) ??
        (await new Promise<string>((resolve) => decided.set(eventId, resolve)));
      decided.delete(eventId);
      early.delete(eventId);
      // The Workflow may be stored before the client has read the 200: that counts as 0.
      const created = firstSeen.get(uid) ?? NaN;
      latencies.push(Math.max(0, created - accepted));
      fromSend.push(created - sent);
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
    if (busUrl !== 'embedded') await deleteStream(stream);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  return { accept: percentiles(latencies.slice(20)), send: percentiles(fromSend.slice(20)) };
}

interface Percentiles {
  p50: number;
  p99: number;
}

function percentiles(latencies: number[]): Percentiles {
  const sorted = [...latencies].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

async function deleteStream(stream: string): Promise<void> {
  const nc = await connect({ servers: natsUrl });
  await (await jetstreamManager(nc)).streams.delete(stream).catch(() => false);
  await nc.close();
}

/**
 * The floor of send-to-trigger on JetStream: raw nats.js, one message at a
 * time, from its publish (with ack) to its arrival at a durable consumer of
 * the same server. (Measured from the ack, it is zero: the server sends the
 * message to the consumer as it acks it.)
 */
async function rawJetStreamLatency(events: number): Promise<Percentiles> {
  const nc = await connect({ servers: natsUrl });
  const stream = `plinth_bench_rawlat_${process.pid}`;
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: stream, subjects: [`${stream}.>`] });
  await jsm.consumers.add(stream, { durable_name: 'raw', ack_policy: AckPolicy.Explicit });
  const js = jetstream(nc);
  const consumer = await js.consumers.get(stream, 'raw');
  const arrived = new Map<string, (at: number) => void>();
  const messages = await consumer.consume({ max_messages: 1 });
  const reading = (async () => {
    for await (const m of messages) {
      const at = performance.now();
      m.ack();
      arrived.get(m.subject.slice(stream.length + 1))?.(at);
    }
  })();
  const latencies: number[] = [];
  try {
    for (let i = 0; i < events; i++) {
      const name = `e${i}`;
      const seen = new Promise<number>((resolve) => arrived.set(name, resolve));
      const payload = JSON.stringify({ id: name, data: body });
      const sent = performance.now();
      await js.publish(`${stream}.${name}`, payload, { msgID: name });
      latencies.push((await seen) - sent);
      arrived.delete(name);
    }
  } finally {
    await messages.close();
    await reading;
    await jsm.streams.delete(stream).catch(() => false);
    await nc.close();
  }
  return percentiles(latencies.slice(20));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

/**
 * Ratios of a target to its baseline, each measured right after the other,
 * `rounds` times over: on a shared machine the load shifts by the second, and
 * the median of adjacent pairs is steadier than one pair.
 */
async function pairedRatios(
  rounds: number,
  baseline: () => Promise<number>,
  target: () => Promise<number>,
): Promise<{ ratio: number; baseline: number; target: number }> {
  const ratios: number[] = [];
  const baselines: number[] = [];
  const targets: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const b = await baseline();
    const t = await target();
    baselines.push(b);
    targets.push(t);
    ratios.push(t / b);
  }
  return { ratio: median(ratios), baseline: median(baselines), target: median(targets) };
}

/** Webhook ingest against its floors, and accept-to-workflow latency. */
export async function benchEvents(): Promise<Record<string, number>> {
  const step = (what: string) => console.warn(`events: ${what}`);
  const rounds = Number(process.env['BENCH_ROUNDS'] ?? 3);
  step('warming up');
  await bareIngest(); // the first run pays for loading and JIT
  step(`ingest: bare Fastify, then the embedded bus, ${rounds} times`);
  const ingest = await pairedRatios(rounds, bareIngest, () => plinthIngest('embedded'));
  step('accept-to-workflow latency on the embedded bus');
  const latency = await acceptToWorkflow(200);
  const results: Record<string, number> = {
    'events: ingest req/s, embedded bus / bare Fastify': ingest.ratio,
    'events: ingest req/s, embedded bus': ingest.target,
    'events: ingest req/s, bare Fastify': ingest.baseline,
    'events: accept-to-workflow p50 (ms), embedded bus': latency.accept.p50,
    'events: accept-to-workflow p99 (ms), embedded bus': latency.accept.p99,
    'events: send-to-workflow p50 (ms), embedded bus': latency.send.p50,
    'events: send-to-workflow p99 (ms), embedded bus': latency.send.p99,
  };
  if (await natsReachable()) {
    step(`ingest: raw nats.js, then the JetStream bus, ${rounds} times`);
    const viaNats = await pairedRatios(rounds, rawJetStreamIngest, () => plinthIngest(natsUrl));
    step('accept-to-trigger latency: raw nats.js, then the JetStream bus');
    const raw = await rawJetStreamLatency(200);
    const onJetStream = await acceptToWorkflow(200, natsUrl);
    results['events: ingest req/s, JetStream bus / raw nats.js publish'] = viaNats.ratio;
    results['events: ingest req/s, JetStream bus'] = viaNats.target;
    results['events: ingest req/s, raw nats.js publish-with-ack'] = viaNats.baseline;
    results['events: accept-to-workflow p50 (ms), JetStream bus'] = onJetStream.accept.p50;
    results['events: accept-to-workflow p99 (ms), JetStream bus'] = onJetStream.accept.p99;
    results['events: send-to-workflow p50 (ms), JetStream bus'] = onJetStream.send.p50;
    results['events: send-to-workflow p99 (ms), JetStream bus'] = onJetStream.send.p99;
    results['events: publish-to-consumer p50 (ms), raw nats.js'] = raw.p50;
    results['events: publish-to-consumer p99 (ms), raw nats.js'] = raw.p99;
  } else {
    console.warn(`events: skipping JetStream, nothing answers at ${natsUrl}`);
  }
  return results;
}
