import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  eventually,
  getJson,
  killed,
  startServer,
  tempDir,
  type Server,
} from '../support/process.js';

/**
 * Delivery guarantees through the real `plinth up`, killed with SIGKILL: an
 * event answered 200 is never lost, and each one starts exactly one Workflow,
 * whether the process dies before the sensor saw the event, after it decided
 * to fire, or after it submitted the Workflow but before it acknowledged the
 * event (the redelivery must find the Workflow already there).
 */

const eventSource = `apiVersion: argoproj.io/v1alpha1
kind: EventSource
metadata:
  name: webhook
  namespace: argo-events
spec:
  webhook:
    environments:
      port: "12000"
      endpoint: /environments
      method: POST
`;

// Each event's body.id becomes the request-id label, so runs can be counted per event.
const sensor = `apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata:
  name: delivery
  namespace: argo-events
spec:
  dependencies:
    - name: order
      eventSourceName: webhook
      eventName: environments
  triggers:
    - template:
        name: run-once
        k8s:
          operation: create
          source:
            resource:
              apiVersion: argoproj.io/v1alpha1
              kind: Workflow
              metadata:
                generateName: delivery-
                namespace: argo-events
                labels:
                  plinth.dev/request-id: ''
              spec:
                entrypoint: main
                templates:
                  - name: main
                    container:
                      image: none
                      command: [/bin/true]
          parameters:
            - src:
                dependencyName: order
                dataKey: body.id
              dest: metadata.labels.plinth\\.dev/request-id
`;

function writeCatalog(): string {
  const dir = tempDir('plinth-delivery-catalog-');
  fs.writeFileSync(path.join(dir, 'eventsource.yaml'), eventSource);
  fs.writeFileSync(path.join(dir, 'sensor.yaml'), sensor);
  return dir;
}

interface RunSummary {
  id: string;
  requestId: string | null;
  phase: string;
}

interface EventView {
  id: string;
  decisions: { sensor: string; triggers: { name: string; fired: boolean; error?: string }[] }[];
}

async function runs(server: Server): Promise<RunSummary[]> {
  const all: RunSummary[] = [];
  let cursor: string | undefined;
  do {
    const query = `limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const { body } = await getJson<{ items: RunSummary[]; nextCursor?: string | null }>(
      server,
      `/api/v1/runs?${query}`,
    );
    all.push(...body.items);
    cursor = body.nextCursor ?? undefined;
  } while (cursor);
  return all;
}

function countByRequest(list: RunSummary[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const run of list) {
    if (run.requestId) counts.set(run.requestId, (counts.get(run.requestId) ?? 0) + 1);
  }
  return counts;
}

interface Accepted {
  /** The body's id, which labels its run. */
  key: string;
  /** The CloudEvent's id, as the webhook answered it. */
  eventId: string;
}

async function post(server: Server, key: string): Promise<Accepted | undefined> {
  try {
    const res = await fetch(`${server.webhook}/environments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: key }),
    });
    await res.text();
    const eventId = res.headers.get('x-plinth-event-id');
    return res.status === 200 && eventId ? { key, eventId } : undefined;
  } catch {
    return undefined; // the process died under this request: it was never answered 200
  }
}

const finished = new Set(['Succeeded', 'Failed', 'Error']);

/** Waits until every accepted event is in the event log with a fired trigger, then checks its run. */
async function expectExactlyOnce(server: Server, accepted: Accepted[]): Promise<void> {
  for (const { eventId } of accepted) {
    await eventually(async () => {
      const { status, body } = await getJson<EventView>(server, `/api/v1/events/${eventId}`);
      if (status !== 200) return undefined;
      return body.decisions.some((d) => d.triggers.some((t) => t.fired)) ? true : undefined;
    }, `event ${eventId} in the event log with its trigger fired`);
  }
  // A run whose step process died with the engine ends in Error, as Argo's run does when its pod
  // is deleted; none may stay Pending or Running.
  const done = await eventually(async () => {
    const list = await runs(server);
    return list.every((r) => finished.has(r.phase)) ? list : undefined;
  }, 'every run to finish');
  const counts = countByRequest(done);
  for (const { key } of accepted) expect(counts.get(key), `runs of ${key}`).toBe(1);
  for (const [key, n] of counts) expect(n, `runs of ${key}`).toBe(1);
}

async function startCrashing(dataDir: string, catalog: string, point: string): Promise<Server> {
  process.env.PLINTH_TEST_CRASH_AT = point;
  try {
    return await startServer({ dataDir, catalog });
  } finally {
    delete process.env.PLINTH_TEST_CRASH_AT;
  }
}

describe('delivery across SIGKILL, through the real plinth up', () => {
  const catalog = writeCatalog();

  for (const point of ['sensor:before-handle', 'sensor:before-trigger', 'sensor:after-submit']) {
    it(`an event answered 200 starts exactly one Workflow when the process dies at ${point}`, async () => {
      const dataDir = tempDir('plinth-delivery-');
      const first = await startCrashing(dataDir, catalog, point);
      let second: Server | undefined;
      try {
        const accepted = await post(first, 'order-1');
        expect(accepted, 'the webhook answered 200 with the event id').toBeDefined();
        await killed(first);
        expect(first.output()).toContain(`killing the process at ${point}`);

        second = await startServer({ dataDir, catalog });
        const later = await post(second, 'order-2');
        expect(later).toBeDefined();
        await expectExactlyOnce(second, [accepted!, later!]);
      } finally {
        await first.stop();
        await second?.stop();
      }
    }, 60_000);
  }

  it('many concurrent posts, the process killed mid-stream: every event answered 200 runs exactly once', async () => {
    const dataDir = tempDir('plinth-delivery-burst-');
    const first = await startServer({ dataDir, catalog });
    let second: Server | undefined;
    try {
      const total = 150;
      const accepted: Accepted[] = [];
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < total) {
          const key = `burst-${next++}`;
          const ok = await post(first, key);
          if (ok) accepted.push(ok);
          if (accepted.length === 60 && first.child.signalCode === null) {
            first.child.kill('SIGKILL');
          }
        }
      };
      await Promise.all(Array.from({ length: 16 }, worker));
      await killed(first);
      expect(accepted.length).toBeGreaterThanOrEqual(60);
      expect(accepted.length).toBeLessThan(total);

      second = await startServer({ dataDir, catalog });
      await expectExactlyOnce(second, accepted);
    } finally {
      await first.stop();
      await second?.stop();
    }
  }, 90_000);

  it('a crash after the 20th submission under concurrent posts loses nothing and duplicates nothing', async () => {
    const dataDir = tempDir('plinth-delivery-nth-');
    const first = await startCrashing(dataDir, catalog, 'sensor:after-submit#20');
    let second: Server | undefined;
    try {
      const keys = Array.from({ length: 80 }, (_, i) => `nth-${i}`);
      let next = 0;
      const accepted: Accepted[] = [];
      const worker = async (): Promise<void> => {
        while (next < keys.length) {
          const ok = await post(first, keys[next++]!);
          if (ok) accepted.push(ok);
        }
      };
      await Promise.all(Array.from({ length: 8 }, worker));
      await killed(first);
      expect(first.output()).toContain('killing the process at sensor:after-submit');
      expect(accepted.length).toBeGreaterThanOrEqual(20);

      second = await startServer({ dataDir, catalog });
      await expectExactlyOnce(second, accepted);
    } finally {
      await first.stop();
      await second?.stop();
    }
  }, 90_000);
});
