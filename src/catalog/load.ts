import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { ManifestError, NotFoundError } from '../errors/index.js';
import { checkRequestKinds, KINDS_DIR, loadRequestKinds } from './kinds.js';
import { parseManifests } from './parse.js';
import {
  ManifestKind,
  type Catalog,
  type CatalogEntry,
  type Manifest,
  type ParsedDocument,
} from './types.js';

const API_VERSION = 'argoproj.io/v1alpha1';
const KINDS = new Set<string>(Object.values(ManifestKind));
const YAML_FILE = /\.ya?ml$/i;

/** Folders of a catalog that hold no Argo manifests (request kinds are read on their own). */
const SKIPPED_DIRS = new Set(['modules', 'node_modules', KINDS_DIR]);

async function yamlFiles(dir: string, top: boolean): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (top && SKIPPED_DIRS.has(entry.name)) continue;
      files.push(...(await yamlFiles(full, false)));
    } else if (entry.isFile() && YAML_FILE.test(entry.name)) {
      files.push(full);
    }
  }
  return files;
}

/** Checks the fields every manifest needs and narrows it to a Manifest. */
export function toManifest(doc: ParsedDocument): Manifest {
  const fail = (message: string, at: readonly (string | number)[]): never => {
    throw new ManifestError(message, { file: doc.file, ...doc.locate(at) });
  };
  const o = doc.object;
  if (typeof o !== 'object' || o === null || Array.isArray(o)) {
    return fail('a manifest must be a mapping with apiVersion, kind and metadata', []);
  }
  const m = o as Record<string, unknown>;
  if (typeof m.kind !== 'string' || m.kind === '') {
    return fail(`kind is missing (use one of ${[...KINDS].join(', ')})`, ['kind']);
  }
  if (!KINDS.has(m.kind)) {
    return fail(
      `unknown kind "${m.kind}" (a catalog holds ${[...KINDS].join(', ')}; check the spelling)`,
      ['kind'],
    );
  }
  if (m.apiVersion !== API_VERSION) {
    return fail(
      `apiVersion of a ${m.kind} must be "${API_VERSION}", not ${JSON.stringify(m.apiVersion ?? null)}`,
      ['apiVersion'],
    );
  }
  const meta = m.metadata;
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) {
    return fail('metadata is missing (add metadata.name)', ['metadata']);
  }
  const { name, generateName } = meta as Record<string, unknown>;
  const named = typeof name === 'string' && name !== '';
  const generated =
    m.kind === 'Workflow' && typeof generateName === 'string' && generateName !== '';
  if (!named && !generated) {
    return fail(
      m.kind === 'Workflow'
        ? 'metadata.name or metadata.generateName is required'
        : 'metadata.name is required',
      ['metadata', 'name'],
    );
  }
  return m as Manifest;
}

function key(m: Manifest): string | undefined {
  return m.metadata.name === undefined
    ? undefined
    : `${m.kind}/${m.metadata.namespace ?? ''}/${m.metadata.name}`;
}

/**
 * Loads every `*.yaml` / `*.yml` under a catalog folder (except the Terraform
 * modules in `modules/`), each document dispatched by kind. Throws
 * ManifestError with the file and line for anything Argo would refuse to read.
 */
export async function loadCatalog(dir: string): Promise<Catalog> {
  const root = path.resolve(dir);
  const files = await yamlFiles(root, true).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR') {
      throw new NotFoundError(`no catalog folder at ${root} (set --catalog or PLINTH_CATALOG_DIR)`);
    }
    throw err;
  });
  files.sort();
  const catalog: Catalog = {
    dir: root,
    eventBuses: [],
    eventSources: [],
    sensors: [],
    workflowTemplates: [],
    workflows: [],
    modulesDir: path.join(root, 'modules'),
    entries: [],
    files,
    kinds: [],
  };
  const seen = new Map<string, CatalogEntry>();
  const lists: Record<ManifestKind, Manifest[]> = {
    EventBus: catalog.eventBuses,
    EventSource: catalog.eventSources,
    Sensor: catalog.sensors,
    WorkflowTemplate: catalog.workflowTemplates,
    Workflow: catalog.workflows,
  };
  for (const file of files) {
    const text = await readFile(file, 'utf8');
    for (const document of parseManifests(text, file)) {
      const manifest = toManifest(document);
      const entry = { manifest, document };
      const id = key(manifest);
      const earlier = id === undefined ? undefined : seen.get(id);
      if (earlier) {
        const where = `${earlier.document.file}:${earlier.document.position.line}`;
        throw new ManifestError(
          `${manifest.kind} "${manifest.metadata.name}" is defined twice, first at ${where} (rename or remove one)`,
          { file, ...document.locate(['metadata', 'name']) },
        );
      }
      if (id !== undefined) seen.set(id, entry);
      lists[manifest.kind as ManifestKind].push(manifest);
      catalog.entries.push(entry);
    }
  }
  catalog.kinds = await loadRequestKinds(root);
  checkRequestKinds(catalog.kinds, catalog);
  return catalog;
}
