import { stringify } from 'yaml';
import { toYaml } from './render.js';
import type { KubernetesObject, RenderedFile } from './types.js';

/** The file an object is written to: `<kind>-<name>.yaml`, lower case. */
export function installFileName(object: KubernetesObject): string {
  return `${object.kind.toLowerCase()}-${object.metadata.name}.yaml`;
}

/**
 * The install as files for a folder: one an object, and a kustomization.yaml
 * listing them in apply order, so `kubectl apply -k DIR` installs it and a
 * team can overlay it with kustomize.
 */
export function installFiles(objects: KubernetesObject[]): RenderedFile[] {
  const files = objects.map((o) => ({ path: installFileName(o), content: toYaml(o) }));
  const kustomization = {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: files.map((f) => f.path),
  };
  return [...files, { path: 'kustomization.yaml', content: stringify(kustomization) }];
}

/** The install as one JSON document: a Kubernetes List. */
export function installList(objects: KubernetesObject[]): string {
  return `${JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }, null, 2)}\n`;
}
