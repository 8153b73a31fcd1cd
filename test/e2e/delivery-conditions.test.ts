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
 * A trigger waiting on two dependencies (`build && approval`) through the
 * real `plinth up`, killed with SIGKILL between the two events: the first
 * event is kept with the sensor's state, so the second still fires the
 * trigger after the restart, exactly once.
 */

const eventSource = `apiVersion: argoproj.io/v1alpha1
kind: EventSource
metadata:
  name: webhook
  namespace: argo-events
spec:
  webhook:
    build:
      port: "12000"
      endpoint: /build
      method: POST
    approval:
      port: "12000"
      endpoint: /approval
      method: POST
    # The platform's own requests arrive here; this test does not use it.
    environments:
      port: "12000"
      endpoint: /environments
      method: POST
`;

const sensor = `apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata:
  name: two-step
  namespace: argo-events
spec:
  dependencies:
    - name: build
      eventSourceName: webhook
      eventName: build
    - name: approval
      eventSourceName: webhook
      eventName: approval
  triggers:
    - template:
        name: release
        conditions: build && approval
        k8s:
          operation: create
          source:
            resource:
              apiVersion: argoproj.io/v1alpha1
              kind: Workflow
              metadata:
                generateName: release-
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
                dependencyName: build
                dataKey: body.id
              dest: metadata.labels.plinth\\.dev/request-id
`;

function writeCatalog(): string {
  const dir = tempDir('plinth-delivery-conditions-');
  fs.writeFileSync(path.join(dir, 'eventsource.yaml'), eventSource);
  fs.writeFileSync(path.join(dir, 'sensor.yaml'), sensor);
  return dir;
}

async function post(server: Server, endpoint: string, id: string): Promise<string> {
  const res = await fetch(`${server.webhook}/${endpoint}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id }),
  });
  await res.text();
  const eventId = res.headers.get('x-plinth-event-id');
  expect(res.status).toBe(200);
  expect(eventId).toBeTruthy();
  return eventId!;
}

interface EventView {
  decisions: { triggers: { name: string; fired: boolean; reason?: string }[] }[];
}

async function decided(server: Server, eventId: string): Promise<EventView> {
  return eventually(async () => {
    const { status, body } = await getJson<EventView>(server, `/api/v1/events/${eventId}`);
    return status === 200 && body.decisions.length > 0 ? body : undefined;
  }, `the sensor's decision about ${eventId}`);
}

async function runsOf(server: Server, requestId: string): Promise<number> {
  const { body } = await getJson<{ items: { requestId: string | null }[] }>(
    server,
    '/api/v1/runs?limit=500',
  );
  return body.items.filter((r) => r.requestId === requestId).length;
}

describe('a two-dependency trigger across SIGKILL, through the real plinth up', () => {
  const catalog = writeCatalog();

  it('the process killed between the two events: the second still fires the trigger once', async () => {
    const dataDir = tempDir('plinth-delivery-conditions-');
    const first = await startServer({ dataDir, catalog });
    let second: Server | undefined;
    try {
      const build = await post(first, 'build', 'build-1');
      const view = await decided(first, build);
      expect(view.decisions[0]?.triggers[0]?.reason).toContain('waiting for conditions');
      first.child.kill('SIGKILL');
      await killed(first);

      second = await startServer({ dataDir, catalog });
      const approval = await post(second, 'approval', 'approval-1');
      await eventually(async () => {
        const { body } = await getJson<EventView>(second!, `/api/v1/events/${approval}`);
        return body.decisions?.some((d) => d.triggers.some((t) => t.fired)) ? true : undefined;
      }, 'the trigger to fire with the second event');
      await eventually(
        async () => ((await runsOf(second!, 'build-1')) === 1 ? true : undefined),
        'one run labelled with the first event',
      );
    } finally {
      await first.stop();
      await second?.stop();
    }
  }, 60_000);

  it('the process killed after the second event, before the trigger ran: it fires after the restart, once', async () => {
    const dataDir = tempDir('plinth-delivery-conditions-');
    process.env.PLINTH_TEST_CRASH_AT = 'sensor:before-trigger';
    let first: Server;
    try {
      first = await startServer({ dataDir, catalog });
    } finally {
      delete process.env.PLINTH_TEST_CRASH_AT;
    }
    let second: Server | undefined;
    try {
      const build = await post(first, 'build', 'build-2');
      await decided(first, build);
      await post(first, 'approval', 'approval-2');
      await killed(first);
      expect(first.output()).toContain('killing the process at sensor:before-trigger');

      second = await startServer({ dataDir, catalog });
      await eventually(
        async () => ((await runsOf(second!, 'build-2')) === 1 ? true : undefined),
        'one run labelled with the first event',
      );
      // Another event of each kind after the restart fires once more, with the new build.
      await post(second, 'build', 'build-3');
      await post(second, 'approval', 'approval-3');
      await eventually(
        async () => ((await runsOf(second!, 'build-3')) === 1 ? true : undefined),
        'one run for the next pair',
      );
      expect(await runsOf(second, 'build-2')).toBe(1);
    } finally {
      await first.stop();
      await second?.stop();
    }
  }, 60_000);
});
