import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { InputError, NotFoundError } from '../../errors/index.js';

/** A key of a Kubernetes Secret or ConfigMap, as Argo's manifests name them. */
export interface SecretRef {
  kind: 'secret' | 'configMap';
  name: string;
  key: string;
}

/**
 * Where secrets come from on one machine (there are no Kubernetes Secrets):
 * resolves a Secret's (or ConfigMap's) key to its value, or throws
 * NotFoundError naming where it looked.
 */
export interface SecretResolver {
  resolve(ref: SecretRef): Promise<string>;
}

/** Where a file-and-environment resolver looks. */
export interface SecretResolverOptions {
  /** Files `<dir>/<name>/<key>` (as Argo mounts secrets under /argo-events/secrets/). */
  secretsDir?: string;
  /** Files `<dir>/<name>/<key>` for ConfigMaps (Argo: /argo-events/config/). */
  configMapsDir?: string;
  /** Environment variables `<envPrefix><NAME>_<KEY>`, upper-cased with `-` and `.` as `_`. */
  env?: Record<string, string | undefined>;
  /**
   * Only variables with this prefix are secrets (`PLINTH_SECRET_` by default),
   * so a sensor cannot read the rest of Plinth's environment.
   */
  envPrefix?: string;
}

function envName(ref: SecretRef, prefix: string): string {
  return prefix + `${ref.name}_${ref.key}`.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
}

function safeSegment(segment: string, ref: SecretRef): string {
  if (!segment || segment.includes('/') || segment.includes('\\') || segment.startsWith('.')) {
    throw new InputError(`${ref.kind} reference ${ref.name}/${ref.key} is not a valid name`);
  }
  return segment;
}

/**
 * Resolves secrets from files first, then environment variables. A trailing
 * newline of a file is dropped, as Argo does for mounted values.
 */
export function createSecretResolver(options: SecretResolverOptions): SecretResolver {
  return {
    async resolve(ref) {
      const dir = ref.kind === 'secret' ? options.secretsDir : options.configMapsDir;
      const tried: string[] = [];
      if (dir !== undefined) {
        const file = path.join(dir, safeSegment(ref.name, ref), safeSegment(ref.key, ref));
        tried.push(file);
        try {
          const text = await readFile(file, 'utf8');
          return text.endsWith('\n') ? text.slice(0, -1) : text;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        }
      }
      const name = envName(ref, options.envPrefix ?? 'PLINTH_SECRET_');
      tried.push(`$${name}`);
      const value = options.env?.[name];
      if (value !== undefined) return value;
      throw new NotFoundError(
        `${ref.kind} ${ref.name} key ${ref.key} not found (looked in ${tried.join(', ')})`,
        { details: { kind: ref.kind, name: ref.name, key: ref.key } },
      );
    },
  };
}
