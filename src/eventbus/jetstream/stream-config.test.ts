import { describe, expect, it } from 'vitest';
import { isPlinthError } from '../../errors/index.js';
import { parseBusUrl, redactUrl, scrub } from './connection.js';
import { BusAuth, readEventBus } from './eventbus-spec.js';
import { consumerName } from './jetstream-bus.js';
import {
  argoStreamDefaults,
  parseByteSize,
  parseGoDuration,
  parseStreamConfig,
} from './stream-config.js';

describe('parseGoDuration', () => {
  it.each([
    ['72h', 72 * 3_600_000],
    ['4h35m', (4 * 60 + 35) * 60_000],
    ['300s', 300_000],
    ['1.5h', 5_400_000],
    ['1m30s', 90_000],
    ['250ms', 250],
    ['0', 0],
    ['-2s', -2_000],
  ])('%s is %d ms', (text, ms) => {
    expect(parseGoDuration(text)).toBe(ms);
  });

  it.each(['', '72', 'h', '3 days', '1h x'])('refuses %j', (text) => {
    expect(parseGoDuration(text)).toBeUndefined();
  });
});

describe('parseByteSize', () => {
  it.each([
    ['1GB', 1024 ** 3],
    ['512MB', 512 * 1024 ** 2],
    ['10k', 10_240],
    ['-1', -1],
    ['1e+06', 1_000_000],
    [1_000_000, 1_000_000],
  ])('%j is %d', (value, n) => {
    expect(parseByteSize(value)).toBe(n);
  });

  it('refuses units NATS does not know', () => {
    expect(parseByteSize('1 parsec')).toBeUndefined();
    expect(parseByteSize(true)).toBeUndefined();
  });
});

describe('parseStreamConfig', () => {
  it('starts from Argo’s defaults', () => {
    expect(parseStreamConfig(undefined)).toEqual(argoStreamDefaults);
    expect(argoStreamDefaults).toMatchObject({ maxMsgs: 1_000_000, replicas: 3 });
  });

  it('reads Argo’s keys in any case, as its controller does', () => {
    const s = parseStreamConfig(
      'maxmsgs: 1e+06\nMaxAge: 168h\nmaxBytes: -1\nreplicas: 1\nduplicates: 300s\nretention: 1\ndiscard: 1\nunknown: x\n',
    );
    expect(s).toEqual({
      maxMsgs: 1_000_000,
      maxAgeMs: 168 * 3_600_000,
      maxBytes: -1,
      replicas: 1,
      duplicatesMs: 300_000,
      retention: 'interest',
      discard: 'new',
    });
  });

  it('names the key that is wrong', () => {
    for (const [yaml, field] of [
      ['maxAge: soon', 'streamConfig.maxAge'],
      ['retention: 7', 'streamConfig.retention'],
      ['maxMsgs: many', 'streamConfig.maxMsgs'],
      ['- a list', 'spec.jetstream.streamConfig'],
      ['a: [', 'spec.jetstream.streamConfig'],
    ] as const) {
      let caught: unknown;
      try {
        parseStreamConfig(yaml);
      } catch (err) {
        caught = err;
      }
      expect(isPlinthError(caught, 'INVALID_INPUT'), yaml).toBe(true);
      expect((caught as { errors: { field: string }[] }).errors[0]?.field).toBe(field);
    }
  });
});

describe('readEventBus', () => {
  it('reads the seed’s token auth', () => {
    const s = readEventBus({
      metadata: { name: 'eventbus' },
      spec: { nats: { native: { replicas: 3, auth: 'token' } } },
    });
    expect(s).toMatchObject({ name: 'eventbus', auth: BusAuth.Token });
    expect(s.authField).toBe('spec.nats.native.auth');
  });

  it('reads a JetStream bus’s streamConfig, and an accessSecret as needing credentials', () => {
    expect(readEventBus({ spec: { jetstream: { streamConfig: 'replicas: 1' } } })).toMatchObject({
      streamConfig: 'replicas: 1',
      auth: BusAuth.None,
    });
    expect(
      readEventBus({
        spec: {
          jetstreamExotic: {
            url: 'nats://x',
            accessSecret: { name: 's', key: 'k' },
            streamConfig: 'maxAge: 1h',
          },
        },
      }),
    ).toMatchObject({ streamConfig: 'maxAge: 1h', auth: BusAuth.Credentials });
  });

  it('asks nothing of a missing or odd manifest', () => {
    expect(readEventBus(undefined)).toMatchObject({ name: undefined, auth: BusAuth.None });
    expect(readEventBus({ spec: 'nonsense' })).toMatchObject({ auth: BusAuth.None });
    expect(readEventBus({ spec: { nats: { native: { auth: 'none' } } } }).auth).toBe('none');
  });
});

describe('bus URLs and secrets', () => {
  it('splits servers from credentials, and shows neither password nor token', () => {
    expect(parseBusUrl('nats://u:p%40ss@127.0.0.1:4333,nats://other')).toEqual({
      servers: ['127.0.0.1:4333', 'other:4222'],
      credentials: { user: 'u', password: 'p@ss' },
      display: 'nats://[redacted]@127.0.0.1:4333,nats://other:4222',
    });
    expect(parseBusUrl('nats://tok@h:1').credentials).toEqual({ token: 'tok' });
  });

  it('refuses what is not a nats:// URL, without echoing credentials', () => {
    let caught: unknown;
    try {
      parseBusUrl('http://user:hunter2@h');
    } catch (err) {
      caught = err;
    }
    expect(isPlinthError(caught, 'INVALID_INPUT')).toBe(true);
    expect(String(caught) + JSON.stringify(caught)).not.toContain('hunter2');
  });

  it('redacts and scrubs', () => {
    expect(redactUrl('nats://a:b@h:1,nats://c@h:2,nats://h:3')).toBe(
      'nats://[redacted]@h:1,nats://[redacted]@h:2,nats://h:3',
    );
    expect(scrub('token xyz123 refused', { token: 'xyz123' })).toBe('token [redacted] refused');
  });

  it('makes durable names NATS accepts, distinct for distinct inputs', () => {
    expect(consumerName('sensor-a')).toBe('sensor-a');
    const a = consumerName('sensor.a');
    const b = consumerName('sensor*a');
    expect(a).toMatch(/^sensor_a_[0-9a-f]{10}$/);
    expect(a).not.toBe(b);
  });
});
