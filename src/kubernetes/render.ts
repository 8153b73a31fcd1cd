import { createHash } from 'node:crypto';
import { stringify } from 'yaml';
import type { ApplicationSpec, KubernetesObject, RenderedFile } from './types.js';

/** Labels every object of an application carries (Kubernetes' recommended ones). */
function labelsOf(spec: ApplicationSpec): Record<string, string> {
  return {
    'app.kubernetes.io/name': spec.name,
    'app.kubernetes.io/version': spec.version,
    'app.kubernetes.io/managed-by': 'plinth',
    'plinth.dev/environment': spec.environment,
  };
}

/** Names of the objects: `<app>` for the Deployment and Service, suffixed for the others. */
export function objectNames(name: string): { configMap: string; secret: string } {
  return { configMap: `${name}-config`, secret: `${name}-secrets` };
}

/**
 * The Deployment, Service and ConfigMap of an application. The Deployment
 * reads the ConfigMap (and, when it has secrets, the Secret) as environment
 * variables; its pod template carries the configuration version so that a
 * new configuration rolls the pods.
 */
export function renderObjects(spec: ApplicationSpec): KubernetesObject[] {
  const labels = labelsOf(spec);
  const selector = { 'app.kubernetes.io/name': spec.name };
  const names = objectNames(spec.name);
  const metadata = (name: string) => ({ name, namespace: spec.namespace, labels });
  const envFrom: Record<string, unknown>[] = [{ configMapRef: { name: names.configMap } }];
  if (spec.secretNames.length > 0) envFrom.push({ secretRef: { name: names.secret } });
  const configMap: KubernetesObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: metadata(names.configMap),
    data: Object.fromEntries(Object.entries(spec.values).sort(([a], [b]) => (a < b ? -1 : 1))),
  };
  const deployment: KubernetesObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: metadata(spec.name),
    spec: {
      replicas: spec.replicas,
      selector: { matchLabels: selector },
      template: {
        metadata: {
          labels: { ...labels },
          annotations: {
            'plinth.dev/config-version': String(spec.configVersion ?? 0),
            'plinth.dev/config-checksum': checksum(configMap.data),
          },
        },
        spec: {
          containers: [
            {
              name: spec.name,
              image: spec.image,
              ports: [{ name: 'http', containerPort: spec.port }],
              envFrom,
            },
          ],
        },
      },
    },
  };
  const service: KubernetesObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: metadata(spec.name),
    spec: {
      selector,
      ports: [{ name: 'http', port: spec.port, targetPort: 'http' }],
    },
  };
  return [deployment, service, configMap];
}

/**
 * The Secret with the secrets' values, for a target that applies straight to
 * a cluster. It is never written to a GitOps repository.
 */
export function renderSecret(
  spec: ApplicationSpec,
  secrets: Record<string, string>,
): KubernetesObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: objectNames(spec.name).secret,
      namespace: spec.namespace,
      labels: labelsOf(spec),
    },
    type: 'Opaque',
    stringData: secrets,
  };
}

function checksum(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}

/** One YAML document. */
export function toYaml(object: KubernetesObject): string {
  // YAML 1.1 quoting, as Kubernetes reads YAML 1.1: a value such as "on" stays a string.
  return stringify(object, { lineWidth: 0, version: '1.1' });
}

/** Several objects as one multi-document YAML stream. */
export function toYamlStream(objects: KubernetesObject[]): string {
  return objects.map((o) => `---\n${toYaml(o)}`).join('');
}

/** The files of an application in a GitOps repository: one per object, named by kind. */
export function renderFiles(spec: ApplicationSpec): RenderedFile[] {
  return renderObjects(spec).map((o) => ({
    path: `${o.kind.toLowerCase()}.yaml`,
    content: toYaml(o),
  }));
}
