import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { isPlinthError } from '../errors/index.js';
import { parseEventSource } from './parse.js';

const testdata = path.join(path.dirname(fileURLToPath(import.meta.url)), 'testdata');
const seed = parseEventSource(
  parse(fs.readFileSync(path.join(testdata, 'eventsource.yaml'), 'utf8')),
  {
    file: 'eventsource.yaml',
  },
);

const eventSource = (name: string, webhook: Record<string, object>) =>
  parseEventSource({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'EventSource',
    metadata: { name },
    spec: { webhook },
  });

describe('parseEventSource', () => {
  it("reads the seed's EventSource", () => {
    expect(seed.metadata.name).toBe('webhook');
    expect(seed.spec.eventBusName).toBe('eventbus');
    expect(seed.spec.webhook?.environments).toEqual({
      port: '12000',
      endpoint: '/environments',
      method: 'POST',
    });
  });

  it('names an event source type Plinth cannot run yet', () => {
    let caught: unknown;
    try {
      parseEventSource(
        {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'EventSource',
          metadata: { name: 'queue' },
          spec: { kafka: { orders: { topic: 'orders' } } },
        },
        { file: 'queue.yaml' },
      );
    } catch (err) {
      caught = err;
    }
    expect(isPlinthError(caught, 'INVALID_MANIFEST')).toBe(true);
    expect((caught as Error).message).toMatch(
      /^queue\.yaml: spec\.kafka: the kafka event source type is not supported yet \(webhook, calendar, github, gitlab is what Plinth runs now\)$/,
    );
  });

  it('refuses webhook shapes Argo refuses', () => {
    const withHook = (hook: object) => () =>
      eventSource('bad', { e: { port: '12000', endpoint: '/e', method: 'POST', ...hook } });
    expect(withHook({ endpoint: '' })).toThrow(/spec\.webhook\.e\.endpoint: can't be empty/);
    expect(withHook({ port: 'http' })).toThrow(/is not a port number/);
    expect(withHook({ method: '' })).toThrow(/method: can't be empty/);
    expect(withHook({ maxPayloadSize: -1 })).toThrow(/maxPayloadSize/);
    expect(withHook({ bogus: true })).toThrow(/spec\.webhook\.e\.bogus: is not a field/);
    expect(withHook({ port: 12000 })()).toMatchObject({
      spec: { webhook: { e: { port: '12000' } } },
    });
  });
  it('refuses what is not an EventSource', () => {
    expect(() => parseEventSource({ apiVersion: 'v1', kind: 'ConfigMap' })).toThrow(/apiVersion/);
    expect(() =>
      parseEventSource({ apiVersion: 'argoproj.io/v1alpha1', kind: 'EventSource', spec: {} }),
    ).toThrow(/metadata\.name: is required/);
    expect(() =>
      parseEventSource({
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'EventSource',
        metadata: { name: 'x' },
        spec: { webhok: {} },
      }),
    ).toThrow(/spec\.webhok: is not a field/);
  });

  it('reads calendar, github and gitlab sources as Argo writes them', () => {
    const read = (name: string) =>
      parseEventSource(parse(fs.readFileSync(path.join(testdata, name), 'utf8')), { file: name });
    const cal = read('calendar.yaml');
    expect(cal.spec.calendar?.nightly).toMatchObject({
      schedule: '30 2 * * 1-5',
      timezone: 'Europe/Paris',
      metadata: { purpose: 'drift' },
    });
    expect(cal.spec.calendar?.['ttl-expiry']?.persistence?.catchup?.maxDuration).toBe('10m');
    const git = read('git.yaml');
    expect(git.spec.github?.['app-repo']).toMatchObject({
      events: ['push'],
      webhook: { endpoint: '/github', port: '12000', method: 'POST' },
      webhookSecret: { name: 'github-access', key: 'secret' },
      repositories: [{ owner: 'acme', names: ['shop'] }],
    });
    expect(git.spec.gitlab?.['app-project']?.secretToken).toEqual({
      name: 'gitlab-access',
      key: 'secret',
    });
  });

  it('refuses calendar and git shapes Argo refuses', () => {
    const es = (spec: object) => () =>
      parseEventSource({
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'EventSource',
        metadata: { name: 'x' },
        spec,
      });
    expect(es({ calendar: { c: {} } })).toThrow(
      /spec\.calendar\.c: needs a schedule or an interval/,
    );
    expect(es({ calendar: { c: { schedule: '@hourly' } } })).toThrow(/descriptors/);
    expect(es({ calendar: { c: { schedule: '* * * *' } } })).toThrow(/expected exactly 5 fields/);
    expect(es({ calendar: { c: { schedule: '61 * * * *' } } })).toThrow(/outside 0-59/);
    expect(es({ calendar: { c: { interval: 'soon' } } })).toThrow(/not a positive Go duration/);
    expect(es({ calendar: { c: { interval: '1h', timezone: 'Mars/Base' } } })).toThrow(
      /not a known time zone/,
    );
    expect(
      es({ calendar: { c: { interval: '1h', exclusionDates: ['EXDATE:2026-12-25'] } } }),
    ).toThrow(/20060102T150405Z/);
    expect(es({ github: { g: { events: ['push'] } } })).toThrow(
      /spec\.github\.g\.webhook: is required/,
    );
    const hook = { endpoint: '/g', port: '12000', method: 'POST' };
    expect(es({ github: { g: { webhook: hook } } })).toThrow(/events: can't be empty/);
    expect(es({ gitlab: { g: { webhook: hook, events: ['PushEvents'], bogus: 1 } } })).toThrow(
      /spec\.gitlab\.g\.bogus: is not a field/,
    );
    expect(
      es({ webhook: { w: { ...hook, serverCertSecret: { name: 'tls', key: 'crt' } } } }),
    ).toThrow(/needs both serverCertSecret and serverKeySecret/);
  });
});
