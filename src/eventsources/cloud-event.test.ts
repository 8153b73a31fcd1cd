import { CloudEvent } from 'cloudevents';
import { describe, expect, it } from 'vitest';
import {
  compactJson,
  goJsonOfMap,
  goStringMap,
  goTimestamp,
  payloadOf,
  sourceCloudEvent,
} from './cloud-event.js';

describe('the CloudEvent an EventSource puts on the bus', () => {
  it('is a valid CloudEvent 1.0 by the SDK, with Argo’s id, attributes and data_base64', () => {
    const event = sourceCloudEvent(
      'webhook',
      'webhook',
      'environments',
      { a: 1 },
      Date.UTC(2026, 0, 2, 3, 4, 5, 60),
    );
    expect(() => new CloudEvent(event, true)).not.toThrow();
    expect(event).toEqual({
      specversion: '1.0',
      id: expect.stringMatching(/^[0-9a-f]{32}$/) as unknown,
      source: 'webhook',
      type: 'webhook',
      subject: 'environments',
      datacontenttype: 'application/json',
      time: '2026-01-02T03:04:05.06Z',
      data_base64: Buffer.from('{"a":1}').toString('base64'),
    });
    expect(payloadOf(event)).toEqual({ a: 1 });
  });

  it('writes times as Go’s RFC3339Nano: no trailing zeros in the fraction, none at all when whole', () => {
    expect(goTimestamp(Date.UTC(2026, 0, 2, 3, 4, 5, 0))).toBe('2026-01-02T03:04:05Z');
    expect(goTimestamp(Date.UTC(2026, 0, 2, 3, 4, 5, 100))).toBe('2026-01-02T03:04:05.1Z');
    expect(goTimestamp(Date.UTC(2026, 0, 2, 3, 4, 5, 123))).toBe('2026-01-02T03:04:05.123Z');
  });

  it('compacts raw JSON as Go marshals a json.RawMessage: whitespace out, strings and numbers as sent', () => {
    expect(compactJson('{ "a" : [1.50, 2e3] ,\n "s": "x  y\\" } <b>&" }')).toBe(
      '{"a":[1.50,2e3],"s":"x  y\\" } \\u003cb\\u003e\\u0026"}',
    );
    expect(compactJson('"line\\u2028"')).toBe('"line\\u2028"');
    expect(compactJson('"\u2028"')).toBe('"\\u2028"');
  });

  it('writes Go maps with sorted keys, and leaves an empty omitempty map out', () => {
    expect(goJsonOfMap({ b: 1, a: { d: [{ z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[{"y":2,"z":1}]},"b":1}',
    );
    expect(goStringMap({ z: '1', a: '2' })).toEqual({ a: '2', z: '1' });
    expect(Object.keys(goStringMap({ z: '1', a: '2' }) ?? {})).toEqual(['a', 'z']);
    expect(goStringMap({})).toBeUndefined();
    expect(goStringMap(undefined)).toBeUndefined();
  });
});
