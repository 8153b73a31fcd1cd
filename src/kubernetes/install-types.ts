import type { KubernetesObject } from './types.js';

/** What `plinth render --target kubernetes` is told. */
export interface InstallOptions {
  /** The namespace of everything rendered; default: the catalog's namespace, else `plinth`. */
  namespace?: string;
  /** The Plinth image: the API, and the workflow steps that run `plinth`. */
  image: string;
  /** The image that provides the terraform binary; default: hashicorp/terraform at the catalog's version. */
  terraformImage?: string;
  /** The Secret holding the API's credentials (referenced by name, never rendered). */
  secretName?: string;
}

/** The options with every default filled in. */
export interface ResolvedInstallOptions {
  namespace: string;
  image: string;
  terraformImage: string;
  secretName: string;
}

/** The rendered install: objects in apply order, and what the operator should know. */
export interface Install {
  objects: KubernetesObject[];
  /** The resolved options, for the caller's summary. */
  options: ResolvedInstallOptions;
  /** Adjustments made to the catalog's manifests, one sentence each. */
  notes: string[];
}

/** Names of the objects the install adds around the catalog. */
export const InstallNames = {
  api: 'plinth',
  apiConfig: 'plinth-config',
  catalog: 'plinth-catalog',
  sensorAccount: 'plinth-sensor',
  workflowAccount: 'plinth-workflow',
  workflowData: 'plinth-workflow-data',
  secret: 'plinth',
} as const;

/** Where the workflow steps find what the embedded engine gives them on the host. */
export const StepPaths = {
  catalog: '/plinth/catalog',
  data: '/var/lib/plinth',
  tools: '/plinth/tools',
} as const;

/** The keys the operator puts in the API's Secret. */
export const SecretKeys = {
  databaseUrl: 'database-url',
  encryptionKey: 'encryption-key',
  adminToken: 'admin-token',
} as const;

/** The port the API listens on in its pod. */
export const API_PORT = 8000;
