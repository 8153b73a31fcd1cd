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
          metadata: { name: 'cron' },
          spec: { calendar: { nightly: { schedule: '0 2 * * *' } } },
        },
        { file: 'cron.yaml' },
      );
    } catch (err) {
      caught = err;
    }
    expect(isPlinthError(caught, 'INVALID_MANIFEST')).toBe(true);
    expect((caught as Error).message).toMatch(
      /^cron\.yaml: spec\.calendar: the calendar event source type is not supported yet \(webhook is what Plinth runs now\)$/,
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
});
