import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse, parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../catalog/index.js';
import { runCli } from '../cli/index.js';
import { createLinter, LintRule } from '../lint/index.js';
import { checkObjects } from './install-check.js';
import { jetStreamBus } from './install-events.js';
import { installFiles, renderInstall, toYamlStream, type KubernetesObject } from './index.js';

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
const catalogDir = path.join(projectRoot, 'catalog');
const queueKind = fileURLToPath(new URL('./testdata/queue-kind', import.meta.url));
const schemaDir = path.resolve(projectRoot, '../shared/argo');
const schemasAvailable = existsSync(path.join(schemaDir, 'argo-workflows.schema.json'));
const IMAGE = 'registry.example/plinth:1.0.0';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const DEFINITIONS: Record<string, [schema: 'workflows' | 'events', definition: string]> = {
  WorkflowTemplate: ['workflows', 'io.argoproj.workflow.v1alpha1.WorkflowTemplate'],
  EventBus: ['events', 'io.argoproj.events.v1alpha1.EventBus'],
  EventSource: ['events', 'io.argoproj.events.v1alpha1.EventSource'],
  Sensor: ['events', 'io.argoproj.events.v1alpha1.Sensor'],
};

function loadSchema(name: string): Record<string, unknown> {
  const schema = JSON.parse(
    readFileSync(path.join(schemaDir, `argo-${name}.schema.json`), 'utf8'),
  ) as Record<string, unknown>;
  delete schema.$schema; // a meta-schema Ajv does not ship; the keywords are draft-07's
  return schema;
}

let compiled: ((o: KubernetesObject) => string[]) | undefined;

/** Validates an Argo object against the schema Argo publishes for its kind (compiled once). */
function argoValidator(): (o: KubernetesObject) => string[] {
  compiled ??= compileValidator();
  return compiled;
}

function compileValidator(): (o: KubernetesObject) => string[] {
  const options = { strict: false, allErrors: true, validateFormats: false } as const;
  const workflows = new Ajv2020(options);
  workflows.addSchema(loadSchema('workflows'), 'workflows');
  const events = new Ajv(options);
  events.addSchema(loadSchema('events'), 'events');
  const cache = new Map<string, ValidateFunction>();
  return (o) => {
    const [schema, definition] = DEFINITIONS[o.kind] ?? [];
    if (!schema) throw new Error(`no schema for ${o.kind}`);
    let validate = cache.get(o.kind);
    if (!validate) {
      const ajv = schema === 'workflows' ? workflows : events;
      validate = ajv.getSchema(`${schema}#/definitions/${definition}`);
      if (!validate) throw new Error(`no definition ${definition}`);
      cache.set(o.kind, validate);
    }
    const ok = validate(o) as boolean;
    if (ok) return [];
    return (validate.errors ?? [])
      .filter((e) => !argoAccepts(o.kind, e))
      .map((e) => {
        return `${o.kind} ${o.metadata.name} ${e.instancePath}: ${e.message ?? ''}`;
      });
  };
}

/**
 * The published schema marks a webhook's `url` required, yet Argo's own
 * webhook validation asks only for endpoint and port (the seed's
 * EventSource has no url).
 */
function argoAccepts(kind: string, e: ErrorObject): boolean {
  return (
    kind === 'EventSource' &&
    e.keyword === 'required' &&
    (e.params as { missingProperty?: string }).missingProperty === 'url' &&
    /^\/spec\/webhook\/[^/]+$/.test(e.instancePath)
  );
}

function find(objects: KubernetesObject[], kind: string, name: string): Obj {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`no ${kind} ${name} rendered`);
  return o as Obj;
}

function template(wt: Obj, name: string): Obj {
  return (wt.spec.templates as Obj[]).find((t) => t.name === name) as Obj;
}

function streams() {
  let stdout = '';
  let stderr = '';
  return {
    io: {
      env: {} as Record<string, string | undefined>,
      stdout: { write: (s: string) => ((stdout += s), true) },
      stderr: { write: (s: string) => ((stderr += s), true) },
    },
    out: () => stdout,
    err: () => stderr,
  };
}

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'plinth-install-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the install of the shipped catalog', () => {
  let objects: KubernetesObject[];
  beforeAll(async () => {
    objects = (await renderInstall(await loadCatalog(catalogDir), { image: IMAGE })).objects;
  });

  it.skipIf(!schemasAvailable)('holds Argo objects that Argo’s published schemas accept', () => {
    const validate = argoValidator();
    const argo = objects.filter((o) => o.apiVersion === 'argoproj.io/v1alpha1');
    expect(argo.map((o) => o.kind).sort()).toEqual(
      expect.arrayContaining(['EventBus', 'EventSource', 'Sensor', 'WorkflowTemplate']),
    );
    expect(argo.flatMap(validate)).toEqual([]);
  });

  it('holds Kubernetes objects with valid names, namespaces, labels and selectors', () => {
    expect(checkObjects(objects)).toEqual([]);
    expect(new Set(objects.map((o) => o.metadata.namespace ?? o.metadata.name))).toEqual(
      new Set(['argo-events']),
    );
    expect(objects[0]).toMatchObject({ kind: 'Namespace', metadata: { name: 'argo-events' } });
  });

  it('renders the EventBus as JetStream, without the deprecated NATS native bus', () => {
    const bus = find(objects, 'EventBus', 'eventbus');
    expect(bus.spec).toEqual({ jetstream: { version: expect.any(String), replicas: 3 } });
  });

  it('serves every request kind from the dispatch EventSource, with a Service', () => {
    const webhook = find(objects, 'EventSource', 'webhook');
    expect(Object.keys(webhook.spec.webhook)).toEqual(
      expect.arrayContaining(['environments', 'applications', 'compute', 'storage', 'database']),
    );
    expect(webhook.spec.service.ports).toEqual([{ port: 12000, targetPort: 12000 }]);
    expect(objects.some((o) => o.metadata.name === 'infrastructure')).toBe(false);
    expect(find(objects, 'EventSource', 'github').spec.service.ports).toEqual([
      { port: 12400, targetPort: 12400 },
    ]);
    const compute = find(objects, 'Sensor', 'compute');
    expect(compute.spec.dependencies[0]).toMatchObject({
      eventSourceName: 'webhook',
      eventName: 'compute',
    });
  });

  it('runs the Sensors as a ServiceAccount that may create and patch Workflows', () => {
    for (const sensor of objects.filter((o) => o.kind === 'Sensor') as Obj[]) {
      expect(sensor.spec.template.serviceAccountName).toBe('plinth-sensor');
    }
    const role = find(objects, 'Role', 'plinth-sensor');
    expect(role.rules[0]).toMatchObject({ apiGroups: ['argoproj.io'], resources: ['workflows'] });
    expect(role.rules[0].verbs).toEqual(expect.arrayContaining(['create', 'patch']));
    const binding = find(objects, 'RoleBinding', 'plinth-sensor');
    expect(binding.subjects).toEqual([
      { kind: 'ServiceAccount', name: 'plinth-sensor', namespace: 'argo-events' },
    ]);
    // The trigger's Workflow keeps its request-id label and its parameters.
    const env = find(objects, 'Sensor', 'environments');
    const trigger = env.spec.triggers[0].template.k8s;
    expect(trigger.source.resource.metadata.labels).toHaveProperty(['plinth.dev/request-id']);
    expect(trigger.parameters.map((p: Obj) => p.dest)).toContain(
      'metadata.labels.plinth\\.dev/request-id',
    );
  });

  it('runs the terraform steps on the Plinth image with terraform, the modules and a data volume', async () => {
    const catalog = await loadCatalog(catalogDir);
    const original = catalog.workflowTemplates.find(
      (w) => w.metadata.name === 'environment',
    ) as Obj;
    const wt = find(objects, 'WorkflowTemplate', 'environment');
    expect(wt.spec.arguments).toEqual(original.spec.arguments);
    expect(wt.metadata.labels['plinth.dev/kind']).toBe('environment');
    expect(wt.spec.serviceAccountName).toBe('plinth-workflow');
    const plan = template(wt, 'plan');
    expect(plan.script.image).toBe(IMAGE);
    expect(plan.script.source).toBe(template(original, 'plan').script.source);
    expect(plan.initContainers).toEqual([
      expect.objectContaining({ image: 'hashicorp/terraform:1.11' }),
    ]);
    const env = Object.fromEntries((plan.script.env as Obj[]).map((e) => [e.name, e.value]));
    expect(env).toMatchObject({
      TF_VAR_name: '{{inputs.parameters.name}}',
      PLINTH_CATALOG_DIR: '/plinth/catalog',
      PLINTH_TERRAFORM_BIN: '/plinth/tools/terraform',
    });
    const volumes = (wt.spec.volumes as Obj[]).map((v) => v.name);
    for (const m of [...plan.script.volumeMounts, ...plan.initContainers[0].volumeMounts]) {
      expect(volumes).toContain(m.name);
    }
    // The validate step needs nothing of the host and stays as written.
    expect(template(wt, 'validate')).toEqual(template(original, 'validate'));
    // The modules are in the catalog ConfigMap, at their paths when mounted.
    const catalogMap = find(objects, 'ConfigMap', 'plinth-catalog');
    const items = (wt.spec.volumes as Obj[]).find((v) => v.name === 'plinth-catalog')?.configMap
      .items as Obj[];
    const main = items.find((i) => i.path === 'modules/environment/main.tf');
    expect(catalogMap.data[main?.key]).toBe(
      readFileSync(path.join(catalogDir, 'modules/environment/main.tf'), 'utf8'),
    );
  });

  it('ships the catalog in a ConfigMap that mounts as the same folder', async () => {
    const wt = find(objects, 'WorkflowTemplate', 'environment');
    const volume = (wt.spec.volumes as Obj[]).find((v) => v.name === 'plinth-catalog') as Obj;
    const map = find(objects, 'ConfigMap', volume.configMap.name);
    // Lay the ConfigMap out as the kubelet does with `items`: each key at its path.
    const mounted = mkdtempSync(path.join(scratch, 'mounted-'));
    for (const item of volume.configMap.items as Obj[]) {
      mkdirSync(path.dirname(path.join(mounted, item.path)), { recursive: true });
      writeFileSync(path.join(mounted, item.path), map.data[item.key]);
    }
    const tree = (dir: string): string[] =>
      readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
        .sort();
    expect(tree(mounted)).toEqual(tree(catalogDir));
    for (const file of tree(catalogDir)) {
      expect(readFileSync(path.join(mounted, file), 'utf8'), file).toBe(
        readFileSync(path.join(catalogDir, file), 'utf8'),
      );
    }
    // The API, which reads the catalog from the mount, sees the catalog that was rendered.
    const again = await renderInstall(await loadCatalog(mounted), { image: IMAGE });
    expect(again.objects).toEqual(objects);
  });

  it('runs the API with probes, its settings and its credentials from a Secret by name', () => {
    const deployment = find(objects, 'Deployment', 'plinth');
    const pod = deployment.spec.template.spec;
    const container = (pod.containers as Obj[])[0] as Obj;
    expect(container.image).toBe(IMAGE);
    expect(container.readinessProbe.httpGet.path).toBe('/readyz');
    expect(container.livenessProbe.httpGet.path).toBe('/healthz');
    const env = container.env as Obj[];
    const secretRefs = env
      .filter((e) => e.valueFrom)
      .map((e) => [e.name, e.valueFrom.secretKeyRef.name, e.valueFrom.secretKeyRef.key]);
    expect(secretRefs).toEqual([
      ['PLINTH_DB', 'plinth', 'database-url'],
      ['PLINTH_SECRET_KEY', 'plinth', 'encryption-key'],
      ['PLINTH_ADMIN_TOKEN', 'plinth', 'admin-token'],
    ]);
    // The bus's client credentials and CA come from the Secrets Argo Events generates.
    const secrets = (pod.volumes as Obj[]).filter((v) => v.secret).map((v) => v.secret.secretName);
    expect(secrets).toEqual(['eventbus-eventbus-js-client-auth', 'eventbus-eventbus-js-server']);
    expect(env).toContainEqual({
      name: 'NODE_EXTRA_CA_CERTS',
      value: '/plinth/eventbus/ca/ca.pem',
    });
    expect(container.command.at(-1)).toMatch(/exec plinth up$/);
    expect(pod.serviceAccountName).toBe('plinth');
    const config = find(objects, 'ConfigMap', 'plinth-config');
    expect(config.data).toMatchObject({
      PLINTH_DISPATCH_URL: 'http://webhook-eventsource-svc.argo-events.svc:12000',
      PLINTH_BUS: 'nats://eventbus-eventbus-js-svc.argo-events.svc:4222',
    });
    const role = find(objects, 'Role', 'plinth');
    expect(role.rules[0].resources).toEqual([
      'workflows',
      'workflowtemplates',
      'sensors',
      'eventsources',
    ]);
    expect(find(objects, 'Service', 'plinth').spec.selector).toEqual(
      deployment.spec.selector.matchLabels,
    );
    expect(objects.some((o) => o.kind === 'Secret')).toBe(false);
  });
});

describe('a NATS native EventBus', () => {
  it('keeps its replicas, persistence and limits as a JetStream bus Argo accepts', () => {
    const notes: string[] = [];
    const bus = jetStreamBus(
      {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'EventBus',
        metadata: { name: 'default', namespace: 'events' },
        spec: {
          nats: {
            native: {
              replicas: 5,
              auth: 'token',
              maxAge: '72h',
              persistence: { storageClassName: 'fast', volumeSize: '10Gi' },
            },
          },
        },
      },
      notes,
    );
    expect(bus.spec).toEqual({
      jetstream: {
        version: expect.any(String),
        replicas: 5,
        persistence: { storageClassName: 'fast', volumeSize: '10Gi' },
        streamConfig: 'maxAge: 72h\n',
      },
    });
    expect(notes[0]).toMatch(/eventbus-default-js-client-auth/);
    if (schemasAvailable) expect(argoValidator()(bus)).toEqual([]);
  });
});

describe('a catalog with an added kind', () => {
  it('renders its WorkflowTemplate adjusted, its Sensor and its event at the dispatch address', async () => {
    const dir = path.join(scratch, 'catalog-queue');
    cpSync(catalogDir, dir, { recursive: true });
    cpSync(queueKind, dir, { recursive: true });
    const install = await renderInstall(await loadCatalog(dir), {
      image: IMAGE,
      namespace: 'platform',
      terraformImage: 'mirror.example/terraform:1.9.8',
    });
    const { objects } = install;
    expect(checkObjects(objects)).toEqual([]);
    if (schemasAvailable) {
      const validate = argoValidator();
      expect(objects.filter((o) => DEFINITIONS[o.kind]).flatMap(validate)).toEqual([]);
    }
    const wt = find(objects, 'WorkflowTemplate', 'queue');
    expect(wt.metadata.namespace).toBe('platform');
    expect(template(wt, 'plan').script.image).toBe(IMAGE);
    expect(template(wt, 'plan').initContainers[0].image).toBe('mirror.example/terraform:1.9.8');
    // A container step that runs plinth is adjusted like a script.
    expect(template(wt, 'apply').container.image).toBe(IMAGE);
    expect(template(wt, 'apply').container.command).toEqual([
      'plinth',
      'terraform',
      'apply',
      '--workspace',
      '{{workflow.parameters.name}}',
    ]);
    const sensor = find(objects, 'Sensor', 'queue');
    expect(sensor.spec.dependencies[0].eventSourceName).toBe('webhook');
    expect(sensor.spec.triggers[0].template.k8s.source.resource.metadata.namespace).toBe(
      'platform',
    );
    expect(find(objects, 'EventSource', 'webhook').spec.webhook.queue).toMatchObject({
      endpoint: '/queue',
    });
    const data = find(objects, 'ConfigMap', 'plinth-catalog').data as Record<string, string>;
    expect(Object.values(data)).toContain(
      readFileSync(path.join(queueKind, 'modules/queue/main.tf'), 'utf8'),
    );
    expect(install.notes.join('\n')).toMatch(/EventSource "queues"/);
    // The folded dependencies resolve: plinth lint finds nothing but the pod-only fields
    // (volumes, service accounts), which take effect only in a cluster.
    const argoDir = mkdtempSync(path.join(scratch, 'argo-'));
    for (const f of installFiles(objects.filter((o) => DEFINITIONS[o.kind]))) {
      writeFileSync(path.join(argoDir, f.path), f.content);
    }
    rmSync(path.join(argoDir, 'kustomization.yaml'));
    const report = await createLinter({ cwd: argoDir }).lintPaths([argoDir]);
    expect(report.findings.filter((f) => f.rule !== LintRule.podOnly)).toEqual([]);
  });
});

describe('plinth render --target kubernetes', () => {
  const SECRETS = {
    PLINTH_DB: 'postgres://plinth:db-pass-4f1c@db:5432/plinth',
    PLINTH_ADMIN_TOKEN: 'admin-token-9b2e',
    PLINTH_SECRET_KEY: 'c2VjcmV0LWtleS0zMi1ieXRlcy1sb25nLXh4eHh4eHg=',
    PLINTH_BUS_TOKEN: 'bus-token-77aa',
  };

  it('prints a YAML stream that holds no secret value from the environment', async () => {
    const s = streams();
    Object.assign(s.io.env, SECRETS);
    const code = await runCli(
      ['render', '--target', 'kubernetes', '--catalog', catalogDir, '--image', IMAGE],
      s.io,
    );
    expect(s.err()).not.toMatch(/^plinth:/m);
    expect(code).toBe(0);
    const docs = parseAllDocuments(s.out()).map((d) => d.toJS() as KubernetesObject);
    expect(docs.every((d) => d.apiVersion && d.kind && d.metadata.name)).toBe(true);
    for (const value of Object.values(SECRETS)) expect(s.out()).not.toContain(value);
    expect(docs.some((d) => d.kind === 'Secret')).toBe(false);
    expect(s.err()).toMatch(/JetStream/);
  });

  it('prints a JSON List with -o json', async () => {
    const s = streams();
    const args = ['render', '--target', 'kubernetes', '--catalog', catalogDir, '-o', 'json'];
    expect(await runCli([...args, '--namespace', 'idp'], s.io)).toBe(0);
    const list = JSON.parse(s.out()) as { kind: string; items: KubernetesObject[] };
    expect(list.kind).toBe('List');
    expect(list.items.every((o) => o.metadata.namespace === 'idp' || o.kind === 'Namespace')).toBe(
      true,
    );
  });

  it('refuses a namespace Kubernetes would refuse, naming the objects', async () => {
    const s = streams();
    const args = ['render', '--target', 'kubernetes', '--catalog', catalogDir];
    expect(await runCli([...args, '--namespace', 'Team_A'], s.io)).toBe(1);
    expect(s.err()).toMatch(/Namespace Team_A: the name must be a DNS-1123 label/);
    expect(s.out()).toBe('');
  });

  it('refuses an unknown target', async () => {
    const s = streams();
    expect(await runCli(['render', '--target', 'nomad'], s.io)).toBe(2);
    expect(s.err()).toMatch(/kubernetes/);
  });

  it('writes one file an object and a kustomization with --out, replacing an earlier render', async () => {
    const out = path.join(scratch, 'install');
    const render = async (catalog: string) => {
      const s = streams();
      const code = await runCli(
        ['render', '--target', 'kubernetes', '--catalog', catalog, '--image', IMAGE, '--out', out],
        s.io,
      );
      expect(code).toBe(0);
      expect(s.out()).toBe('');
    };
    const withQueue = path.join(scratch, 'catalog-out');
    cpSync(catalogDir, withQueue, { recursive: true });
    cpSync(queueKind, withQueue, { recursive: true });
    await render(withQueue);
    expect(readdirSync(out)).toContain('workflowtemplate-queue.yaml');
    await render(catalogDir);
    const files = readdirSync(out).sort();
    expect(files).not.toContain('workflowtemplate-queue.yaml');
    const kustomization = parse(readFileSync(path.join(out, 'kustomization.yaml'), 'utf8')) as {
      kind: string;
      resources: string[];
    };
    expect(kustomization.kind).toBe('Kustomization');
    expect([...kustomization.resources, 'kustomization.yaml'].sort()).toEqual(files);
    expect(kustomization.resources[0]).toBe('namespace-argo-events.yaml');
    for (const file of kustomization.resources) {
      const o = parse(readFileSync(path.join(out, file), 'utf8')) as KubernetesObject;
      expect(file).toBe(`${o.kind.toLowerCase()}-${o.metadata.name}.yaml`);
    }
  });
});

const hasKubectl = (() => {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

// `kubectl apply --dry-run=client` needs an API server for its type mapping;
// `kubectl kustomize` reads and builds the folder with no cluster at all.
describe.skipIf(!hasKubectl)('kubectl', () => {
  it('builds the --out folder and reads back the same objects', async () => {
    const objects = (await renderInstall(await loadCatalog(catalogDir), { image: IMAGE })).objects;
    const dir = mkdtempSync(path.join(scratch, 'kustomize-'));
    for (const f of installFiles(objects)) writeFileSync(path.join(dir, f.path), f.content);
    const built = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
    const docs = parseAllDocuments(built).map((d) => d.toJS() as KubernetesObject);
    const ids = (list: KubernetesObject[]) =>
      list.map((o) => `${o.kind}/${o.metadata.name}`).sort();
    expect(ids(docs)).toEqual(ids(objects));
    // The stream the CLI prints reads back as the same objects too.
    const stream = parseAllDocuments(toYamlStream(objects)).map(
      (d) => d.toJS() as KubernetesObject,
    );
    expect(stream).toEqual(objects);
  });
});
