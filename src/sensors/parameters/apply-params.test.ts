import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { TriggerParameter } from '../types.js';
import { toSensorEvent } from '../events.js';
import { applyParams } from './resolve.js';
import type { JsonValue } from './sjson.js';

interface Case {
  name: string;
  resource: JsonValue;
  params: (Omit<TriggerParameter, 'src'> & {
    src: Omit<NonNullable<TriggerParameter['src']>, 'dependencyName'>;
  })[];
  want: JsonValue;
}

const table = parse(
  readFileSync(new URL('./testdata/apply-params.yaml', import.meta.url), 'utf8'),
) as { payload: string; cases: Case[] };

const events = new Map([
  [
    'dep',
    toSensorEvent({
      specversion: '1.0',
      id: 'p1',
      source: 'hooks',
      subject: 'people',
      type: 'webhook',
      time: '2024-06-01T10:00:00Z',
      datacontenttype: 'application/json',
      data_base64: Buffer.from(table.payload).toString('base64'),
    }),
  ],
]);

describe('trigger parameters applied to a resource', () => {
  it.each(table.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const params = c.params.map((p) => ({ ...p, src: { ...p.src, dependencyName: 'dep' } }));
    expect(applyParams(c.resource, params as TriggerParameter[], events)).toEqual(c.want);
  });
});
