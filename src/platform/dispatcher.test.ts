import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isPlinthError } from '../errors/index.js';
import { createHttpDispatcher } from './dispatcher.js';

describe('http dispatcher', () => {
  let server: Server;
  let baseUrl: string;
  let received: { url: string | undefined; type: string | undefined; body: unknown }[];
  let status: number;

  beforeEach(async () => {
    received = [];
    status = 200;
    server = createServer((req: IncomingMessage, res) => {
      let text = '';
      req.on('data', (c: Buffer) => (text += c.toString()));
      req.on('end', () => {
        received.push({ url: req.url, type: req.headers['content-type'], body: JSON.parse(text) });
        res.writeHead(status).end(status === 200 ? 'success' : 'bus down');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterEach(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('posts the body as JSON to <baseUrl>/<event name>', async () => {
    await createHttpDispatcher({ baseUrl }).dispatch('environments', {
      name: 'dev',
      request_id: 'r1',
    });
    expect(received).toEqual([
      { url: '/environments', type: 'application/json', body: { name: 'dev', request_id: 'r1' } },
    ]);
  });

  it('throws a retryable UNAVAILABLE when the event source refuses or is down', async () => {
    status = 503;
    const refused = await createHttpDispatcher({ baseUrl })
      .dispatch('environments', {})
      .catch((e: unknown) => e);
    expect(isPlinthError(refused, 'UNAVAILABLE') && refused.retryable).toBe(true);
    expect(String((refused as Error).message)).toMatch(/HTTP 503 bus down/);

    await new Promise((resolve) => server.close(resolve));
    const down = await createHttpDispatcher({ baseUrl })
      .dispatch('environments', {})
      .catch((e: unknown) => e);
    expect(isPlinthError(down, 'UNAVAILABLE')).toBe(true);
    server = createServer();
    server.listen(0, '127.0.0.1');
  });
});
