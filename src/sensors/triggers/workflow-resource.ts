import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { InputError, ManifestError } from '../../errors/index.js';
import type { Workflow } from '../../workflows/index.js';
import type { JsonValue } from '../parameters/sjson.js';
import type { ArtifactLocation } from '../types.js';
import type { SensorRef } from './trigger.js';

export type JsonObject = { [key: string]: JsonValue };

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The resource a trigger's `source` holds: `resource` (an object), `inline`
 * (YAML or JSON text) or `file` (a YAML or JSON file on this machine, read
 * at each firing as Argo reads it).
 */
export function sourceResource(source: ArtifactLocation | undefined, where: string): JsonObject {
  if (source === undefined)
    throw new ManifestError(`${where}.source is required (give source.resource)`);
  if (source.resource !== undefined) {
    if (!isObject(source.resource))
      throw new ManifestError(`${where}.source.resource must be an object`);
    return structuredClone(source.resource);
  }
  if (typeof source.inline === 'string') {
    const parsed: unknown = parseYaml(source.inline);
    if (!isObject(parsed)) throw new ManifestError(`${where}.source.inline must hold one object`);
    return parsed;
  }
  const file = source.file;
  if (isObject(file) && typeof file.path === 'string' && file.path !== '') {
    let text: string;
    try {
      text = readFileSync(file.path, 'utf8');
    } catch (err) {
      throw new InputError(
        `${where}.source.file: cannot read ${file.path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
    const parsed: unknown = parseYaml(text);
    if (!isObject(parsed)) throw new ManifestError(`${where}.source.file must hold one object`);
    return parsed;
  }
  const kinds = Object.keys(source).join(', ') || 'none';
  throw new ManifestError(
    `${where}.source: Plinth reads source.resource, source.inline and source.file now; this source has ${kinds}`,
  );
}

/** A short description of a resource, for errors: `apiVersion/kind`. */
export function describeResource(obj: JsonObject): string {
  return `${String(obj.apiVersion ?? '(no apiVersion)')} ${String(obj.kind ?? '(no kind)')}`;
}

export function isWorkflowResource(obj: JsonObject): boolean {
  return obj.apiVersion === 'argoproj.io/v1alpha1' && obj.kind === 'Workflow';
}

/** Checks the resolved object can be submitted and defaults its namespace to the sensor's, as Argo does. */
export function finishWorkflow(obj: JsonValue, where: string, sensor: SensorRef): Workflow {
  if (!isObject(obj) || !isWorkflowResource(obj)) {
    throw new ManifestError(
      `${where}: after parameters the resource is no longer an Argo Workflow`,
    );
  }
  const metadata = isObject(obj.metadata) ? obj.metadata : {};
  if (!metadata.name && !metadata.generateName) {
    throw new ManifestError(
      `${where}: the Workflow has neither metadata.name nor metadata.generateName`,
    );
  }
  if (!metadata.namespace) metadata.namespace = sensor.namespace;
  obj.metadata = metadata;
  if (!isObject(obj.spec)) obj.spec = {};
  return obj as unknown as Workflow;
}

/**
 * An operation on an existing Workflow (resume, retry, terminate, ...), by
 * name. Serializes as the resolved Workflow object, as `plinth sensor test`
 * shows it.
 */
export class WorkflowAction {
  constructor(
    readonly operation: string,
    readonly namespace: string,
    readonly name: string,
    readonly resource: Record<string, unknown>,
    /** For a k8s patch: the fields that chose the operation. */
    readonly patch?: Record<string, unknown>,
  ) {}

  toJSON(): Record<string, unknown> {
    return this.resource;
  }
}

/** The Workflow's name and namespace (the sensor's when it has none), for operations on an existing Workflow. */
export function workflowTarget(
  obj: JsonObject,
  where: string,
  operation: string,
  sensor: SensorRef,
): { name: string; namespace: string } {
  const metadata = isObject(obj.metadata) ? obj.metadata : {};
  const name = typeof metadata.name === 'string' ? metadata.name : '';
  if (!name) {
    throw new ManifestError(
      `${where}: failed to execute the workflow ${operation} operation, no name is given (set metadata.name, for example from a parameter)`,
    );
  }
  const namespace =
    typeof metadata.namespace === 'string' && metadata.namespace
      ? metadata.namespace
      : sensor.namespace;
  return { name, namespace };
}
