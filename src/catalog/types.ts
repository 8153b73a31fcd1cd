/** The kinds a catalog holds, spelled as Argo spells them. */
export const ManifestKind = {
  EventBus: 'EventBus',
  EventSource: 'EventSource',
  Sensor: 'Sensor',
  WorkflowTemplate: 'WorkflowTemplate',
  Workflow: 'Workflow',
} as const;
export type ManifestKind = (typeof ManifestKind)[keyof typeof ManifestKind];

/** A 1-based line and column in a file. */
export interface SourcePosition {
  line: number;
  column: number;
}

/** A path into a manifest: mapping keys and sequence indexes, e.g. `['spec', 'templates', 0, 'name']`. */
export type ManifestPath = readonly (string | number)[];

/** Kubernetes object metadata, loosely typed: the consumers parse what they need. */
export interface ManifestMetadata extends Record<string, unknown> {
  name?: string;
  generateName?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** An Argo resource as written, checked only for apiVersion, kind and metadata. */
export interface Manifest extends Record<string, unknown> {
  apiVersion: string;
  kind: string;
  metadata: ManifestMetadata;
}

/** One YAML document of a file, with the positions of its nodes. */
export interface ParsedDocument {
  /** The document as plain data; a mapping for any manifest. */
  object: unknown;
  file: string;
  /** 0-based position of the document in its file. */
  index: number;
  /** Where the document's content starts. */
  position: SourcePosition;
  /**
   * Where the node at `path` starts; for a path that does not exist, where
   * its deepest existing ancestor starts (so a missing field points at its parent).
   */
  locate(path: ManifestPath): SourcePosition;
  /** Like `locate`, but the position of the mapping key that holds the value, when there is one. */
  locateKey(path: ManifestPath): SourcePosition;
}

/** A manifest read from the catalog, with where it came from. */
export interface CatalogEntry<M extends Manifest = Manifest> {
  manifest: M;
  document: ParsedDocument;
}

/** Everything a catalog folder defines. */
export interface Catalog {
  /** The folder that was loaded (absolute). */
  dir: string;
  eventBuses: Manifest[];
  eventSources: Manifest[];
  sensors: Manifest[];
  workflowTemplates: Manifest[];
  /** Workflows shipped as files, e.g. examples to submit by hand. */
  workflows: Manifest[];
  /** `<dir>/modules`: the Terraform modules, one folder each. */
  modulesDir: string;
  /** Every manifest with its file and source positions, in file order. */
  entries: CatalogEntry[];
  /** The YAML files read, absolute, sorted (the request kinds' files are not among them). */
  files: string[];
  /** The self-service request kinds of `kinds/`. */
  kinds: RequestKind[];
}

/**
 * A self-service request kind, read from the catalog: what a requester fills
 * in (a JSON Schema), where the request is dispatched (a webhook EventSource's
 * event) and what runs (a WorkflowTemplate, usually over a Terraform module).
 */
export interface RequestKind {
  name: string;
  title: string;
  description: string;
  /** The webhook EventSource and event the request is posted to. */
  eventSourceName: string;
  eventName: string;
  /** The WorkflowTemplate the kind's Sensor runs. */
  workflowTemplate: string;
  /** The Terraform module under `modules/`, when the kind has one. */
  module: string | null;
  /** Whether its runs wait for an approval before applying. */
  approval: boolean;
  /** The JSON Schema (draft-07 keywords) of a request's input: an object. */
  schema: Record<string, unknown>;
  /** Where it was read from. */
  file: string;
}
