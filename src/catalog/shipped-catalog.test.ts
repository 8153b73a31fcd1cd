import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from './load.js';
import type { Catalog, Manifest } from './types.js';

/** The shipped catalog's request kinds, in name order. */
const SIX_KINDS = ['application', 'compute', 'configuration', 'database', 'environment', 'storage'];

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
const catalogDir = path.join(projectRoot, 'catalog');
const seedDir = path.resolve(projectRoot, '../shared/seed/manifests');

interface Parameter {
  name: string;
  value?: string;
}
interface Template {
  name: string;
  inputs?: { parameters?: Parameter[] };
  outputs?: { parameters?: { name: string; globalName?: string; valueFrom?: { path?: string } }[] };
  steps?: { name: string; template: string }[][];
  script?: { source: string; command: string[]; env?: Parameter[] };
  suspend?: object;
}

const spec = <T>(m: Manifest | undefined): T => (m?.spec ?? {}) as T;
const named = (list: Manifest[], name: string) => list.find((m) => m.metadata.name === name);

describe('the shipped catalog', () => {
  let catalog: Catalog;
  beforeAll(async () => {
    catalog = await loadCatalog(catalogDir);
  });

  it('loads without errors', () => {
    expect(catalog.eventBuses.map((m) => m.metadata.name)).toEqual(['eventbus']);
    // Other kinds' files may sit beside these; the catalog holds at least them.
    expect(catalog.eventSources.map((m) => m.metadata.name)).toEqual(
      expect.arrayContaining(['webhook', 'infrastructure']),
    );
    expect(catalog.sensors.map((m) => m.metadata.name)).toEqual(
      expect.arrayContaining(['compute', 'database', 'environments', 'storage']),
    );
    expect(catalog.workflowTemplates.map((m) => m.metadata.name)).toEqual(
      expect.arrayContaining(['compute', 'database', 'environment', 'storage']),
    );
    expect(catalog.kinds.map((k) => k.name)).toEqual(SIX_KINDS);
    for (const module of ['environment', 'compute', 'storage', 'database']) {
      expect(existsSync(path.join(catalog.modulesDir, module, 'main.tf'))).toBe(true);
    }
  });

  it.skipIf(!existsSync(seedDir))('ships the seed’s EventBus and EventSource unchanged', () => {
    for (const name of ['eventbus.yaml', 'eventsource.yaml']) {
      expect(readFileSync(path.join(catalogDir, 'events', name), 'utf8')).toBe(
        readFileSync(path.join(seedDir, name), 'utf8'),
      );
    }
  });

  it('wires the sensor to the webhook endpoint, the bus and the workflow template', () => {
    const sensor = spec<{
      eventBusName: string;
      dependencies: { name: string; eventSourceName: string; eventName: string }[];
      triggers: {
        template: {
          k8s: {
            operation: string;
            source: { resource: Manifest & { spec: { arguments: { parameters: Parameter[] } } } };
            parameters: { src: { dependencyName: string; dataKey: string }; dest: string }[];
          };
        };
      }[];
    }>(named(catalog.sensors, 'environments'));
    const source = named(catalog.eventSources, 'webhook');
    expect(sensor.eventBusName).toBe(catalog.eventBuses[0]?.metadata.name);
    const [dep] = sensor.dependencies;
    expect(dep?.eventSourceName).toBe(source?.metadata.name);
    expect(Object.keys(spec<{ webhook: object }>(source).webhook)).toContain(dep?.eventName);

    const k8s = sensor.triggers[0]?.template.k8s;
    expect(k8s?.operation).toBe('create');
    const workflow = k8s?.source.resource;
    expect(workflow?.spec).toMatchObject({ workflowTemplateRef: { name: 'environment' } });
    const args = workflow?.spec.arguments.parameters.map((p) => p.name) ?? [];
    expect(args).toEqual([
      'name',
      'region',
      'team',
      'action',
      'request_id',
      'requester',
      'approval_required',
    ]);

    // Each argument is filled from the body field of the same name.
    for (const p of k8s?.parameters ?? []) {
      expect(p.src.dependencyName).toBe(dep?.name);
      const index = /^spec\.arguments\.parameters\.(\d+)\.value$/.exec(p.dest)?.[1];
      if (index !== undefined) expect(p.src.dataKey).toBe(`body.${args[Number(index)]}`);
    }
    expect(k8s?.parameters.map((p) => p.dest).filter((d) => d.startsWith('metadata'))).toEqual([
      'metadata.labels.plinth\\.dev/request-id',
      'metadata.labels.plinth\\.dev/environment',
      'metadata.labels.plinth\\.dev/action',
    ]);

    const template = spec<{ arguments: { parameters: Parameter[] } }>(
      named(catalog.workflowTemplates, 'environment'),
    );
    expect(template.arguments.parameters.map((p) => p.name)).toEqual(args);
  });

  it('runs validate, plan, approve, apply and record-outputs, never interpolating into a script', () => {
    const { entrypoint, templates } = spec<{ entrypoint: string; templates: Template[] }>(
      named(catalog.workflowTemplates, 'environment'),
    );
    const byName = new Map(templates.map((t) => [t.name, t]));
    const steps = byName.get(entrypoint)?.steps?.map((group) => group.map((s) => s.template));
    expect(steps).toEqual([['validate'], ['plan'], ['approve'], ['apply'], ['record-outputs']]);
    expect(byName.get('approve')?.suspend).toEqual({});
    for (const t of templates.filter((t) => t.script)) {
      expect(t.script?.source, t.name).not.toContain('{{');
      expect(t.script?.command).toEqual(['bash']);
    }
    const outputs = [...byName.values()].flatMap((t) => t.outputs?.parameters ?? []);
    expect(outputs.map((o) => [o.name, o.globalName, o.valueFrom?.path])).toEqual([
      ['plan-summary', 'plan-summary', 'plan-summary.json'],
      ['terraform-outputs', 'terraform-outputs', 'terraform-outputs.json'],
    ]);
  });
});
