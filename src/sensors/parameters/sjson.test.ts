import { describe, it, expect } from 'vitest';
import { sjsonSet, type JsonValue } from './sjson.js';

const parse = (s: string): JsonValue => JSON.parse(s) as JsonValue;

describe('sjsonSet', () => {
  it.each([
    // sjson's documented examples
    [
      '{"name":{"first":"Janet","last":"Prichard"},"age":47}',
      'name.last',
      'Anderson',
      '{"name":{"first":"Janet","last":"Anderson"},"age":47}',
    ],
    ['', 'name', 'Tom', '{"name":"Tom"}'],
    ['', 'name.last', 'Anderson', '{"name":{"last":"Anderson"}}'],
    ['{"name":{"last":"Anderson"}}', 'name.last', 'Smith', '{"name":{"last":"Smith"}}'],
    ['{"friends":["Andy","Carol"]}', 'friends.2', 'Sara', '{"friends":["Andy","Carol","Sara"]}'],
    ['{"friends":["Andy","Carol"]}', 'friends.-1', 'Sara', '{"friends":["Andy","Carol","Sara"]}'],
    [
      '{"friends":["Andy","Carol"]}',
      'friends.4',
      'Sara',
      '{"friends":["Andy","Carol",null,null,"Sara"]}',
    ],
    ['{"friends":["Andy","Carol"]}', 'friends.1', 'Sara', '{"friends":["Andy","Sara"]}'],
    [
      '{"users":{"2313":{"name":"Sara"}}}',
      'users.:2313.name',
      'Ann',
      '{"users":{"2313":{"name":"Ann"}}}',
    ],
    ['{"fav.movie":"x"}', 'fav\\.movie', 'Deer Hunter', '{"fav.movie":"Deer Hunter"}'],
  ])('set(%s, %s, %s)', (doc, path, value, want) => {
    expect(sjsonSet(doc === '' ? undefined : parse(doc), path, value)).toEqual(parse(want));
  });

  it('adds a new key at the end of an object', () => {
    const got = sjsonSet(parse('{"name":{"last":"Anderson"}}'), 'name.first', 'Sara');
    expect(JSON.stringify(got)).toBe('{"name":{"last":"Anderson","first":"Sara"}}');
  });

  it('creates arrays for numeric keys and objects otherwise, as sjson builds missing paths', () => {
    expect(sjsonSet({}, 'a.2.b', 'x')).toEqual({ a: [null, null, { b: 'x' }] });
    expect(sjsonSet({}, 'a.-1', 'x')).toEqual({ a: ['x'] });
    expect(sjsonSet({}, 'a.:2', 'x')).toEqual({ a: { '2': 'x' } });
    expect(sjsonSet({ a: {} }, 'a.0', 'x')).toEqual({ a: { '0': 'x' } });
  });

  it('writes a label whose key has escaped dots', () => {
    const wf = { metadata: { generateName: 'x-' } } as JsonValue;
    expect(sjsonSet(wf, 'metadata.labels.plinth\\.dev/request-id', 'r1')).toEqual({
      metadata: { generateName: 'x-', labels: { 'plinth.dev/request-id': 'r1' } },
    });
  });

  it('replaces a scalar standing in the way with a container', () => {
    expect(sjsonSet({ a: 'text' }, 'a.b', 1)).toEqual({ a: { b: 1 } });
  });

  it('sets any JSON value, and leaves its input unchanged', () => {
    const doc = { a: 1 } as JsonValue;
    expect(sjsonSet(doc, 'a', { b: [1, true, null] })).toEqual({ a: { b: [1, true, null] } });
    expect(doc).toEqual({ a: 1 });
  });

  it('refuses a non-numeric key into an array, an empty path and complex paths', () => {
    expect(() => sjsonSet({ a: [1] }, 'a.b', 1)).toThrow(/non-numeric key "b"/);
    expect(() => sjsonSet({}, '', 1)).toThrow(/empty/);
    expect(() => sjsonSet({}, 'a.#', 1)).toThrow(/not supported/);
    expect(() => sjsonSet({}, 'a*', 1)).toThrow(/not supported/);
  });
});
