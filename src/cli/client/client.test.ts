import { describe, it, expect, afterEach } from 'vitest';
import { isPlinthError } from '../../errors/index.js';
import { problem, startFakeApi, type FakeApi } from '../testing/fake-api.js';
import { createPlinthClient } from './client.js';

let api: FakeApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

describe('createPlinthClient', () => {
  it('posts a create request with the bearer token and returns the Location', async () => {
    api = await startFakeApi({
      'POST /api/v1/environments': {
        status: 202,
        headers: { location: '/api/v1/requests/req-1' },
        body: {
          id: 'req-1',
          kind: 'environment',
          action: 'create',
          status: 'Accepted',
          target: 'dev',
        },
      },
    });
    const client = createPlinthClient({ server: `${api.url}/`, token: 'plt_secret' });
    const accepted = await client.createEnvironment(
      { name: 'dev', region: 'eu-west-1' },
      { idempotencyKey: 'k1' },
    );
    expect(accepted).toMatchObject({ id: 'req-1', location: '/api/v1/requests/req-1' });
    const [r] = api.received;
    expect(r?.body).toEqual({ name: 'dev', region: 'eu-west-1' });
    expect(r?.headers.authorization).toBe('Bearer plt_secret');
    expect(r?.headers['idempotency-key']).toBe('k1');
    expect(r?.headers['content-type']).toBe('application/json');
  });

  it('sends filters as query parameters and leaves out empty ones', async () => {
    api = await startFakeApi({ 'GET /api/v1/runs': { body: { items: [] } } });
    const client = createPlinthClient({ server: api.url });
    await client.listRuns({ environment: 'dev', phase: '', requestId: 'req 1' });
    const q = api.received[0]?.query;
    expect(q?.get('environment')).toBe('dev');
    expect(q?.has('phase')).toBe(false);
    expect(q?.get('requestId')).toBe('req 1');
    expect(api.received[0]?.headers.authorization).toBeUndefined();
  });

  it('turns problem+json into a PlinthError with the code, detail and field fixes', async () => {
    api = await startFakeApi({
      'POST /api/v1/runs/r1/approve': problem(
        409,
        'NOT_WAITING',
        'run r1 is not waiting for approval',
        [{ field: '/id', message: 'the run Succeeded', fix: 'approve a run that is Running' }],
      ),
    });
    const client = createPlinthClient({ server: api.url });
    const err = await client.approveRun('r1', { comment: 'ok' }).catch((e: unknown) => e);
    expect(isPlinthError(err, 'NOT_WAITING')).toBe(true);
    if (!isPlinthError(err)) throw err;
    expect(err.message).toBe('run r1 is not waiting for approval');
    expect(err.errors).toEqual([
      { field: '/id', message: 'the run Succeeded', fix: 'approve a run that is Running' },
    ]);
    expect(api.received[0]?.body).toEqual({ comment: 'ok' });
  });

  it('maps an unknown server code by its HTTP status and keeps the server code', async () => {
    api = await startFakeApi({
      'GET /api/v1/environments/x': problem(404, 'SOMETHING_NEW', 'no environment x'),
    });
    const err = await createPlinthClient({ server: api.url })
      .getEnvironment('x')
      .catch((e: unknown) => e);
    expect(isPlinthError(err, 'NOT_FOUND')).toBe(true);
    expect(isPlinthError(err) && err.details).toMatchObject({
      httpStatus: 404,
      serverCode: 'SOMETHING_NEW',
    });
  });

  it('says the server cannot be reached when nothing listens', async () => {
    const closed = await startFakeApi();
    const url = closed.url;
    await closed.close();
    const err = await createPlinthClient({ server: url })
      .listEnvironments()
      .catch((e: unknown) => e);
    expect(isPlinthError(err, 'UNAVAILABLE')).toBe(true);
    expect((err as Error).message).toBe(
      `cannot reach Plinth at ${url} (is \`plinth up\` running?)`,
    );
  });

  it('follows logs over SSE until `end`, resuming after a dropped stream', async () => {
    let connections = 0;
    api = await startFakeApi({
      'GET /api/v1/runs/r1/logs': (req, res) => {
        connections++;
        expect(req.query.get('follow')).toBe('true');
        expect(req.headers.accept).toBe('text/event-stream');
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        const line = (seq: number, text: string) =>
          `id: ${seq}\ndata: ${JSON.stringify({ nodeId: 'n1', podName: 'p1', stream: 'stdout', text, time: 't' })}\n\n`;
        if (connections === 1) {
          expect(req.headers['last-event-id']).toBeUndefined();
          res.end(line(1, 'first') + line(2, 'second'));
        } else {
          expect(req.headers['last-event-id']).toBe('2');
          res.end(`${line(3, 'third')}event: end\ndata: {}\n\n`);
        }
        return undefined;
      },
    });
    const client = createPlinthClient({ server: api.url });
    const texts: string[] = [];
    for await (const e of client.followRunLogs('r1')) texts.push(`${e.seq}:${e.text}`);
    expect(texts).toEqual(['1:first', '2:second', '3:third']);
    expect(connections).toBe(2);
  });
});
