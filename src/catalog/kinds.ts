import { existsSync, readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Ajv } from 'ajv';
import { ManifestError } from '../errors/index.js';
import { parseManifests } from './parse.js';
import type { Manifest, ManifestPath, ParsedDocument, RequestKind } from './types.js';

/** The apiVersion and kind of a request kind's entry, `kinds/<name>.yaml`. */
export const REQUEST_KIND_API_VERSION = 'plinth.dev/v1alpha1';
export const REQUEST_KIND = 'RequestKind';

/** The folder of a catalog that holds the request kinds. */
export const KINDS_DIR = 'kinds';

/** A name that can be a URL segment, a label value and a Terraform workspace prefix. */
const KIND_NAME = /^[a-z]([-a-z0-9]{0,30}[a-z0-9])?$/;
const YAML_FILE = /\.ya?ml$/i;

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Checks one `RequestKind` document and reads it; throws ManifestError with the line. */
export function parseRequestKind(
  doc: ParsedDocument,
  ajv = new Ajv({ strict: false, validateFormats: false }),
): RequestKind {
  const fail = (message: string, at: ManifestPath): never => {
    throw new ManifestError(message, { file: doc.file, ...doc.locate(at) });
  };
  const o = doc.object;
  if (!isObj(o)) return fail('a request kind must be a mapping', []);
  if (o.apiVersion !== REQUEST_KIND_API_VERSION || o.kind !== REQUEST_KIND) {
    return fail(
      `a file under ${KINDS_DIR}/ holds request kinds: use apiVersion: ${REQUEST_KIND_API_VERSION} and kind: ${REQUEST_KIND}`,
      ['kind'],
    );
  }
  const name = isObj(o.metadata) ? o.metadata.name : undefined;
  if (typeof name !== 'string' || !KIND_NAME.test(name)) {
    return fail(
      'metadata.name must be a kind name: 1 to 32 lowercase letters, digits and "-", starting with a letter',
      ['metadata', 'name'],
    );
  }
  if (!isObj(o.spec)) return fail('spec is missing', ['spec']);
  const spec = o.spec;
  const text = (field: string, required = true): string => {
    const v = spec[field];
    if (v === undefined && !required) return '';
    if (typeof v !== 'string' || v === '') {
      return fail(`spec.${field} must be a non-empty string`, ['spec', field]);
    }
    return v;
  };
  const approval = spec.approval ?? true;
  if (typeof approval !== 'boolean') {
    return fail('spec.approval must be true or false', ['spec', 'approval']);
  }
  const schema = spec.schema;
  if (!isObj(schema) || schema.type !== 'object' || !isObj(schema.properties)) {
    return fail('spec.schema must be a JSON Schema with type: object and properties', [
      'spec',
      'schema',
    ]);
  }
  try {
    ajv.compile(schema);
  } catch (err) {
    return fail(`spec.schema is not a valid JSON Schema: ${(err as Error).message}`, [
      'spec',
      'schema',
    ]);
  }
  const module = text('module', false);
  return {
    name,
    title: text('title'),
    description: text('description'),
    eventSourceName: text('eventSourceName'),
    eventName: text('eventName'),
    workflowTemplate: text('workflowTemplate'),
    module: module === '' ? null : module,
    approval,
    schema,
    file: doc.file,
  };
}

/** Reads every `kinds/*.yaml` of a catalog folder; none when the folder is absent. */
export async function loadRequestKinds(catalogDir: string): Promise<RequestKind[]> {
  const dir = path.join(catalogDir, KINDS_DIR);
  const names = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw err;
  });
  const ajv = new Ajv({ strict: false, validateFormats: false });
  const kinds: RequestKind[] = [];
  const seen = new Map<string, string>();
  for (const name of names.filter((n) => YAML_FILE.test(n) && !n.startsWith('.')).sort()) {
    const file = path.join(dir, name);
    for (const doc of parseManifests(await readFile(file, 'utf8'), file)) {
      const kind = parseRequestKind(doc, ajv);
      const earlier = seen.get(kind.name);
      if (earlier !== undefined) {
        throw new ManifestError(
          `request kind "${kind.name}" is defined twice, first in ${earlier} (rename or remove one)`,
          { file, ...doc.locate(['metadata', 'name']) },
        );
      }
      seen.set(kind.name, file);
      kinds.push(kind);
    }
  }
  return kinds;
}

/**
 * Checks that each kind's references exist in the catalog: its EventSource
 * event, its WorkflowTemplate and its module folder.
 */
export function checkRequestKinds(
  kinds: readonly RequestKind[],
  refs: { eventSources: Manifest[]; workflowTemplates: Manifest[]; modulesDir: string },
): void {
  for (const kind of kinds) {
    const where = { file: kind.file };
    const source = refs.eventSources.find((e) => e.metadata.name === kind.eventSourceName);
    const spec = isObj(source?.spec) ? source.spec : {};
    const hooks = isObj(spec.webhook) ? spec.webhook : {};
    if (!source || !isObj(hooks[kind.eventName])) {
      throw new ManifestError(
        `request kind "${kind.name}" posts to event "${kind.eventName}" of EventSource "${kind.eventSourceName}", which the catalog does not define (add a webhook endpoint named ${kind.eventName} to an EventSource in events/)`,
        where,
      );
    }
    if (!refs.workflowTemplates.some((t) => t.metadata.name === kind.workflowTemplate)) {
      throw new ManifestError(
        `request kind "${kind.name}" runs WorkflowTemplate "${kind.workflowTemplate}", which the catalog does not define (add workflows/${kind.workflowTemplate}.yaml)`,
        where,
      );
    }
    if (kind.module !== null && !existsSync(path.join(refs.modulesDir, kind.module))) {
      throw new ManifestError(
        `request kind "${kind.name}" names module "${kind.module}", which is not a folder of modules/ (add modules/${kind.module}/)`,
        where,
      );
    }
  }
}

/** Reads the named kinds' entries, `kinds/<name>.yaml`, at once (for a composition root without async). */
export function readRequestKindsSync(catalogDir: string, names: readonly string[]): RequestKind[] {
  const ajv = new Ajv({ strict: false, validateFormats: false });
  return names.flatMap((name) => {
    const file = path.join(catalogDir, KINDS_DIR, `${name}.yaml`);
    return parseManifests(readFileSync(file, 'utf8'), file).map((doc) =>
      parseRequestKind(doc, ajv),
    );
  });
}
