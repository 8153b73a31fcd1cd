import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it, expect } from 'vitest';
import {
  compileTables,
  eventFieldTables,
  plinthExtensions,
  plinthExtensionTypes,
  workflowFieldTables,
  type FieldTables,
} from './index.js';

const schemas = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../../shared/argo',
);
const present = existsSync(schemas);
// On CI the schemas must be there: a silent skip would let the tables drift.
const run = present || process.env.CI === 'true' ? describe : describe.skip;

interface Schema {
  $ref?: string;
  type?: string;
  items?: Schema;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
}

/** The Kubernetes types whose fields the tables list; other Kubernetes types are opaque. */
const kubernetes: Record<string, string> = {
  'io.k8s.api.core.v1.Container': 'Container',
  'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta': 'ObjectMeta',
  'io.k8s.api.core.v1.EnvVar': 'EnvVar',
};

/** The table entries that Argo's published schema implies, in the tables' notation. */
function expectedTables(file: string, prefix: string, tables: FieldTables): Map<string, string[]> {
  const defs = (
    JSON.parse(readFileSync(path.join(schemas, file), 'utf8')) as {
      definitions: Record<string, Schema>;
    }
  ).definitions;
  const shape = (s: Schema): string => {
    if (s.$ref) {
      const full = s.$ref.split('/').pop() ?? '';
      const def = defs[full] ?? {};
      if (full.startsWith('io.k8s') && !(full in kubernetes)) return '';
      if (def.type === 'array' && def.items) return list(shape(def.items));
      if (!def.properties) return '';
      return kubernetes[full] ?? full.slice(prefix.length);
    }
    if (s.type === 'array' && s.items) return list(shape(s.items));
    if (typeof s.additionalProperties === 'object') {
      const inner = shape(s.additionalProperties);
      return inner ? `{}${inner}` : '';
    }
    return '';
  };
  const list = (inner: string) => (inner ? `[]${inner}` : '');
  const byShort = new Map(Object.entries(kubernetes).map(([full, short]) => [short, full]));
  const expected = new Map<string, string[]>();
  for (const type of Object.keys(tables)) {
    const def = defs[`${prefix}${type}`] ?? defs[byShort.get(type) ?? ''];
    const fields = Object.entries(def?.properties ?? {}).map(([name, s]) => {
      // A resource's status is written by Argo, not by users: the tables do not look into it.
      const sh = name === 'status' && resources.has(type) ? '' : shape(s);
      return sh ? `${name}:${sh}` : name;
    });
    expected.set(type, fields.sort());
  }
  return expected;
}

const resources = new Set(['Workflow', 'CronWorkflow', 'EventBus', 'EventSource', 'Sensor']);

const entries = (text: string) => text.split(/\s+/).filter(Boolean).sort();

run("field tables follow Argo's published schemas", () => {
  for (const [name, file, prefix, tables] of [
    [
      'workflows',
      'argo-workflows.schema.json',
      'io.argoproj.workflow.v1alpha1.',
      workflowFieldTables,
    ],
    ['events', 'argo-events.schema.json', 'io.argoproj.events.v1alpha1.', eventFieldTables],
  ] as const) {
    it(`${name}: every type has exactly the schema's fields and shapes`, () => {
      const expected = expectedTables(file, prefix, tables);
      for (const [type, text] of Object.entries(tables)) {
        if (plinthExtensionTypes.includes(type)) continue;
        const argo = entries(text).filter(
          (e) => !(`${type}.${e.split(':')[0]}` in plinthExtensions),
        );
        expect(argo, type).toEqual(expected.get(type));
      }
    });
  }
});

describe('field tables', () => {
  it('name only types they define', () => {
    expect(compileTables(workflowFieldTables).get('Template')?.get('steps')).toEqual({
      kind: 'list',
      of: { kind: 'list', of: { kind: 'object', type: 'WorkflowStep' } },
    });
    expect(compileTables(eventFieldTables).get('EventSourceSpec')?.get('webhook')).toEqual({
      kind: 'map',
      of: { kind: 'object', type: 'WebhookEventSource' },
    });
    expect(() => compileTables({ A: 'b:Missing' })).toThrow(/A\.b names the unknown type Missing/);
  });
});
