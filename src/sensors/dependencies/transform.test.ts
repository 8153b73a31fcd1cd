import { describe, expect, it } from 'vitest';
import { evaluateSensor } from '../evaluate.js';
import { parseSensor } from '../parse.js';
import { fixture, webhookEvent } from '../testing/fixtures.js';
import { createScriptRunner } from './filters/script.js';
import { createJqRunner } from './jq.js';
import { transformEvent } from './transform.js';

const tools = { scripts: createScriptRunner(), jq: createJqRunner() };

function payloadEvent(data: unknown) {
  return { ...webhookEvent('e1', 'webhook', 'orders', null), data };
}

describe('dependency transforms', () => {
  it('applies jq to the payload and keeps its first output (Argo: .a += 1 | .b *= 2)', async () => {
    const out = await transformEvent(
      { jq: '.a += 1 | .b *= 2' },
      payloadEvent({ a: 1, b: '2' }),
      tools,
    );
    expect(out.data).toEqual({ a: 2, b: '22' });
    expect(out.datacontenttype).toBe('application/json');
    expect(out.id).toBe('e1');
  });

  it('reads a payload given as data_base64 and writes the result as data', async () => {
    const { data: _data, ...event } = payloadEvent(null);
    const out = await transformEvent(
      { jq: '{n: .n}' },
      { ...event, data_base64: Buffer.from('{"n":3,"x":1}').toString('base64') },
      tools,
    );
    expect(out.data).toEqual({ n: 3 });
    expect(out.data_base64).toBeUndefined();
  });

  it('refuses a jq result that is not an object, and a jq program that fails', async () => {
    await expect(transformEvent({ jq: '.a' }, payloadEvent({ a: 1 }), tools)).rejects.toThrow(
      'the output must be a JSON object',
    );
    await expect(transformEvent({ jq: '.a.b' }, payloadEvent({ a: 1 }), tools)).rejects.toThrow(
      'Cannot index number',
    );
    await expect(transformEvent({ jq: '.a | (' }, payloadEvent({ a: 1 }), tools)).rejects.toThrow(
      'transform (jq)',
    );
  });

  it('runs a Lua script on the payload table (Argo: event.c.d[1]=4)', async () => {
    const out = await transformEvent(
      { script: 'event.c.d[1]=4\nreturn event' },
      payloadEvent({ a: 1, b: '2', c: { d: [3] } }),
      tools,
    );
    expect(out.data).toEqual({ a: 1, b: '2', c: { d: [4] } });
  });

  it('writes an empty table flagged __is_array as [] and other empty tables as {}', async () => {
    const out = await transformEvent(
      { script: 'event.env = setmetatable({}, { __is_array = true })\nevent.m = {}\nreturn event' },
      payloadEvent({ env: 123 }),
      tools,
    );
    expect(out.data).toEqual({ env: [], m: {} });
  });

  it('refuses a script that does not return a table, naming the script line of an error', async () => {
    await expect(
      transformEvent({ script: 'return "hello"' }, payloadEvent({ a: 1 }), tools),
    ).rejects.toThrow('the script must return a table');
    await expect(
      transformEvent({ script: 'local x = 1\nerror("boom")' }, payloadEvent({ a: 1 }), tools),
    ).rejects.toThrow(/line 2: boom/);
  });

  it('leaves an event without a payload as it is and refuses a payload that is not an object', async () => {
    const { data: _data, ...empty } = payloadEvent(null);
    expect(await transformEvent({ jq: '.' }, empty, tools)).toBe(empty);
    await expect(transformEvent({ jq: '.' }, payloadEvent([1]), tools)).rejects.toThrow(
      'must be a JSON object',
    );
  });

  it('transforms before the filters, and parameters read the transformed payload', async () => {
    const sensor = parseSensor(fixture('transform-sensor.yaml'));
    const low = await evaluateSensor(sensor, [
      webhookEvent('o1', 'webhook', 'orders', { item: 'pen', count: 1 }),
    ]);
    expect(low.dependencies.find((d) => d.name === 'shouted')).toMatchObject({ matched: false });
    const decision = await evaluateSensor(sensor, [
      webhookEvent('o2', 'webhook', 'orders', { item: 'pen', count: 2 }),
      webhookEvent('t1', 'webhook', 'tags', { tags: ['old', 'second'] }),
    ]);
    expect(decision.dependencies.map((d) => d.matched)).toEqual([true, true]);
    const order = decision.triggers.find((t) => t.name === 'order');
    expect(JSON.parse(JSON.stringify(order?.resource))).toContain('"item":"PEN"');
    const tags = decision.triggers.find((t) => t.name === 'tags');
    const parameters = (tags?.resource as { spec: { arguments: { parameters: unknown[] } } }).spec
      .arguments.parameters;
    expect(parameters).toEqual([
      { name: 'tags', value: '["first","second"]' },
      { name: 'none', value: '[]' },
    ]);
  });

  it('a failing transform is the reason the dependency did not match', async () => {
    const sensor = parseSensor(fixture('transform-sensor.yaml'));
    const decision = await evaluateSensor(sensor, [
      webhookEvent('o1', 'webhook', 'orders', { item: 7, count: 1 }),
    ]);
    expect(decision.dependencies[0]?.reason).toMatch(
      /^transform \(jq\): explode input must be a string/,
    );
  });
});
