/** What one deployment of an application renders from. */
export interface ApplicationSpec {
  environment: string;
  /** The Kubernetes namespace (the environment's `namespace` output, else its name). */
  namespace: string;
  name: string;
  image: string;
  version: string;
  replicas: number;
  port: number;
  /** The configuration version delivered with it, if any. */
  configVersion: number | null;
  /** The configuration's plain values: the ConfigMap's data. */
  values: Record<string, string>;
  /** The names of its secrets; their values never reach a rendered file. */
  secretNames: string[];
}

/** A rendered file: its path inside the application's folder and its YAML. */
export interface RenderedFile {
  path: string;
  content: string;
}

/** A Kubernetes object as plain data. */
export type KubernetesObject = Record<string, unknown> & {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
};

/** What a delivery did. */
export interface Delivery {
  /** The commit (GitOps) or a digest of what was applied (kubectl). */
  revision: string;
  /** Where it went, for people: a repository path or a kubeconfig context. */
  target: string;
}
