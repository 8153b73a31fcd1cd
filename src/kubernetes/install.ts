import { createHash } from 'node:crypto';
import type { Catalog } from '../catalog/index.js';
import { InputError } from '../errors/index.js';
import { accountWithRole, renderApi } from './install-api.js';
import { renderCatalogConfigMap } from './install-catalog.js';
import { checkObjects } from './install-check.js';
import {
  busNames,
  clusterSensor,
  defaultBus,
  DISPATCH_EVENT_SOURCE,
  eventSourceServiceName,
  foldWebhooks,
  jetStreamBus,
  listenPorts,
  placed,
  withService,
} from './install-events.js';
import {
  InstallNames,
  type Install,
  type InstallOptions,
  type ResolvedInstallOptions,
} from './install-types.js';
import { clusterWorkflowTemplate, pinnedTerraformVersion } from './install-workflows.js';
import type { KubernetesObject } from './types.js';

/** The namespace used when neither the options nor the catalog name one. */
export const DEFAULT_NAMESPACE = 'plinth';

/** The order objects are applied in: what others refer to first. */
const ORDER = [
  'Namespace',
  'ServiceAccount',
  'Role',
  'RoleBinding',
  'ConfigMap',
  'PersistentVolumeClaim',
  'EventBus',
  'EventSource',
  'WorkflowTemplate',
  'Sensor',
  'Deployment',
  'Service',
];

function catalogNamespace(catalog: Catalog): string | undefined {
  for (const entry of catalog.entries) {
    const ns = entry.manifest.metadata.namespace;
    if (typeof ns === 'string' && ns !== '') return ns;
  }
  return undefined;
}

/** Fills in the defaults: the catalog's namespace and the terraform image of the version it pins. */
export function resolveInstallOptions(
  catalog: Catalog,
  options: InstallOptions,
): ResolvedInstallOptions {
  const templates = catalog.workflowTemplates as KubernetesObject[];
  return {
    namespace: options.namespace ?? catalogNamespace(catalog) ?? DEFAULT_NAMESPACE,
    image: options.image,
    terraformImage:
      options.terraformImage ?? `hashicorp/terraform:${pinnedTerraformVersion(templates)}`,
    secretName: options.secretName ?? InstallNames.secret,
  };
}

/**
 * The manifests that install the platform in a cluster running Argo Events
 * and Argo Workflows: the Namespace, the catalog's EventBus (as JetStream),
 * EventSources (with Services), Sensors and WorkflowTemplates adjusted for
 * pods, the RBAC they need, the catalog as a ConfigMap, and the Plinth API.
 * Throws InputError when an object would be refused by Kubernetes.
 */
export async function renderInstall(catalog: Catalog, options: InstallOptions): Promise<Install> {
  const resolved = resolveInstallOptions(catalog, options);
  const { namespace } = resolved;
  const labels = {
    'app.kubernetes.io/part-of': 'plinth',
    'app.kubernetes.io/managed-by': 'plinth',
  };
  const notes: string[] = [];
  const { configMap: catalogMap, items } = await renderCatalogConfigMap(
    catalog.dir,
    namespace,
    labels,
  );

  const folded = foldWebhooks(
    catalog.eventSources.map((e) => placed(e, namespace, labels)),
    notes,
  );
  const eventSources = folded.eventSources.map(withService);
  const sensors = catalog.sensors.map((s) =>
    clusterSensor(placed(s, namespace, labels), namespace, folded.renamed),
  );
  const buses = catalog.eventBuses.map((b) => jetStreamBus(placed(b, namespace, labels), notes));
  for (const name of busNames([...eventSources, ...sensors])) {
    if (!buses.some((b) => b.metadata.name === name)) {
      buses.push(defaultBus(name, namespace, labels));
      notes.push(
        `EventBus "${name}": named by the catalog but not defined there; rendered as JetStream.`,
      );
    }
  }
  const templates = catalog.workflowTemplates.map((wt) =>
    clusterWorkflowTemplate(
      placed(wt, namespace, labels),
      { plinth: resolved.image, terraform: resolved.terraformImage, catalogItems: items },
      notes,
    ),
  );
  if (catalog.workflows.length > 0) {
    notes.push(
      `Workflows (${catalog.workflows.length}): examples to submit by hand, not part of the install.`,
    );
  }

  const dispatch = eventSources.find((e) => e.metadata.name === DISPATCH_EVENT_SOURCE);
  const dispatchPort = dispatch ? listenPorts(dispatch)[0] : undefined;
  const jetStream = buses.find((b) => {
    const spec = b.spec as Record<string, unknown> | undefined;
    return spec?.jetstream !== undefined;
  });
  const catalogChecksum = createHash('sha256')
    .update(JSON.stringify(catalogMap.data))
    .digest('hex');
  const api = renderApi({
    namespace,
    image: resolved.image,
    secretName: resolved.secretName,
    labels,
    catalogItems: items,
    catalogChecksum,
    endpoints: {
      dispatchUrl:
        dispatch && dispatchPort !== undefined
          ? `http://${eventSourceServiceName(dispatch.metadata.name)}.${namespace}.svc:${dispatchPort}`
          : undefined,
      jetStreamBus: jetStream?.metadata.name,
    },
  });

  const objects: KubernetesObject[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels } },
    ...accountWithRole(InstallNames.sensorAccount, namespace, labels, [
      {
        apiGroups: ['argoproj.io'],
        resources: ['workflows'],
        verbs: ['create', 'patch', 'update', 'get', 'list'],
      },
    ]),
    ...accountWithRole(InstallNames.workflowAccount, namespace, labels, [
      {
        apiGroups: ['argoproj.io'],
        resources: ['workflowtaskresults'],
        verbs: ['create', 'patch'],
      },
    ]),
    catalogMap,
    {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: InstallNames.workflowData, namespace, labels },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    },
    ...buses,
    ...eventSources,
    ...templates,
    ...sensors,
    ...api,
  ];
  const rank = (o: KubernetesObject) => {
    const i = ORDER.indexOf(o.kind);
    return i < 0 ? ORDER.length : i;
  };
  const sorted = objects
    .map((o, i) => ({ o, i }))
    .sort((a, b) => rank(a.o) - rank(b.o) || a.i - b.i)
    .map(({ o }) => o);
  const problems = checkObjects(sorted);
  if (problems.length > 0) {
    throw new InputError(`the rendered install would be refused:\n  ${problems.join('\n  ')}`);
  }
  return { objects: sorted, options: resolved, notes };
}
