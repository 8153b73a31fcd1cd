import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CliIO } from '../context.js';

/** A request the fake API received. */
export interface Received {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

/** A JSON answer; `undefined` from a handler means it wrote the response itself. */
export interface Reply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Answers one route, keyed `METHOD /path` (no query). */
export type Handler = (
  req: Received,
  res: http.ServerResponse,
) => Reply | undefined | Promise<Reply | undefined>;

/** A stand-in for Plinth's HTTP API, over real HTTP on a free port. */
export interface FakeApi {
  readonly url: string;
  readonly received: Received[];
  /** Replaces or adds a route. */
  route(key: string, handler: Handler | Reply): void;
  close(): Promise<void>;
}

/** A problem+json reply, shaped as the API sends it. */
export function problem(
  status: number,
  code: string,
  detail: string,
  errors?: { field: string; message: string; fix?: string }[],
): Reply {
  return {
    status,
    headers: { 'content-type': 'application/problem+json' },
    body: { type: 'about:blank', title: code, status, detail, code, ...(errors ? { errors } : {}) },
  };
}

/** Starts a fake API on 127.0.0.1, port 0. */
export async function startFakeApi(routes: Record<string, Handler | Reply> = {}): Promise<FakeApi> {
  const table = new Map(Object.entries(routes));
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const u = new URL(req.url ?? '/', 'http://localhost');
        const text = Buffer.concat(chunks).toString('utf8');
        const r: Received = {
          method: req.method ?? 'GET',
          path: u.pathname,
          query: u.searchParams,
          headers: req.headers,
          body: text ? (JSON.parse(text) as unknown) : undefined,
        };
        received.push(r);
        const route = table.get(`${r.method} ${r.path}`);
        const reply =
          route === undefined
            ? problem(404, 'NOT_FOUND', `no route ${r.method} ${r.path}`)
            : typeof route === 'function'
              ? await route(r, res)
              : route;
        if (reply === undefined) return;
        res.writeHead(reply.status ?? 200, {
          'content-type': 'application/json',
          ...reply.headers,
        });
        res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
      })().catch((err: unknown) => {
        res.writeHead(500).end(String(err));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    route: (key, handler) => void table.set(key, handler),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A CliIO writing into strings, with fast polling. */
export function memoryIO(
  env: Record<string, string | undefined> = {},
  extra: Partial<CliIO> = {},
): CliIO & { out(): string; err(): string } {
  let out = '';
  let err = '';
  return {
    env,
    stdout: { write: (s: string) => void (out += s) },
    stderr: { write: (s: string) => void (err += s) },
    pollIntervalMs: 10,
    briefWaitMs: 1000,
    ...extra,
    out: () => out,
    err: () => err,
  };
}
