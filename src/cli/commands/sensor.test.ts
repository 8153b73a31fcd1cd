import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, it, expect } from 'vitest';
import { runCli } from '../program.js';
import { memoryIO } from '../testing/fake-api.js';
import type { SensorTestReport } from './sensor.js';

const testdata = path.resolve(import.meta.dirname, '../../sensors/testdata');

describe('plinth sensor test', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'plinth-sensor-test-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints the dependencies and triggers as JSON, with the resolved Workflow', async () => {
    const io = memoryIO({}, { cwd: testdata });
    const code = await runCli(
      [
        'sensor',
        'test',
        'compute-provision-sensor.yaml',
        '--event',
        'compute-event.json',
        '-o',
        'json',
      ],
      io,
    );
    expect(io.err()).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(io.out()) as SensorTestReport;
    expect(report.dependencies).toEqual([{ name: 'webhook', matched: true }]);
    expect(report.triggers).toHaveLength(1);
    expect(report.triggers[0]).toMatchObject({
      name: 'terraform',
      fired: true,
      resource: { kind: 'Workflow', metadata: { generateName: 'compute-provision-' } },
    });
  });

  it('delivers several files and lists of events in order, and says why nothing fired', async () => {
    const events = [
      {
        specversion: '1.0',
        id: 'b1',
        source: 'ci',
        subject: 'build',
        type: 'webhook',
        time: '2024-06-01T10:00:00Z',
        data: { body: {} },
      },
    ];
    await writeFile(path.join(dir, 'events.json'), JSON.stringify(events));
    const io = memoryIO({}, { cwd: dir });
    const code = await runCli(
      [
        'sensor',
        'test',
        path.join(testdata, 'conditions-sensor.yaml'),
        '--event',
        'events.json',
        '-o',
        'json',
      ],
      io,
    );
    expect(code).toBe(0);
    const report = JSON.parse(io.out()) as SensorTestReport;
    expect(report.dependencies).toEqual([
      { name: 'build', matched: true },
      {
        name: 'test-passed',
        matched: false,
        reason: 'event name (subject) "build" is not eventName "test"',
      },
      {
        name: 'approved',
        matched: false,
        reason: 'event source "ci" is not eventSourceName "webhook"',
      },
    ]);
    expect(report.triggers.map((t) => [t.name, t.fired, t.reason])).toEqual([
      [
        'build-and-check',
        false,
        'waiting for conditions "build && (test-passed || approved)" (received: build)',
      ],
      ['either', true, undefined],
      ['all', false, 'waiting for dependencies: test-passed, approved'],
      ['same-day', false, 'waiting for conditions "build && approved" (received: build)'],
    ]);
  });

  it('prints a readable report by default', async () => {
    const io = memoryIO({}, { cwd: testdata });
    const code = await runCli(
      ['sensor', 'test', 'filters-sensor.yaml', '--event', 'order-event.json'],
      io,
    );
    expect(code).toBe(0);
    const out = io.out();
    expect(out).toContain('Sensor default/filters, 1 event delivered');
    expect(out).toMatch(
      /str-miss\s+no\s+data filter body\.region: "eastus2" is not one of \["\^westus\$"\]/,
    );
    expect(out).toMatch(/on-region\s+yes/);
    expect(out).toContain('generateName: order-');
  });

  it('exits 2 with FILE:LINE:COL for YAML that does not parse', async () => {
    await writeFile(path.join(dir, 'bad.yaml'), 'kind: Sensor\nspec:\n  dependencies: [a\n');
    await writeFile(path.join(dir, 'e.json'), '{}');
    const io = memoryIO({}, { cwd: dir });
    const code = await runCli(['sensor', 'test', 'bad.yaml', '--event', 'e.json'], io);
    expect(code).toBe(2);
    expect(io.err()).toMatch(/^plinth: bad\.yaml:\d+:\d+: /);
    expect(io.out()).toBe('');
  });

  it('exits 2 naming the line of a Sensor mistake, a bad event file and a missing file', async () => {
    await writeFile(
      path.join(dir, 'sensor.yaml'),
      [
        'apiVersion: argoproj.io/v1alpha1',
        'kind: Sensor',
        'metadata: {name: s}',
        'spec:',
        '  dependencies: [{name: a, eventSourceName: w, eventName: e}]',
        '  triggers:',
        '    - template:',
        '        name: t',
        '        conditions: a && b',
        '        log: {}',
      ].join('\n'),
    );
    await writeFile(path.join(dir, 'event.json'), '{"id": "1",\n "source": }');
    await writeFile(path.join(dir, 'partial.json'), '{"id": "1"}');
    const cases: [string[], RegExp][] = [
      [
        ['sensor.yaml', '--event', 'event.json'],
        /sensor\.yaml:9:9: spec\.triggers\[0\]\.template\.conditions: conditions name "b", which is not a dependency/,
      ],
      [
        [path.join(testdata, 'filters-sensor.yaml'), '--event', 'event.json'],
        /event\.json:2:12: not JSON/,
      ],
      [
        [path.join(testdata, 'filters-sensor.yaml'), '--event', 'partial.json'],
        /partial\.json: the CloudEvent has no source, type/,
      ],
      [
        [path.join(testdata, 'filters-sensor.yaml'), '--event', 'nope.json'],
        /nope\.json: cannot read the file \(it does not exist\)/,
      ],
    ];
    for (const [args, message] of cases) {
      const io = memoryIO({}, { cwd: dir });
      expect(await runCli(['sensor', 'test', ...args], io)).toBe(2);
      expect(io.err()).toMatch(message);
    }
  });

  it('evaluates a Sensor whose trigger type Plinth cannot run, and says so for that trigger', async () => {
    const event = {
      specversion: '1.0',
      id: 'o1',
      source: 'webhook',
      subject: 'orders',
      type: 'webhook',
      time: '2024-06-01T10:00:00Z',
      data: { body: { id: 7 } },
    };
    await writeFile(path.join(dir, 'event.json'), JSON.stringify(event));
    const io = memoryIO({}, { cwd: dir });
    const code = await runCli(
      [
        'sensor',
        'test',
        path.join(testdata, 'slack-sensor.yaml'),
        '--event',
        'event.json',
        '-o',
        'json',
      ],
      io,
    );
    expect(io.err()).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(io.out()) as SensorTestReport;
    expect(report.dependencies).toEqual([{ name: 'order', matched: true }]);
    expect(report.triggers).toMatchObject([
      {
        name: 'tell-the-channel',
        fired: false,
        reason: expect.stringContaining('cannot run in Plinth'),
      },
      { name: 'note', fired: true, resource: '{"body":{"id":7}}' },
    ]);
  });

  it('shows the dlqTrigger of a trigger that cannot be resolved, naming the failed trigger', async () => {
    const event = {
      specversion: '1.0',
      id: 'o1',
      source: 'webhook',
      subject: 'orders',
      type: 'webhook',
      data: { body: {} },
    };
    await writeFile(path.join(dir, 'event.json'), JSON.stringify(event));
    const io = memoryIO({}, { cwd: dir });
    const code = await runCli(
      [
        'sensor',
        'test',
        path.join(testdata, 'dlq-offline-sensor.yaml'),
        '--event',
        'event.json',
        '-o',
        'json',
      ],
      io,
    );
    expect(code).toBe(0);
    const report = JSON.parse(io.out()) as SensorTestReport;
    expect(report.triggers).toEqual([
      {
        name: 'needs-id',
        fired: false,
        reason: expect.stringContaining('dataKey "body.id" is not in event o1'),
      },
      { name: 'no-id', fired: true, resource: '{"body":{}}', dlqOf: 'needs-id' },
    ]);
  });
});
