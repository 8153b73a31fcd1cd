import fs from 'node:fs';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isPlinthError, type PlinthError } from '../../errors/index.js';
import type { BusMessage, CloudEventJson, EventBus } from '../types.js';
import { JetStreamEventBus, type JetStreamEventBusOptions } from './jetstream-bus.js';
import { natsServerBin, startNatsServer, type TestNatsServer } from './testing/nats.js';

const logger = pino({ level: 'silent' });
const haveServer = process.env['CI'] === 'true' || fs.existsSync(natsServerBin);
if (!haveServer) console.warn(`skipping the nats-server tests: ${natsServerBin} is missing`);

function event(n: number): CloudEventJson {
  return {
    specversion: '1.0',
    id: `evt-${n}`,
    source: 'webhook',
    subject: 'environments',
    type: 'webhook',
    time: new Date().toISOString(),
    data: { header: {}, body: { n } },
  };
}

const bodyN = (m: BusMessage) => (m.event.data as { body: { n: number } }).body.n;

/** Subscribes, acks everything, and waits until the given bodies have all arrived. */
async function consumeAll(bus: EventBus, durable: string, want: number[], timeoutMs = 10_000) {
  const seen = new Set<number>();
  let done: () => void = () => undefined;
  const all = new Promise<void>((resolve) => (done = resolve));
  const sub = await bus.subscribe(
    async (m) => {
      seen.add(bodyN(m));
      await m.ack();
      if (want.every((n) => seen.has(n))) done();
    },
    { durable },
  );
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    all,
    new Promise((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`got ${[...seen].sort((a, b) => a - b).join(',')}`)),
        timeoutMs,
      );
    }),
  ]).finally(() => clearTimeout(timer));
  await sub.unsubscribe();
  return seen;
}

async function failure(p: Promise<unknown>): Promise<PlinthError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isPlinthError(err)) throw new Error(`expected a PlinthError, got ${String(err)}`);
  return err;
}

/** Everything an error shows: message, details, field problems, cause chain. */
function shown(err: PlinthError): string {
  let text = `${err.message} ${JSON.stringify(err.details)} ${JSON.stringify(err.errors)}`;
  let cause: unknown = err.cause;
  while (cause instanceof Error) {
    text += ` ${cause.message}`;
    cause = cause.cause;
  }
  return text;
}

describe.skipIf(!haveServer)('JetStream bus against its own nats-server', () => {
  const open: EventBus[] = [];
  const openBus = async (opts: Partial<JetStreamEventBusOptions> & { url: string }) => {
    const bus = await JetStreamEventBus.create({ logger, ...opts });
    open.push(bus);
    return bus;
  };
  afterEach(async () => {
    for (const bus of open.splice(0)) await bus.close();
  });

  describe('token auth', () => {
    const token = 'tok-s3cret-value';
    let server: TestNatsServer;
    beforeAll(async () => {
      server = await startNatsServer(['--auth', token]);
    });
    afterAll(() => server.stop());

    it('works with the right token', async () => {
      const bus = await openBus({ url: server.url, token });
      await bus.publish(event(1));
      expect([...(await consumeAll(bus, 'tok', [1]))]).toEqual([1]);
    });

    it('takes a token from the URL, and never shows it', async () => {
      const bus = await openBus({ url: `nats://${token}@127.0.0.1:${server.port}` });
      await bus.publish(event(2));
      const err = await failure(
        JetStreamEventBus.create({ url: `nats://wrong-${token}@127.0.0.1:${server.port}`, logger }),
      );
      expect(shown(err)).not.toContain(token);
    });

    it('refuses a wrong token with an error naming PLINTH_BUS_TOKEN, not the token', async () => {
      const err = await failure(
        JetStreamEventBus.create({ url: server.url, token: 'not-the-token', logger }),
      );
      expect(err.code).toBe('BUS_UNAVAILABLE');
      expect(err.retryable).toBe(false);
      expect(err.message).toMatch(/refused the credentials in PLINTH_BUS_TOKEN/);
      expect(err.errors[0]?.field).toBe('PLINTH_BUS_TOKEN');
      expect(shown(err)).not.toContain('not-the-token');
    });

    it('says the token is missing when the server asks for one', async () => {
      const err = await failure(JetStreamEventBus.create({ url: server.url, logger }));
      expect(err.message).toMatch(/asks for credentials and none are set/);
      expect(err.errors[0]).toMatchObject({ field: 'PLINTH_BUS_TOKEN', message: 'missing' });
    });

    it('names PLINTH_BUS_TOKEN before connecting when the EventBus asks for token auth', async () => {
      const eventBus = {
        metadata: { name: 'eventbus' },
        spec: { nats: { native: { replicas: 3, auth: 'token' } } },
      };
      // Port 1 is closed: the check comes before any connection attempt.
      const err = await failure(
        JetStreamEventBus.create({ url: 'nats://127.0.0.1:1', eventBus, logger }),
      );
      expect(err.message).toMatch(/spec\.nats\.native\.auth/);
      expect(err.errors[0]).toMatchObject({ field: 'PLINTH_BUS_TOKEN', message: 'missing' });
      const bus = await openBus({ url: server.url, token, eventBus });
      expect((bus as JetStreamEventBus).stream).toBe('eventbus');
      await bus.publish(event(3));
    });
  });

  describe('user and password', () => {
    const password = 'pa55-w0rd-secret';
    let server: TestNatsServer;
    beforeAll(async () => {
      server = await startNatsServer(['--user', 'plinth', '--pass', password]);
    });
    afterAll(() => server.stop());

    it('works with the right user and password, from options or the URL', async () => {
      const bus = await openBus({ url: server.url, user: 'plinth', password });
      await bus.publish(event(1));
      expect([...(await consumeAll(bus, 'basic', [1]))]).toEqual([1]);
      const viaUrl = await openBus({ url: `nats://plinth:${password}@127.0.0.1:${server.port}` });
      await viaUrl.publish(event(2));
    });

    it('refuses a wrong password without showing it', async () => {
      const err = await failure(
        JetStreamEventBus.create({
          url: `nats://plinth:wrong-${password}@127.0.0.1:${server.port}`,
          logger,
        }),
      );
      expect(err.message).toMatch(/PLINTH_BUS_USER \/ PLINTH_BUS_PASSWORD/);
      expect(err.message).toContain(`nats://[redacted]@127.0.0.1:${server.port}`);
      expect(shown(err)).not.toContain(password);
    });

    it('asks for the password when only the user is set', async () => {
      const err = await failure(
        JetStreamEventBus.create({ url: server.url, user: 'plinth', logger }),
      );
      expect(err.errors[0]?.field).toBe('PLINTH_BUS_PASSWORD');
    });
  });

  describe('stream settings', () => {
    let server: TestNatsServer;
    beforeAll(async () => {
      server = await startNatsServer();
    });
    afterAll(() => server.stop());

    it('creates a file stream from the EventBus streamConfig, on Argo subjects', async () => {
      const eventBus = {
        metadata: { name: 'default' },
        spec: {
          jetstream: {
            version: '2.9.10',
            streamConfig:
              'maxMsgs: 500\nmaxAge: 4h35m\nmaxBytes: 1MB\nreplicas: 3\nduplicates: 2m\n',
          },
        },
      };
      const bus = await openBus({ url: server.url, eventBus });
      await bus.publish(event(1));
      const nc = await connect({ servers: server.url });
      try {
        const jsm = await jetstreamManager(nc);
        const info = await jsm.streams.info('default');
        expect(info.config).toMatchObject({
          subjects: ['default.*.*'],
          storage: 'file',
          max_msgs: 500,
          max_age: (4 * 3600 + 35 * 60) * 1e9,
          max_bytes: 1024 * 1024,
          num_replicas: 1,
          duplicate_window: 120 * 1e9,
        });
        const stored = await jsm.streams.getMessage('default', { seq: 1 });
        expect(stored?.subject).toBe('default.webhook.environments');
        expect(stored?.header.get('Nats-Msg-Id')).toBe('evt-1');
      } finally {
        await nc.close();
      }
    });

    it('stores an event once however often it is published (dedup by CloudEvent id)', async () => {
      const bus = await openBus({ url: server.url, stream: 'dedup' });
      await bus.publish(event(1));
      await bus.publish(event(1));
      await bus.publish(event(2));
      const nc = await connect({ servers: server.url });
      try {
        const jsm = await jetstreamManager(nc);
        expect((await jsm.streams.info('dedup')).state.messages).toBe(2);
      } finally {
        await nc.close();
      }
    });

    it('refuses a streamConfig value of the wrong shape, naming the key', async () => {
      const eventBus = { spec: { jetstream: { streamConfig: 'maxAge: soon' } } };
      const err = await failure(JetStreamEventBus.create({ url: server.url, eventBus, logger }));
      expect(err.code).toBe('INVALID_INPUT');
      expect(err.errors[0]?.field).toBe('streamConfig.maxAge');
    });

    it('says clearly when nothing listens at the URL', async () => {
      const err = await failure(JetStreamEventBus.create({ url: 'nats://127.0.0.1:1', logger }));
      expect(err.code).toBe('BUS_UNAVAILABLE');
      expect(err.message).toMatch(/cannot reach NATS at nats:\/\/127\.0\.0\.1:1/);
    });
  });

  describe('a NATS restart', () => {
    let server: TestNatsServer;
    beforeAll(async () => {
      server = await startNatsServer();
    });
    afterAll(() => server.stop());

    it('loses no accepted event, and publishing during the outage never lies', async () => {
      const bus = await openBus({ url: server.url, stream: 'restart', publishTimeoutMs: 2_000 });
      const live = new Set<number>();
      await bus.subscribe(
        async (m) => {
          live.add(bodyN(m));
          await m.ack();
        },
        // Acks in flight when the server dies are lost with it: the ack wait brings those events back.
        { durable: 'live', maxInFlight: 8, ackWaitMs: 1_000 },
      );
      const n = 40;
      await Promise.all(Array.from({ length: n }, (_, i) => bus.publish(event(i))));

      await server.kill9();
      const during = bus.publish(event(n)).then(
        () => true,
        (err: unknown) => {
          expect(isPlinthError(err, 'BUS_UNAVAILABLE')).toBe(true);
          return false;
        },
      );
      await new Promise((r) => setTimeout(r, 300));
      await server.restart();
      const accepted = await during;
      await bus.publish(event(n + 1));

      const want = Array.from({ length: n }, (_, i) => i).concat(accepted ? [n] : [], [n + 1]);
      const seen = await consumeAll(bus, 'after-restart', want);
      expect(want.every((i) => seen.has(i))).toBe(true);
      // The subscription that lived through the outage carries on too.
      const deadline = Date.now() + 10_000;
      while (!want.every((i) => live.has(i)) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(want.filter((i) => !live.has(i))).toEqual([]);
    });
  });
});
