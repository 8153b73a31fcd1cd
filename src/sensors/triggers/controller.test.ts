import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, it, expect } from 'vitest';
import { EmbeddedEventBus } from '../../eventbus/index.js';
import { createSensorController, type SensorController } from '../controller.js';
import type { SensorDecision } from '../evaluate.js';
import { parseSensor } from '../parse.js';
import { webhookEvent } from '../testing/fixtures.js';

const logger = pino({ level: 'silent' });

describe('http and log triggers through the sensor controller', () => {
  let dir: string;
  let bus: EmbeddedEventBus;
  let server: http.Server;
  let url: string;
  let bodies: string[];
  let controller: SensorController;
  let decisions: SensorDecision[];

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'plinth-triggers-'));
    bus = await EmbeddedEventBus.create({ dir, logger, syncMode: 'normal' });
    bodies = [];
    let calls = 0;
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        bodies.push(body);
        // The first request fails; the trigger's retryStrategy sends it again.
        res.statusCode = ++calls === 1 ? 502 : 200;
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/deploy`;
    decisions = [];
    controller = createSensorController({
      bus,
      workflows: { submit: () => Promise.reject(new Error('no workflows here')) },
      logger,
      onDecision: (d) => {
        decisions.push(d);
      },
    });
  });

  afterEach(async () => {
    await controller.stop();
    await bus.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await rm(dir, { recursive: true, force: true });
  });

  it('posts the payload, retries a disallowed status, and records the response', async () => {
    const sensor = parseSensor(`apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata: { name: notify, namespace: argo-events }
spec:
  dependencies:
    - { name: dep, eventSourceName: webhook, eventName: deploy }
  triggers:
    - template:
        name: call
        http:
          url: ${url}
          payload:
            - src: { dependencyName: dep, dataKey: body.app }
              dest: app
            - src: { dependencyName: dep, dataTemplate: '{{ .Input.body.version | default "latest" }}' }
              dest: version
      policy: { status: { allow: [200] } }
      retryStrategy: { steps: 2, duration: 5ms }
    - template:
        name: audit
        log: {}
`);
    await controller.start([sensor]);
    await bus.publish(webhookEvent('e1', 'webhook', 'deploy', { app: 'shop' }));
    await bus.drain?.();
    expect(bodies.map((b) => JSON.parse(b) as unknown)).toEqual([
      { app: 'shop', version: 'latest' },
      { app: 'shop', version: 'latest' },
    ]);
    expect(decisions).toHaveLength(1);
    expect(decisions[0]?.triggers).toMatchObject([
      { name: 'call', fired: true, resource: { url, method: 'POST', status: 200 } },
      { name: 'audit', fired: true, resource: { logged: true } },
    ]);
  });
});
