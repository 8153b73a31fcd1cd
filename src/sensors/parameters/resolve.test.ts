import { describe, it, expect } from 'vitest';
import type { CloudEventJson } from '../../eventbus/index.js';
import { toSensorEvent, type SensorEvent } from '../events.js';
import { applyParams, constructPayload, resolveParamValue } from './resolve.js';

const payload = {
  header: { 'X-Id': ['abc'] },
  body: {
    name: 'shop',
    count: 3,
    ratio: 1.5,
    ok: true,
    gone: null,
    tags: ['a', 'b'],
    owner: { team: 'x' },
  },
};

function event(overrides: Partial<CloudEventJson> = {}): SensorEvent {
  return toSensorEvent({
    specversion: '1.0',
    id: 'e1',
    source: 'webhook',
    subject: 'apps',
    type: 'webhook',
    time: '2024-06-01T10:00:00.500Z',
    datacontenttype: 'application/json',
    data_base64: Buffer.from(JSON.stringify(payload)).toString('base64'),
    ...overrides,
  });
}

const events = new Map([['dep', event()]]);

describe('resolveParamValue', () => {
  it.each([
    ['body.name', 'shop', 'String'],
    ['body.count', '3', 'Number'],
    ['body.ratio', '1.5', 'Number'],
    ['body.ok', 'true', 'True'],
    ['body.gone', 'null', 'Null'],
    ['body.tags', '["a","b"]', 'JSON'],
    ['body.owner', '{"team":"x"}', 'JSON'],
    ['header.X-Id.0', 'abc', 'String'],
    ['body.tags.#', '2', 'Number'],
  ])('dataKey %s is %s (%s)', (dataKey, value, type) => {
    expect(resolveParamValue({ dependencyName: 'dep', dataKey }, events)).toEqual({ value, type });
  });

  it('uses value only when the key is absent', () => {
    expect(
      resolveParamValue({ dependencyName: 'dep', dataKey: 'body.name', value: 'd' }, events)?.value,
    ).toBe('shop');
    expect(
      resolveParamValue({ dependencyName: 'dep', dataKey: 'body.nope', value: 'd' }, events),
    ).toEqual({
      value: 'd',
      type: 'String',
    });
  });

  it('throws when the key is absent and there is no value', () => {
    expect(() =>
      resolveParamValue({ dependencyName: 'dep', dataKey: 'body.nope' }, events),
    ).toThrow(/dataKey "body.nope" is not in event e1/);
  });

  it('skips a dependency without an event unless there is a value', () => {
    expect(
      resolveParamValue({ dependencyName: 'other', dataKey: 'body.name' }, events),
    ).toBeUndefined();
    expect(
      resolveParamValue({ dependencyName: 'other', dataKey: 'body.name', value: 'v' }, events)
        ?.value,
    ).toBe('v');
  });

  it('reads the context by contextKey, times in whole seconds', () => {
    expect(resolveParamValue({ dependencyName: 'dep', contextKey: 'subject' }, events)?.value).toBe(
      'apps',
    );
    expect(resolveParamValue({ dependencyName: 'dep', contextKey: 'time' }, events)?.value).toBe(
      '2024-06-01T10:00:00Z',
    );
  });

  it('gives the whole event, payload base64, when no key is named', () => {
    const whole = JSON.parse(resolveParamValue({ dependencyName: 'dep' }, events)?.value ?? '') as {
      context: Record<string, string>;
      data: string;
    };
    expect(Object.keys(whole.context)).toEqual([
      'id',
      'source',
      'specversion',
      'type',
      'datacontenttype',
      'subject',
      'time',
    ]);
    expect(JSON.parse(Buffer.from(whole.data, 'base64').toString())).toEqual(payload);
    expect(resolveParamValue({ dependencyName: 'dep', value: 'fixed' }, events)?.value).toBe(
      'fixed',
    );
  });

  it('reads YAML payloads, and falls back to value when the payload cannot be read by key', () => {
    const yaml = new Map([
      [
        'dep',
        event({
          datacontenttype: 'application/yaml',
          data_base64: Buffer.from('a:\n  b: 1\n').toString('base64'),
        }),
      ],
    ]);
    expect(resolveParamValue({ dependencyName: 'dep', dataKey: 'a.b' }, yaml)?.value).toBe('1');
    const text = new Map([
      [
        'dep',
        event({ datacontenttype: 'text/plain', data_base64: Buffer.from('hi').toString('base64') }),
      ],
    ]);
    expect(
      resolveParamValue({ dependencyName: 'dep', dataKey: 'a', value: 'v' }, text)?.value,
    ).toBe('v');
    expect(() => resolveParamValue({ dependencyName: 'dep', dataKey: 'a' }, text)).toThrow(
      /unsupported content type "text\/plain"/,
    );
  });
});

describe('applyParams', () => {
  const doc = {
    spec: { arguments: { parameters: [{ name: 'a', value: 'x' }] } },
    metadata: { generateName: 'wf-' },
  };

  it('sets every value as a string unless useRawData, as Argo does', () => {
    const out = applyParams(
      doc,
      [
        { src: { dependencyName: 'dep', dataKey: 'body.count' }, dest: 'spec.s1' },
        {
          src: { dependencyName: 'dep', dataKey: 'body.count', useRawData: true },
          dest: 'spec.r1',
        },
        { src: { dependencyName: 'dep', dataKey: 'body.owner' }, dest: 'spec.s2' },
        {
          src: { dependencyName: 'dep', dataKey: 'body.owner', useRawData: true },
          dest: 'spec.r2',
        },
        { src: { dependencyName: 'dep', dataKey: 'body.name', useRawData: true }, dest: 'spec.r3' },
        { src: { dependencyName: 'dep', dataKey: 'body.gone', useRawData: true }, dest: 'spec.r4' },
        { src: { dependencyName: 'dep', dataKey: 'body.ok' }, dest: 'spec.s3' },
      ],
      events,
    );
    expect(out).toMatchObject({
      spec: {
        s1: '3',
        r1: 3,
        s2: '{"team":"x"}',
        r2: { team: 'x' },
        r3: 'shop',
        r4: null,
        s3: 'true',
      },
    });
  });

  it('appends and prepends to the text at dest, or sets it when there is none', () => {
    const out = applyParams(
      doc,
      [
        {
          src: { dependencyName: 'dep', dataKey: 'body.name' },
          dest: 'metadata.generateName',
          operation: 'append',
        },
        {
          src: { dependencyName: 'dep', dataKey: 'body.name' },
          dest: 'spec.arguments.parameters.0.value',
          operation: 'prepend',
        },
        {
          src: { dependencyName: 'dep', dataKey: 'body.count', useRawData: true },
          dest: 'spec.n',
          operation: 'append',
        },
        {
          src: { dependencyName: 'dep', dataKey: 'body.name' },
          dest: 'metadata.name',
          operation: 'overwrite',
        },
      ],
      events,
    );
    expect(out).toMatchObject({
      metadata: { generateName: 'wf-shop', name: 'shop' },
      spec: { arguments: { parameters: [{ name: 'a', value: 'shopx' }] }, n: 3 },
    });
    expect(doc.metadata.generateName).toBe('wf-');
  });

  it('leaves dest alone for a dependency without an event and no value', () => {
    expect(
      applyParams(
        doc,
        [{ src: { dependencyName: 'none', dataKey: 'x' }, dest: 'metadata.generateName' }],
        events,
      ),
    ).toEqual(doc);
  });
});

describe('templates and precedence, as Argo resolves them', () => {
  it('renders dataTemplate against .Input (the payload), numbers as Go prints float64', () => {
    const r = (dataTemplate: string, extra: Record<string, unknown> = {}) =>
      resolveParamValue({ dependencyName: 'dep', dataTemplate, ...extra }, events);
    expect(r('{{ .Input.body.name | upper }}-{{ .Input.body.count }}')).toEqual({
      value: 'SHOP-3',
      type: 'String',
    });
    expect(r('{{ index .Input.header "X-Id" 0 }}')?.value).toBe('abc');
    expect(r('{{ .Input.body.tags }}')?.value).toBe('[a b]');
    expect(r('{{ toJson .Input.body.owner }}')?.value).toBe('{"team":"x"}');
  });

  it('renders contextTemplate against the event context', () => {
    expect(
      resolveParamValue(
        { dependencyName: 'dep', contextTemplate: '{{ .Input.source }}/{{ .Input.subject }}' },
        events,
      )?.value,
    ).toBe('webhook/apps');
  });

  it('falls back from a failing or empty template to dataKey, then value', () => {
    const src = { dependencyName: 'dep', dataKey: 'body.name' };
    expect(resolveParamValue({ ...src, dataTemplate: '{{ .Input.body.nope }}' }, events)).toEqual({
      value: 'shop',
      type: 'String',
    });
    expect(
      resolveParamValue({ ...src, dataTemplate: '{{ if false }}x{{ end }}' }, events)?.value,
    ).toBe('shop');
    expect(
      resolveParamValue({ ...src, dataTemplate: '{{ upper .Input.body.count }}' }, events)?.value,
    ).toBe('shop');
    expect(
      resolveParamValue(
        { dependencyName: 'dep', dataTemplate: '{{ .Input.body.nope }}', value: 'dflt' },
        events,
      )?.value,
    ).toBe('dflt');
    expect(() =>
      resolveParamValue({ dependencyName: 'dep', dataTemplate: '{{ .Input.body.nope }}' }, events),
    ).toThrow(/dataTemplate did not resolve .*template evaluated to empty string or no value/);
  });

  it('prefers the template over the key when both resolve', () => {
    expect(
      resolveParamValue(
        { dependencyName: 'dep', dataKey: 'body.name', dataTemplate: 'T-{{ .Input.body.count }}' },
        events,
      )?.value,
    ).toBe('T-3');
  });

  it('lets the data side replace the context side when both are given', () => {
    expect(
      resolveParamValue(
        { dependencyName: 'dep', contextKey: 'subject', dataKey: 'body.name' },
        events,
      )?.value,
    ).toBe('shop');
    // Argo takes the data side whole: its (absent) dataKey replaces contextKey.
    expect(() =>
      resolveParamValue(
        { dependencyName: 'dep', contextKey: 'subject', dataTemplate: '{{ .Input.body.nope }}' },
        events,
      ),
    ).toThrow(/dataTemplate/);
  });
});

describe('constructPayload (http trigger bodies)', () => {
  it('builds a JSON object from dest paths, raw JSON with useRawData', () => {
    const body = constructPayload(
      [
        { src: { dependencyName: 'dep', dataKey: 'body.name' }, dest: 'app.name' },
        { src: { dependencyName: 'dep', dataKey: 'body.count', useRawData: true }, dest: 'n' },
        { src: { dependencyName: 'dep', dataKey: 'body.count' }, dest: 's' },
        { src: { dependencyName: 'dep', dataKey: 'body.tags', useRawData: true }, dest: 'tags' },
        { src: { dependencyName: 'none', dataKey: 'x' }, dest: 'skipped' },
      ],
      events,
    );
    expect(JSON.parse(body ?? '')).toEqual({
      app: { name: 'shop' },
      n: 3,
      s: '3',
      tags: ['a', 'b'],
    });
  });

  it('sends one value as the whole body when dest is empty, and nothing without parameters', () => {
    expect(
      constructPayload(
        [{ src: { dependencyName: 'dep', dataKey: 'body.owner' }, dest: '' }],
        events,
      ),
    ).toBe('{"team":"x"}');
    expect(constructPayload([], events)).toBeUndefined();
  });
});
