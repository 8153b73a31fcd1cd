import { describe, it, expect } from 'vitest';
import { evaluateSensor } from '../evaluate.js';
import { parseSensor } from '../parse.js';
import { eventFixture, fixture, webhookEvent } from '../testing/fixtures.js';

/**
 * Each dependency of filters-sensor.yaml holds one filter form; the expected
 * decisions for order-event.json follow Argo Events' filter semantics
 * (regex string values, gjson number and bool conversions, govaluate types,
 * [start, stop) time windows across midnight, Lua returning true).
 */
const expected: Record<string, string | true> = {
  'str-eq': true,
  'str-miss': 'data filter body.region: "eastus2" is not one of ["^westus$"]',
  'str-unanchored': true,
  'str-ne': true,
  'str-gt': 'data filter body.region: "eastus2" cannot be compared with > (strings take = or !=)',
  'num-ge': true,
  'num-lt': 'data filter body.amount: 120 is not < any of ["100"]',
  'num-list': true,
  'num-from-string': true,
  'num-bad-value': 'data filter error (strconv.ParseFloat: parsing "lots": invalid syntax)',
  bool: true,
  'bool-list': 'data filter body.urgent: true is not one of ["false","f"]',
  'path-missing': "data filter error (path 'body.missing' does not exist)",
  template: true,
  'data-or': true,
  'data-or-miss':
    'data filter body.region: "eastus2" is not one of ["^westus$"] and data filter body.amount: 120 is not > any of ["500"]',
  'data-and-miss': 'data filter body.amount: 120 is not > any of ["500"]',
  expr: true,
  'expr-false': 'expr filter "amount > 500" is false (amount=120)',
  'expr-type-error':
    "expr filter error (Value 'eastus2' cannot be used with the comparator '>', it is not a number)",
  'expr-regex-in': true,
  'expr-or': true,
  ctx: true,
  'ctx-miss': 'context filter: datacontenttype "application/json" is not "application/xml"',
  'time-midnight': true,
  'time-tz': "time filter: the event's time 07:30:00 (Asia/Tokyo) is not in [09:00:00, 17:00:00)",
  'time-tz-match': true,
  script: true,
  'script-false': 'script filter returned false, not true',
  'script-error': "script filter: line 1: attempt to index a nil value (field 'nope')",
  'filters-or': true,
  'filters-and': "time filter: the event's time 22:30:00 (UTC) is not in [08:00:00, 09:00:00)",
};

describe('dependency filters', () => {
  const sensor = parseSensor(fixture('filters-sensor.yaml'));

  it('decides every filter form as Argo does, with the reason', async () => {
    const decision = await evaluateSensor(sensor, [eventFixture('order-event.json')]);
    const got = Object.fromEntries(
      decision.dependencies.map((d) => [d.name, d.matched ? true : (d.reason ?? '')]),
    );
    expect(got).toEqual(expected);
    expect(decision.triggers[0]).toMatchObject({ name: 'on-region', fired: true });
  });

  it('reads the payload from data_base64 as from data', async () => {
    const plain = eventFixture('order-event.json');
    const { data, ...rest } = plain;
    const encoded = { ...rest, data_base64: Buffer.from(JSON.stringify(data)).toString('base64') };
    const a = await evaluateSensor(sensor, [plain]);
    const b = await evaluateSensor(sensor, [encoded]);
    expect(b.dependencies).toEqual(a.dependencies);
  });

  it('passes data, expr and script filters when the event has no payload, as Argo does', async () => {
    const { data: _data, ...empty } = webhookEvent('e0', 'webhook', 'order', {});
    void _data;
    const decision = await evaluateSensor(sensor, [
      { ...empty, datacontenttype: 'application/json' },
    ]);
    const byName = new Map(decision.dependencies.map((d) => [d.name, d]));
    for (const name of ['str-miss', 'path-missing', 'expr-false', 'script-false'])
      expect(byName.get(name)?.matched).toBe(true);
  });

  it('fails a payload that is not JSON with Argo’s error', async () => {
    const event = {
      ...webhookEvent('x', 'webhook', 'order', {}),
      data: undefined,
      data_base64: Buffer.from('not json').toString('base64'),
    };
    const decision = await evaluateSensor(sensor, [event]);
    expect(decision.dependencies.find((d) => d.name === 'str-eq')?.reason).toBe(
      'data filter error (event data not valid JSON)',
    );
  });

  it('keeps a filter’s reason over a later event of another source', async () => {
    const decision = await evaluateSensor(sensor, [
      eventFixture('order-event.json'),
      webhookEvent('other', 'elsewhere', 'order', {}),
    ]);
    expect(decision.dependencies.find((d) => d.name === 'num-lt')?.reason).toBe(expected['num-lt']);
  });
});
