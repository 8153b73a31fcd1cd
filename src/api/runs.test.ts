import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPlatform, type Dispatcher, type Platform } from '../platform/index.js';
import { createSqliteStore, type Store } from '../store/index.js';
import { createWorkflowEngine, parseWorkflow, type WorkflowEngine } from '../workflows/index.js';
import { buildApi } from './app.js';

const runYaml = readFileSync(new URL('./testdata/environment-run.yaml', import.meta.url), 'utf8');

/** Does what the catalog's Sensor does with the event: starts the run, labelled with the request. */
class SubmittingDispatcher implements Dispatcher {
  constructor(private readonly engine: WorkflowEngine) {}
  async dispatch(_eventName: string, body: Record<string, unknown>): Promise<void> {
    await this.engine.submit(parseWorkflow(runYaml), {
      labels: {
        'plinth.dev/kind': 'environment',
        'plinth.dev/request-id': String(body['request_id']),
        'plinth.dev/environment': String(body['name']),
        'plinth.dev/action': String(body['action']),
      },
    });
  }
}

interface SseEvent {
  id?: string;
  event: string;
  data: string;
}

/** Reads Server-Sent Events from a response until `enough` says so or the stream ends. */
async function readEvents(
  body: ReadableStream<Uint8Array>,
  enough: (events: SseEvent[]) => boolean,
): Promise<SseEvent[]> {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  const events: SseEvent[] = [];
  let buffer = '';
  try {
    while (!enough(events)) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const ev: SseEvent = { event: 'message', data: '' };
        for (const line of block.split('\n')) {
          const [field, ...rest] = line.split(': ');
          const value = rest.join(': ');
          if (field === 'id') ev.id = value;
          else if (field === 'event') ev.event = value;
          else if (field === 'data') ev.data = value;
        }
        if (block.split('\n').every((l) => l.startsWith(':'))) continue;
        events.push(ev);
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return events;
}

async function until<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('runs through the engine', () => {
  let dir: string;
  let store: Store;
  let engine: WorkflowEngine;
  let platform: Platform;
  let app: FastifyInstance;
  let base: string;
  let headers: Record<string, string>;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'plinth-api-'));
    store = await createSqliteStore({ filename: join(dir, 'plinth.db') });
    const logger = pino({ level: 'silent' });
    engine = createWorkflowEngine({ store, logger, dataDir: dir, graceSeconds: 1 });
    await engine.start();
    platform = createPlatform({
      store,
      engine,
      dispatcher: new SubmittingDispatcher(engine),
      logger,
    });
    await platform.start();
    headers = { authorization: `Bearer ${await platform.auth.ensureAdminToken()}` };
    app = buildApi({ platform, logger });
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    await app.close();
    await platform.stop();
    await engine.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function waitingRun(requestId: string): Promise<string> {
    return until(async () => {
      const res = await app.inject({ url: `/api/v1/requests/${requestId}`, headers });
      const runId = res.json<{ runs: { id: string }[] }>().runs[0]?.id;
      if (!runId) return undefined;
      const run = await app.inject({ url: `/api/v1/runs/${runId}`, headers });
      return run.json<{ waitingForApproval: boolean }>().waitingForApproval ? runId : undefined;
    }, 'the run to wait for approval');
  }

  async function create(name: string): Promise<string> {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/environments',
      headers,
      payload: { name, region: 'westeurope' },
    });
    expect(res.statusCode).toBe(202);
    return res.json<{ id: string }>().id;
  }

  it('follows a run: plan, approval, logs streamed as SSE, and the environment made Ready', async () => {
    const requestId = await create('dev-sse');
    const runId = await waitingRun(requestId);

    const run = (await app.inject({ url: `/api/v1/runs/${runId}`, headers })).json();
    expect(run).toMatchObject({
      phase: 'Running',
      requestId,
      environment: 'dev-sse',
      action: 'create',
      approval: { node: 'approve', planSummary: { add: 1, change: 0, destroy: 0 } },
      plan: { resources: ['terraform_data.environment'] },
    });
    expect(
      (run as { nodes: { displayName: string; type: string; phase: string }[] }).nodes.find(
        (n) => n.displayName === 'approve',
      ),
    ).toMatchObject({ type: 'Suspend', phase: 'Running' });
    await platform.settled();
    expect(await platform.requests.get(requestId)).toMatchObject({ status: 'Running' });
    expect(await platform.environments.get('dev-sse')).toMatchObject({
      status: 'Provisioning',
      message: 'waiting for approval at approve',
    });

    const stream = await fetch(`${base}/api/v1/runs/${runId}/logs?follow=true`, { headers });
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const early = readEvents(stream.body!, (evs) => evs.some((e) => e.event === 'end'));
    // Approve while the stream is open; it carries on with apply's lines, then ends.
    await until(async () => {
      const logs = await app.inject({ url: `/api/v1/runs/${runId}/logs`, headers });
      return logs.body.includes('Plan: 1 to add') ? true : undefined;
    }, 'the plan logs');
    const approved = await app.inject({
      method: 'POST',
      url: `/api/v1/runs/${runId}/approve`,
      headers,
      payload: { comment: 'ship it' },
    });
    expect(approved.statusCode).toBe(200);
    const events = await early;
    const logs = events.filter((e) => e.event === 'log');
    const texts = logs.map((e) => JSON.parse(e.data) as { text: string; node: string });
    expect(texts.map((t) => t.text)).toEqual([
      'inputs are valid',
      'Plan: 1 to add, 0 to change, 0 to destroy.',
      'Apply complete! Resources: 1 added, 0 changed, 0 destroyed.',
    ]);
    expect(logs.every((e) => /^\d+$/.test(e.id ?? ''))).toBe(true);
    expect(JSON.parse(events.at(-1)?.data ?? '{}')).toEqual({ phase: 'Succeeded' });

    // Reconnecting with Last-Event-ID resumes after that line.
    const resumed = await fetch(`${base}/api/v1/runs/${runId}/logs?follow=true`, {
      headers: { ...headers, 'last-event-id': logs[0]?.id ?? '' },
    });
    const rest = await readEvents(resumed.body!, (evs) => evs.some((e) => e.event === 'end'));
    expect(rest.filter((e) => e.event === 'log').map((e) => e.id)).toEqual(
      logs.slice(1).map((e) => e.id),
    );

    const text = await app.inject({ url: `/api/v1/runs/${runId}/logs`, headers });
    expect(text.headers['content-type']).toMatch(/^text\/plain/);
    expect(text.body).toMatch(/^.*validate.*: inputs are valid$/m);
    const json = await app.inject({ url: `/api/v1/runs/${runId}/logs?format=json`, headers });
    expect(json.json<{ items: unknown[] }>().items).toHaveLength(3);

    await until(async () => {
      await platform.settled();
      const env = await platform.environments.get('dev-sse');
      return env.status === 'Ready' ? env : undefined;
    }, 'the environment to be Ready');
    expect(await platform.environments.get('dev-sse')).toMatchObject({
      outputs: { url: 'https://env.example.test', id: 'env-1' },
      message: null,
    });
    expect(await platform.requests.get(requestId)).toMatchObject({ status: 'Succeeded' });
  });

  it('fails the environment when its approval is rejected', async () => {
    const requestId = await create('dev-no');
    const runId = await waitingRun(requestId);
    const rejected = await app.inject({
      method: 'POST',
      url: `/api/v1/runs/${runId}/reject`,
      headers,
      payload: { comment: 'not today' },
    });
    expect(rejected.statusCode).toBe(200);
    const env = await until(async () => {
      await platform.settled();
      const e = await platform.environments.get('dev-no');
      return e.status === 'Failed' ? e : undefined;
    }, 'the environment to fail');
    expect(env.message).toMatch(/not today/);
    expect((await platform.requests.get(requestId)).status).toBe('Failed');
    const again = await app.inject({
      method: 'POST',
      url: `/api/v1/runs/${runId}/approve`,
      headers,
    });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'NOT_WAITING' });
  });
});
