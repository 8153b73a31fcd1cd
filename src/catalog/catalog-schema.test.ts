import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from './load.js';
import type { Manifest } from './types.js';

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
const catalogDir = path.join(projectRoot, 'catalog');
const schemaDir = path.resolve(projectRoot, '../shared/argo');
const available = existsSync(path.join(schemaDir, 'argo-workflows.schema.json'));
const inCI = process.env.CI === 'true';

const DEFINITIONS: Record<string, [schema: 'workflows' | 'events', definition: string]> = {
  Workflow: ['workflows', 'io.argoproj.workflow.v1alpha1.Workflow'],
  WorkflowTemplate: ['workflows', 'io.argoproj.workflow.v1alpha1.WorkflowTemplate'],
  EventBus: ['events', 'io.argoproj.events.v1alpha1.EventBus'],
  EventSource: ['events', 'io.argoproj.events.v1alpha1.EventSource'],
  Sensor: ['events', 'io.argoproj.events.v1alpha1.Sensor'],
};

function loadSchema(name: string): Record<string, unknown> {
  const schema = JSON.parse(
    readFileSync(path.join(schemaDir, `argo-${name}.schema.json`), 'utf8'),
  ) as Record<string, unknown>;
  // The events schema names a meta-schema Ajv does not ship; its keywords are draft-07's.
  delete schema.$schema;
  return schema;
}

/** Compiles the two big schemas once; Kubernetes' int-or-string and x-kubernetes-* need strict off. */
function validators(): (kind: string) => ValidateFunction {
  const options = { strict: false, allErrors: true, validateFormats: false } as const;
  const workflows = new Ajv2020(options);
  workflows.addSchema(loadSchema('workflows'), 'workflows');
  const events = new Ajv(options);
  events.addSchema(loadSchema('events'), 'events');
  return (kind) => {
    const [schema, definition] = DEFINITIONS[kind] ?? [];
    const ajv = schema === 'workflows' ? workflows : events;
    const validate = ajv.getSchema(`${schema}#/definitions/${definition}`);
    if (!validate) throw new Error(`no schema definition for ${kind}`);
    return validate;
  };
}

/**
 * Where the published schema is stricter than Argo itself. The schema marks a
 * webhook's `url` required (the Go field lacks omitempty), yet Argo's CRD keeps
 * `spec` open and its webhook validation asks only for endpoint and port; the
 * seed's EventSource, which the catalog ships unchanged, has no `url`.
 */
function argoAccepts(kind: string, e: ErrorObject): boolean {
  return (
    kind === 'EventSource' &&
    e.keyword === 'required' &&
    (e.params as { missingProperty?: string }).missingProperty === 'url' &&
    /^\/spec\/webhook\/[^/]+$/.test(e.instancePath)
  );
}

function problems(kind: string, validate: ValidateFunction, value: unknown): string[] {
  if (validate(value)) return [];
  return (validate.errors ?? [])
    .filter((e) => !argoAccepts(kind, e))
    .map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
}

/** Workflows a Sensor creates, which Argo validates when the trigger fires. */
function triggeredWorkflows(sensor: Manifest): unknown[] {
  const triggers = (sensor.spec as { triggers?: unknown[] } | undefined)?.triggers ?? [];
  return triggers.flatMap((t) => {
    const resource = (t as { template?: { k8s?: { source?: { resource?: { kind?: string } } } } })
      .template?.k8s?.source?.resource;
    return resource?.kind === 'Workflow' ? [resource] : [];
  });
}

describe("the catalog against Argo's JSON schemas", () => {
  if (!available && inCI) {
    it('finds the schemas', () => {
      throw new Error(`Argo's JSON schemas are missing at ${schemaDir}; CI must provide them`);
    });
    return;
  }
  if (!available) {
    it.skip(`skipped: Argo's JSON schemas are not at ${schemaDir}`, () => {});
    return;
  }

  let schemaFor: (kind: string) => ValidateFunction;
  beforeAll(() => {
    schemaFor = validators();
  });

  it('accepts every manifest of the catalog, and the Workflows its Sensors create', async () => {
    const catalog = await loadCatalog(catalogDir);
    expect(catalog.entries.length).toBeGreaterThan(0);
    const found: string[] = [];
    for (const { manifest, document } of catalog.entries) {
      const where = `${path.relative(projectRoot, document.file)} ${manifest.kind}/${manifest.metadata.name}`;
      found.push(
        ...problems(manifest.kind, schemaFor(manifest.kind), manifest).map((p) => `${where}: ${p}`),
      );
      if (manifest.kind === 'Sensor') {
        for (const workflow of triggeredWorkflows(manifest)) {
          found.push(
            ...problems('Workflow', schemaFor('Workflow'), workflow).map(
              (p) => `${where} trigger: ${p}`,
            ),
          );
        }
      }
    }
    expect(found).toEqual([]);
  });

  it("checks each request kind's own Sensor and WorkflowTemplate with the rest", async () => {
    const catalog = await loadCatalog(catalogDir);
    expect(catalog.kinds.length).toBeGreaterThan(0);
    for (const kind of catalog.kinds) {
      const checked = catalog.entries.map((e) => e.manifest);
      const template = checked.find(
        (m) => m.kind === 'WorkflowTemplate' && m.metadata.name === kind.workflowTemplate,
      );
      expect(template, kind.name).toBeDefined();
      expect(problems('WorkflowTemplate', schemaFor('WorkflowTemplate'), template)).toEqual([]);
      const sensors = checked.filter(
        (m) =>
          m.kind === 'Sensor' &&
          (
            (m.spec as { dependencies?: { eventSourceName?: string; eventName?: string }[] })
              .dependencies ?? []
          ).some(
            (d) => d.eventSourceName === kind.eventSourceName && d.eventName === kind.eventName,
          ),
      );
      // One Sensor listens on the kind's event (sensors/environments.yaml for `environment`, ...).
      expect(sensors, kind.name).toHaveLength(1);
      const [workflow] = sensors.flatMap(triggeredWorkflows) as {
        spec?: { workflowTemplateRef?: { name?: string } };
      }[];
      expect(workflow?.spec?.workflowTemplateRef?.name).toBe(kind.workflowTemplate);
      expect(problems('Workflow', schemaFor('Workflow'), workflow)).toEqual([]);
    }
  });

  it('rejects what Argo rejects', () => {
    const template = { spec: { templates: [{ name: 'approve', suspend: 'yes' }] } };
    expect(problems('WorkflowTemplate', schemaFor('WorkflowTemplate'), template)).not.toEqual([]);
    const sensor = { spec: { dependencies: 'webhook' } };
    expect(problems('Sensor', schemaFor('Sensor'), sensor)).not.toEqual([]);
    const webhook = {
      metadata: { name: 'webhook' },
      spec: { webhook: { environments: { endpoint: '/e', method: 'POST' } } },
    };
    expect(problems('EventSource', schemaFor('EventSource'), webhook)).toEqual([
      "/spec/webhook/environments must have required property 'port'",
    ]);
  });
});
