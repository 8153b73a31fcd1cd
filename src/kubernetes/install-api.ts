import { createHash } from 'node:crypto';
import type { CatalogItem } from './install-catalog.js';
import { API_PORT, InstallNames, SecretKeys, StepPaths } from './install-types.js';
import type { KubernetesObject } from './types.js';

/** Where the API's process is told to find the rest of the install. */
export interface ApiEndpoints {
  /** Base URL of the webhook EventSource requests are posted to; none when the catalog has none. */
  dispatchUrl: string | undefined;
  /** The JetStream EventBus the API connects to, by name; none when the catalog's bus is not JetStream. */
  jetStreamBus: string | undefined;
}

/** What the API's objects are made from. */
export interface ApiSpec {
  namespace: string;
  image: string;
  secretName: string;
  labels: Record<string, string>;
  catalogItems: CatalogItem[];
  /** Changes when the catalog does, so that a new catalog rolls the pods. */
  catalogChecksum: string;
  endpoints: ApiEndpoints;
}

/** The Role of the API: the Argo resources of its namespace, and the pods' logs of the runs. */
function apiRules(): Record<string, unknown>[] {
  return [
    {
      apiGroups: ['argoproj.io'],
      resources: ['workflows', 'workflowtemplates', 'sensors', 'eventsources'],
      verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
    },
    { apiGroups: [''], resources: ['pods', 'pods/log'], verbs: ['get', 'list', 'watch'] },
  ];
}

const BUS_DIR = '/plinth/eventbus';
const BUS_AUTH_FILE = `${BUS_DIR}/auth/auth.yaml`;
const BUS_CA_FILE = `${BUS_DIR}/ca/ca.pem`;

/**
 * Starts the API with the EventBus's credentials. Argo Events writes them as
 * one YAML file (`username: …` and `password: …` lines), which no env
 * reference can split, so the shell reads them into the variables Plinth takes.
 */
const START_WITH_BUS_CREDENTIALS = [
  `PLINTH_BUS_USER="$(sed -n 's/^username: *//p' ${BUS_AUTH_FILE})"`,
  `PLINTH_BUS_PASSWORD="$(sed -n 's/^password: *//p' ${BUS_AUTH_FILE})"`,
  'export PLINTH_BUS_USER PLINTH_BUS_PASSWORD',
  'exec plinth up',
].join('\n');

/**
 * How the API reaches a JetStream EventBus Argo Events runs: its Service, the
 * client credentials and the CA of its TLS certificate, both from the Secrets
 * Argo generates for the bus (the pod waits until they exist).
 */
function jetStreamClient(busName: string, namespace: string) {
  return {
    url: `nats://eventbus-${busName}-js-svc.${namespace}.svc:4222`,
    volumes: [
      {
        name: 'eventbus-auth',
        secret: {
          secretName: `eventbus-${busName}-js-client-auth`,
          items: [{ key: 'client-auth', path: 'auth.yaml' }],
        },
      },
      {
        name: 'eventbus-ca',
        secret: {
          secretName: `eventbus-${busName}-js-server`,
          items: [{ key: 'ca-cert', path: 'ca.pem' }],
        },
      },
    ],
    mounts: [
      { name: 'eventbus-auth', mountPath: `${BUS_DIR}/auth`, readOnly: true },
      { name: 'eventbus-ca', mountPath: `${BUS_DIR}/ca`, readOnly: true },
    ],
  };
}

function secretEnv(name: string, secret: string, key: string) {
  return { name, valueFrom: { secretKeyRef: { name: secret, key } } };
}

/**
 * The Plinth API in the cluster: its ServiceAccount and Role, its settings (a
 * ConfigMap pointing at the EventSource and the EventBus), a Deployment that
 * reads its credentials from a Secret by name (the database URL, the
 * encryption key and the first admin token; their values are never rendered)
 * and a Service.
 */
export function renderApi(spec: ApiSpec): KubernetesObject[] {
  const { namespace, labels } = spec;
  const bus = spec.endpoints.jetStreamBus
    ? jetStreamClient(spec.endpoints.jetStreamBus, namespace)
    : undefined;
  const name = InstallNames.api;
  const apiLabels = {
    ...labels,
    'app.kubernetes.io/name': name,
    'app.kubernetes.io/component': 'api',
  };
  const selector = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/component': 'api' };
  const metadata = (n: string) => ({ name: n, namespace, labels: apiLabels });
  const config: KubernetesObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: metadata(InstallNames.apiConfig),
    data: {
      PLINTH_HOST: '0.0.0.0',
      PLINTH_PORT: String(API_PORT),
      PLINTH_CATALOG_DIR: StepPaths.catalog,
      PLINTH_DATA_DIR: StepPaths.data,
      ...(spec.endpoints.dispatchUrl ? { PLINTH_DISPATCH_URL: spec.endpoints.dispatchUrl } : {}),
      ...(bus ? { PLINTH_BUS: bus.url } : {}),
    },
  };
  const checksum = createHash('sha256')
    .update(JSON.stringify(config.data))
    .update(spec.catalogChecksum)
    .digest('hex')
    .slice(0, 16);
  const deployment: KubernetesObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: metadata(name),
    spec: {
      replicas: 1,
      selector: { matchLabels: selector },
      template: {
        metadata: { labels: apiLabels, annotations: { 'plinth.dev/config-checksum': checksum } },
        spec: {
          serviceAccountName: name,
          containers: [
            {
              name,
              image: spec.image,
              command: bus ? ['sh', '-c', START_WITH_BUS_CREDENTIALS] : ['plinth', 'up'],
              ports: [{ name: 'http', containerPort: API_PORT }],
              envFrom: [{ configMapRef: { name: InstallNames.apiConfig } }],
              env: [
                secretEnv('PLINTH_DB', spec.secretName, SecretKeys.databaseUrl),
                secretEnv('PLINTH_SECRET_KEY', spec.secretName, SecretKeys.encryptionKey),
                secretEnv('PLINTH_ADMIN_TOKEN', spec.secretName, SecretKeys.adminToken),
                ...(bus ? [{ name: 'NODE_EXTRA_CA_CERTS', value: BUS_CA_FILE }] : []),
              ],
              readinessProbe: {
                httpGet: { path: '/readyz', port: 'http' },
                periodSeconds: 5,
                failureThreshold: 3,
              },
              livenessProbe: {
                httpGet: { path: '/healthz', port: 'http' },
                initialDelaySeconds: 10,
                periodSeconds: 10,
                failureThreshold: 3,
              },
              volumeMounts: [
                { name: 'catalog', mountPath: StepPaths.catalog, readOnly: true },
                { name: 'data', mountPath: StepPaths.data },
                ...(bus?.mounts ?? []),
              ],
            },
          ],
          volumes: [
            {
              name: 'catalog',
              configMap: { name: InstallNames.catalog, items: spec.catalogItems },
            },
            { name: 'data', emptyDir: {} },
            ...(bus?.volumes ?? []),
          ],
        },
      },
    },
  };
  const service: KubernetesObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: metadata(name),
    spec: {
      selector,
      ports: [{ name: 'http', port: API_PORT, targetPort: 'http' }],
    },
  };
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: metadata(name) },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: metadata(name),
      rules: apiRules(),
    },
    roleBinding(name, namespace, apiLabels),
    config,
    deployment,
    service,
  ];
}

/** A RoleBinding of the Role `name` to the ServiceAccount `name`. */
export function roleBinding(
  name: string,
  namespace: string,
  labels: Record<string, string>,
): KubernetesObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name, namespace, labels },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
    subjects: [{ kind: 'ServiceAccount', name, namespace }],
  };
}

/**
 * A ServiceAccount with a Role of `rules` and its binding: the Sensors'
 * (to create Workflows) and the Workflows' (the executor's task results).
 */
export function accountWithRole(
  name: string,
  namespace: string,
  labels: Record<string, string>,
  rules: Record<string, unknown>[],
): KubernetesObject[] {
  const metadata = { name, namespace, labels };
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata, rules },
    roleBinding(name, namespace, labels),
  ];
}
