import { describe, it, expect, afterEach } from 'vitest';
import { runCli } from '../program.js';
import { memoryIO, problem, startFakeApi, type FakeApi } from '../testing/fake-api.js';

let api: FakeApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

const fired = {
  sensor: 'argo-events/hello',
  dependencies: [{ name: 'hello', matched: true }],
  triggers: [
    {
      name: 'say-hello',
      fired: true,
      created: { kind: 'Workflow', namespace: 'argo-events', name: 'hello-x7k2p' },
      events: { hello: 'e1' },
    },
  ],
  decidedAt: '2026-03-01T10:00:01.000Z',
};

const missed = {
  sensor: 'argo-events/release',
  dependencies: [
    { name: 'build', matched: true },
    {
      name: 'approved',
      matched: false,
      reason: 'event name (subject) "hello" is not eventName "approvals"',
    },
  ],
  triggers: [
    { name: 'deploy', fired: false, reason: 'waiting for dependencies: approved' },
    { name: 'notify', fired: false, error: 'no such template', code: 'INVALID_MANIFEST' },
  ],
  decidedAt: '2026-03-01T10:00:01.500Z',
};

const event = (id: string, decisions: unknown[], extra: Record<string, unknown> = {}) => ({
  id,
  source: 'webhook',
  subject: 'hello',
  type: 'webhook',
  time: '2026-03-01T10:00:00Z',
  receivedAt: null,
  replayOf: null,
  decisions,
  ...extra,
});

describe('plinth events', () => {
  it('lists events with what fired, what did not, and what no sensor saw', async () => {
    api = await startFakeApi({
      'GET /api/v1/events': {
        body: {
          items: [
            event('e3', []),
            event('e2', [missed]),
            event('e1', [fired]),
            event('e0', [{ ...missed, triggers: [missed.triggers[1]] }]),
          ],
          nextCursor: 'c2',
        },
      },
    });
    const io = memoryIO({ PLINTH_SERVER: api.url });
    expect(
      await runCli(
        ['events', 'list', '--source', 'webhook', '--sensor', 'hello', '--fired', 'false'],
        io,
      ),
    ).toBe(0);
    expect(io.out()).toBe(
      'ID  EVENT          AGE  OUTCOME\n' +
        'e3  webhook/hello       no sensor decided\n' +
        'e2  webhook/hello       failed notify\n' +
        'e1  webhook/hello       fired say-hello → hello-x7k2p\n' +
        'e0  webhook/hello       failed notify\n',
    );
    expect(io.err()).toContain('more events');
    const q = api.received[0]?.query;
    expect(q?.get('source')).toBe('webhook');
    expect(q?.get('sensor')).toBe('hello');
    expect(q?.get('fired')).toBe('false');
    expect(q?.has('subject')).toBe(false);
  });

  it('says nothing fired when sensors decided and no trigger ran', async () => {
    api = await startFakeApi({
      'GET /api/v1/events': {
        body: { items: [event('e2', [{ ...missed, triggers: [missed.triggers[0]] }])] },
      },
    });
    const io = memoryIO({ PLINTH_SERVER: api.url });
    expect(await runCli(['events', 'list'], io)).toBe(0);
    expect(io.out()).toContain('e2  webhook/hello       nothing fired (1 sensor)\n');
  });

  it('refuses a --fired that is not true or false', async () => {
    const io = memoryIO({ PLINTH_SERVER: 'http://127.0.0.1:9' });
    expect(await runCli(['events', 'list', '--fired', 'yes'], io)).toBe(2);
    expect(io.err()).toContain('--fired');
  });

  it('shows per sensor each dependency matched or why not and each trigger with what it created', async () => {
    const detail = {
      ...event('e1', [fired, missed], { replayOf: 'e0', receivedAt: '2026-03-01T10:00:00.200Z' }),
      datacontenttype: 'application/json',
      data: { header: {}, body: { who: 'ada' } },
    };
    api = await startFakeApi({ 'GET /api/v1/events/e1': { body: detail } });
    const io = memoryIO({ PLINTH_SERVER: api.url });
    expect(await runCli(['events', 'get', 'e1'], io)).toBe(0);
    expect(io.out()).toBe(
      [
        'Event:     e1',
        'Source:    webhook',
        'Subject:   hello',
        'Type:      webhook',
        'Time:      2026-03-01T10:00:00Z',
        'Received:  2026-03-01T10:00:00.200Z',
        'Replay of: e0',
        '',
        'Sensor argo-events/hello (decided 2026-03-01T10:00:01.000Z)',
        '  Dependencies:',
        '    ✓ hello: matched',
        '  Triggers:',
        '    ✓ say-hello: fired, created Workflow argo-events/hello-x7k2p',
        '',
        'Sensor argo-events/release (decided 2026-03-01T10:00:01.500Z)',
        '  Dependencies:',
        '    ✓ build: matched',
        '    ✗ approved: not matched: event name (subject) "hello" is not eventName "approvals"',
        '  Triggers:',
        '    - deploy: not fired: waiting for dependencies: approved',
        '    ✗ notify: failed (INVALID_MANIFEST): no such template',
        '',
        'Payload:',
        '  {',
        '    "header": {},',
        '    "body": {',
        '      "who": "ada"',
        '    }',
        '  }',
        '',
      ].join('\n'),
    );

    const json = memoryIO({ PLINTH_SERVER: api.url });
    expect(await runCli(['events', 'get', 'e1', '-o', 'json'], json)).toBe(0);
    expect(JSON.parse(json.out())).toEqual(detail);
  });

  it('says when no sensor decided about an event', async () => {
    api = await startFakeApi({
      'GET /api/v1/events/e3': { body: { ...event('e3', []), data: null } },
    });
    const io = memoryIO({ PLINTH_SERVER: api.url });
    expect(await runCli(['events', 'get', 'e3'], io)).toBe(0);
    expect(io.out()).toContain('No sensor decided about this event');
  });

  it('reports an unknown event with exit 1', async () => {
    api = await startFakeApi({
      'GET /api/v1/events/nope': problem(404, 'NOT_FOUND', 'event "nope" does not exist'),
    });
    const io = memoryIO({ PLINTH_SERVER: api.url });
    expect(await runCli(['events', 'get', 'nope'], io)).toBe(1);
    expect(io.err()).toBe('plinth: event "nope" does not exist\n');
  });

  it('replays an event and names the new one', async () => {
    api = await startFakeApi({
      'POST /api/v1/events/e1/replay': {
        status: 202,
        headers: { location: '/api/v1/events/f00d' },
        body: { id: 'f00d', replayOf: 'e1', links: {} },
      },
    });
    const io = memoryIO({ PLINTH_SERVER: api.url, PLINTH_TOKEN: 'plinth_dev' });
    expect(await runCli(['events', 'replay', 'e1'], io)).toBe(0);
    expect(io.out()).toBe(
      'Event e1 replayed as f00d.\nSee what the sensors decided: plinth events get f00d\n',
    );
    expect(api.received[0]?.headers.authorization).toBe('Bearer plinth_dev');
    expect(api.received[0]?.body).toBeUndefined();

    const json = memoryIO({ PLINTH_SERVER: api.url });
    expect(await runCli(['events', 'replay', 'e1', '-o', 'json'], json)).toBe(0);
    expect(JSON.parse(json.out())).toMatchObject({
      id: 'f00d',
      replayOf: 'e1',
      location: '/api/v1/events/f00d',
    });
  });

  it('reports a viewer refused a replay with exit 1', async () => {
    api = await startFakeApi({
      'POST /api/v1/events/e1/replay': problem(
        403,
        'FORBIDDEN',
        'the viewer role cannot replay events',
      ),
    });
    const io = memoryIO({ PLINTH_SERVER: api.url });
    expect(await runCli(['events', 'replay', 'e1'], io)).toBe(1);
    expect(io.err()).toContain('the viewer role cannot replay events');
  });
});
