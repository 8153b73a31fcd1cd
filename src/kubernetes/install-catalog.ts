import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../errors/index.js';
import { InstallNames } from './install-types.js';
import type { KubernetesObject } from './types.js';

/** A ConfigMap holds at most 1 MiB; leave room for its metadata. */
const CONFIGMAP_LIMIT = 1_000_000;

/** What never belongs in the shipped catalog: Terraform's local state and caches. */
function skipped(name: string): boolean {
  return name.startsWith('.') || name === 'node_modules' || /\.tfstate(\.backup)?$/.test(name);
}

async function filesUnder(root: string, dir = root): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (skipped(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(root, full)));
    else if (entry.isFile()) out.push(path.relative(root, full).split(path.sep).join('/'));
  }
  return out.sort();
}

/** A ConfigMap key for a relative path: keys allow only `[-._a-zA-Z0-9]`. */
function keyOf(relative: string): string {
  return relative.replace(/\//g, '_').replace(/[^-._a-zA-Z0-9]/g, '-');
}

/** One mounted file: the ConfigMap key and the path it appears at. */
export interface CatalogItem {
  key: string;
  path: string;
}

/** The catalog as one ConfigMap, and the items that lay it out as folders when mounted. */
export interface CatalogConfigMap {
  configMap: KubernetesObject;
  items: CatalogItem[];
}

/**
 * Ships a catalog folder (manifests, request kinds, policies and the
 * Terraform modules) as one ConfigMap. Mounted with `items`, the files appear
 * at their paths, so `PLINTH_CATALOG_DIR` points at the mount in the API and
 * in the steps that run `plinth terraform`.
 */
export async function renderCatalogConfigMap(
  dir: string,
  namespace: string,
  labels: Record<string, string>,
): Promise<CatalogConfigMap> {
  const data: Record<string, string> = {};
  const binaryData: Record<string, string> = {};
  const items: CatalogItem[] = [];
  const owners = new Map<string, string>();
  let size = 0;
  for (const relative of await filesUnder(dir)) {
    const key = keyOf(relative);
    const earlier = owners.get(key);
    if (earlier !== undefined) {
      throw new InputError(
        `catalog files ${earlier} and ${relative} map to the same ConfigMap key "${key}" (rename one)`,
      );
    }
    owners.set(key, relative);
    const bytes = await readFile(path.join(dir, relative));
    const text = bytes.toString('utf8');
    if (Buffer.from(text, 'utf8').equals(bytes)) data[key] = text;
    else binaryData[key] = bytes.toString('base64');
    size += bytes.length;
    items.push({ key, path: relative });
  }
  if (size > CONFIGMAP_LIMIT) {
    throw new InputError(
      `the catalog at ${dir} holds ${size} bytes, more than a ConfigMap can (1 MiB); remove large files from it or ship the catalog in the image`,
    );
  }
  const configMap: KubernetesObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: InstallNames.catalog, namespace, labels },
    data,
    ...(Object.keys(binaryData).length > 0 ? { binaryData } : {}),
  };
  return { configMap, items };
}
