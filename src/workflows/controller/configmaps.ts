import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { allowAll, substituteString, type TagScope } from '../expressions/index.js';
import type { Parameter } from '../model/types.js';

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * A ConfigMap key on this machine: the file `<dir>/<name>/<key>`. Returns the
 * value, or Argo's not-found message when the ConfigMap or the key is missing.
 */
export function readConfigMapKey(
  dir: string,
  name: string,
  key: string,
): { value: string } | { missing: string } {
  if (!SEGMENT.test(name)) return { missing: `ConfigMap '${name}' does not exist` };
  if (!SEGMENT.test(key)) return { missing: `ConfigMap '${name}' does not have the key '${key}'` };
  try {
    return { value: readFileSync(join(dir, name, key), 'utf8') };
  } catch {
    return existsSync(join(dir, name))
      ? { missing: `ConfigMap '${name}' does not have the key '${key}'` }
      : { missing: `ConfigMap '${name}' does not exist (no directory ${join(dir, name)})` };
  }
}

/**
 * The value of a parameter whose `valueFrom.configMapKeyRef` names a key, or
 * its `valueFrom.default` when the key is missing. Throws `failure(reason)`
 * when neither exists; returns undefined for a parameter with no such ref.
 * The ConfigMap's name and key may use the tags of `scope`
 * (`{{workflow.parameters.x}}`, earlier `{{inputs.parameters.y}}`).
 */
export function configMapParameter(
  dir: string,
  p: Parameter,
  failure: (reason: string) => string,
  scope?: TagScope,
): string | undefined {
  const ref = p.valueFrom?.configMapKeyRef;
  if (ref === undefined) return undefined;
  const name = scope ? substituteString(ref.name, scope, allowAll).trim() : ref.name;
  const key = scope ? substituteString(ref.key, scope, allowAll).trim() : ref.key;
  const found = readConfigMapKey(dir, name, key);
  if ('value' in found) return found.value;
  if (p.valueFrom?.default !== undefined) return p.valueFrom.default;
  throw new Error(failure(found.missing));
}

/**
 * Writes ConfigMap manifests' `data` as the files `<dir>/<name>/<key>` that
 * parameters and semaphores read; entries that are not ConfigMaps with a
 * usable name are skipped.
 */
export function writeConfigMaps(dir: string, manifests: unknown[]): void {
  for (const m of manifests) {
    const cm = m as { metadata?: { name?: unknown }; data?: unknown } | null;
    const name = cm?.metadata?.name;
    if (typeof name !== 'string' || !SEGMENT.test(name)) continue;
    if (typeof cm?.data !== 'object' || cm.data === null) continue;
    mkdirSync(join(dir, name), { recursive: true });
    for (const [key, value] of Object.entries(cm.data as Record<string, unknown>)) {
      if (SEGMENT.test(key) && typeof value === 'string')
        writeFileSync(join(dir, name, key), value);
    }
  }
}
