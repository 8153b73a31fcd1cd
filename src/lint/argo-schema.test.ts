import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parseManifests } from '../catalog/index.js';
import { createLinter } from './index.js';
import {
  compileTables,
  eventFieldTables,
  plinthExtensions,
  plinthExtensionTypes,
  workflowFieldTables,
  type CompiledTables,
  type FieldShape,
} from './tables/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const schemas = path.resolve(root, '../shared/argo');
// On CI the schemas must be there: a silent skip would let lint drift from Argo.
const run = existsSync(schemas) || process.env.CI === 'true' ? describe : describe.skip;

interface Schema {
  $ref?: string;
  type?: string | string[];
  items?: Schema;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
}
type Definitions = Record<string, Schema>;

const readDefinitions = (file: string): Definitions =>
  (JSON.parse(readFileSync(path.join(schemas, file), 'utf8')) as { definitions: Definitions })
    .definitions;

/** Kubernetes types whose fields lint lists; every other Kubernetes type is opaque to it. */
const kubernetesTypes: Record<string, string> = {
  'io.k8s.api.core.v1.Container': 'Container',
  'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta': 'ObjectMeta',
  'io.k8s.api.core.v1.EnvVar': 'EnvVar',
};

/** Argo's schema side by side with lint's tables, for one group of kinds. */
interface Side {
  defs: Definitions;
  prefix: string;
  tables: CompiledTables;
}

/** What a schema node holds, in the tables' terms: a type name, a list or map of one, or opaque. */
function schemaShape(side: Side, s: Schema): FieldShape {
  if (s.$ref) {
    const full = s.$ref.split('/').pop() ?? '';
    const def = side.defs[full] ?? {};
    if (def.type === 'array' && def.items) return listOf(schemaShape(side, def.items));
    if (full.startsWith('io.k8s') && !(full in kubernetesTypes)) return { kind: 'leaf' };
    if (!def.properties) return { kind: 'leaf' };
    return { kind: 'object', type: kubernetesTypes[full] ?? full.slice(side.prefix.length) };
  }
  if (s.type === 'array' && s.items) return listOf(schemaShape(side, s.items));
  if (typeof s.additionalProperties === 'object') {
    const inner = schemaShape(side, s.additionalProperties);
    return inner.kind === 'leaf' ? inner : { kind: 'map', of: inner };
  }
  return { kind: 'leaf' };
}

function listOf(inner: FieldShape): FieldShape {
  return inner.kind === 'leaf' ? inner : { kind: 'list', of: inner };
}

function definitionOf(side: Side, type: string): Schema | undefined {
  const full = Object.entries(kubernetesTypes).find(([, short]) => short === type)?.[0];
  return side.defs[`${side.prefix}${type}`] ?? side.defs[full ?? ''];
}

/**
 * Walks every type reachable from `type` in Argo's schema and in lint's
 * tables at once, collecting each difference as `Type.field: what`.
 */
function differences(side: Side, type: string, seen = new Set<string>()): string[] {
  if (seen.has(type)) return [];
  seen.add(type);
  const def = definitionOf(side, type);
  const fields = side.tables.get(type);
  if (!def) return [`${type}: not in Argo's schema`];
  if (!fields) return [`${type}: not in lint's tables`];
  const found: string[] = [];
  const argo = Object.keys(def.properties ?? {});
  for (const name of argo) {
    if (!fields.has(name)) found.push(`${type}.${name}: Argo has it, lint does not`);
  }
  for (const name of fields.keys()) {
    if (!argo.includes(name) && !(`${type}.${name}` in plinthExtensions)) {
      found.push(`${type}.${name}: lint has it, Argo does not`);
    }
  }
  for (const [name, s] of Object.entries(def.properties ?? {})) {
    const ours = fields.get(name);
    // A resource's status is Argo's to write: lint does not look into it.
    if (!ours || name === 'status') continue;
    const theirs = schemaShape(side, s);
    if (JSON.stringify(theirs) !== JSON.stringify(ours)) {
      found.push(`${type}.${name}: Argo ${JSON.stringify(theirs)}, lint ${JSON.stringify(ours)}`);
      continue;
    }
    let inner: FieldShape = theirs;
    while (inner.kind === 'list' || inner.kind === 'map') inner = inner.of;
    if (inner.kind === 'object') found.push(...differences(side, inner.type, seen));
  }
  return found;
}

/**
 * Where the published schemas say less or more than Argo accepts: Kubernetes
 * reads an IntOrString as either (Argo's examples write `limit: 10`), and a
 * webhook's `url` is required only because its Go field lacks omitempty
 * (Argo Events' own webhook examples leave it out).
 */
const schemaFixes: Record<string, (def: Schema & { required?: string[] }) => Schema> = {
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': () => ({ type: ['integer', 'string'] }),
  'io.argoproj.events.v1alpha1.WebhookContext': withoutUrl,
  'io.argoproj.events.v1alpha1.WebhookEventSource': withoutUrl,
};

function withoutUrl(def: Schema & { required?: string[] }): Schema {
  return { ...def, required: (def.required ?? []).filter((r) => r !== 'url') } as Schema;
}

/**
 * Adds to `ajv`, once, the definitions that `roots` reach (not the whole
 * schema), under `id`; a kind's validator is then `id#/definitions/<kind>`.
 */
function addReachable(ajv: Ajv, id: string, defs: Definitions, roots: string[]): void {
  const needed: Definitions = {};
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (typeof value !== 'object' || value === null) return;
    for (const [key, inner] of Object.entries(value)) {
      if (key === '$ref' && typeof inner === 'string') {
        const name = inner.split('/').pop() ?? '';
        if (!(name in needed) && defs[name]) {
          needed[name] = defs[name];
          visit(defs[name]);
        }
      } else visit(inner);
    }
  };
  for (const root of roots) visit({ $ref: `#/definitions/${root}` });
  for (const [name, fix] of Object.entries(schemaFixes)) {
    const def = needed[name];
    if (def) needed[name] = fix(def);
  }
  ajv.addSchema({ $id: id, definitions: needed });
}

run("lint and Argo's published schemas", () => {
  const workflows: Side = {
    defs: readDefinitions('argo-workflows.schema.json'),
    prefix: 'io.argoproj.workflow.v1alpha1.',
    tables: compileTables(workflowFieldTables),
  };
  const events: Side = {
    defs: readDefinitions('argo-events.schema.json'),
    prefix: 'io.argoproj.events.v1alpha1.',
    tables: compileTables(eventFieldTables),
  };
  const kinds: [Side, string[]][] = [
    [
      workflows,
      [
        'Workflow',
        'WorkflowTemplate',
        'ClusterWorkflowTemplate',
        'CronWorkflow',
        'WorkflowEventBinding',
      ],
    ],
    [events, ['EventSource', 'Sensor', 'EventBus']],
  ];

  for (const [side, roots] of kinds) {
    for (const kind of roots) {
      it(`${kind}: lint knows every field Argo defines, and no other`, () => {
        expect(differences(side, kind)).toEqual([]);
      });
    }
  }

  it('documents each Plinth extension, on a type lint knows', () => {
    for (const field of Object.keys(plinthExtensions)) {
      const [type = '', name = ''] = field.split('.');
      expect(workflows.tables.get(type)?.has(name) ?? events.tables.get(type)?.has(name)).toBe(
        true,
      );
    }
    for (const type of plinthExtensionTypes) {
      expect(definitionOf(workflows, type) ?? definitionOf(events, type)).toBeUndefined();
    }
  });

  it("passes the shipped catalog's manifests and lint's valid fixtures through Argo's schema", async () => {
    const ajv = new Ajv({
      strict: false,
      validateFormats: false,
      allErrors: true,
      inlineRefs: false,
      code: { optimize: false },
    });
    for (const [side, roots] of kinds) {
      addReachable(
        ajv,
        side.prefix,
        side.defs,
        roots.map((r) => `${side.prefix}${r}`),
      );
    }
    const validate = (kind: string): ValidateFunction | undefined => {
      const side = kinds.find(([, roots]) => roots.includes(kind))?.[0];
      return side && ajv.getSchema(`${side.prefix}#/definitions/${side.prefix}${kind}`);
    };
    const valid = [
      path.join(root, 'catalog'),
      'testdata/fields/good.yaml',
      'testdata/refs/good',
      'testdata/security/good.yaml',
      'testdata/checks/workflow-good.yaml',
      'testdata/checks/sensor-good.yaml',
    ];
    const linter = createLinter({ cwd: here });
    const files: string[] = [];
    for (const set of valid) {
      const report = await linter.lintPaths([set]);
      expect(report.errors, set).toBe(0);
      files.push(...report.files);
    }
    const problems: string[] = [];
    let checked = 0;
    for (const file of files) {
      const text = readFileSync(path.resolve(here, file), 'utf8');
      for (const doc of parseManifests(text, file)) {
        const kind = (doc.object as { kind?: unknown }).kind;
        const v = typeof kind === 'string' ? validate(kind) : undefined;
        if (!v) continue;
        checked++;
        if (!v(doc.object)) {
          for (const e of v.errors ?? []) problems.push(`${file}: ${e.instancePath} ${e.message}`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(20);
    // The validators do refuse what Argo refuses.
    const broken = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Workflow',
      spec: { templates: {} },
    };
    expect(validate('Workflow')?.(broken)).toBe(false);
  });
});
