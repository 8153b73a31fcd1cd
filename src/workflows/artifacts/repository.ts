import {
  cp,
  mkdir,
  mkdtemp,
  readFile,
  readdir,
  rename,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import { dirname, join, posix, relative } from 'node:path';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { InputError, NotFoundError } from '../../errors/index.js';
import { packTar, unpackTar } from './tar.js';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** How an artifact is stored: Argo's `archive: {tar: {}}` (the default) or `archive: {none: {}}`. */
export const ArchiveStrategy = { Tar: 'tar', None: 'none' } as const;
export type ArchiveStrategy = (typeof ArchiveStrategy)[keyof typeof ArchiveStrategy];

/** The suffix of keys that hold a tar.gz archive, as Argo names them. */
export const ARCHIVE_SUFFIX = '.tgz';

/** Where artifacts are kept, addressed by key (`<workflow uid>/<node id>/<name>`). */
export interface ArtifactRepository {
  /**
   * Stores the file or directory at `fromPath` under `key`. A key ending in
   * `.tgz` is stored as a tar.gz archive (a plain file stays a file inside
   * it); any other key keeps the file or directory as it is.
   */
  save(key: string, fromPath: string): Promise<void>;
  /** Puts the artifact stored under `key` at `toPath` (unpacked when archived). */
  load(key: string, toPath: string): Promise<void>;
  exists(key: string): Promise<boolean>;
  /** The keys of the files stored under `prefix`, sorted. */
  list(prefix: string): Promise<string[]>;
}

/** Options of the local artifact repository. */
export interface LocalArtifactRepositoryOptions {
  /** The directory that holds the artifacts (`<dataDir>/artifacts`). */
  root: string;
}

/** An artifact repository in a directory of the machine. */
export function createLocalArtifactRepository(
  opts: LocalArtifactRepositoryOptions,
): ArtifactRepository {
  const root = opts.root;
  const at = (key: string) => join(root, checkKey(key));

  return {
    async save(key, fromPath) {
      const target = at(key);
      await mkdir(dirname(target), { recursive: true });
      await rm(target, { recursive: true, force: true });
      if (key.endsWith(ARCHIVE_SUFFIX)) {
        const data = await gzipAsync(await packTar(fromPath));
        const tmp = `${target}.partial`;
        await writeFile(tmp, data);
        await rename(tmp, target);
      } else {
        await cp(fromPath, target, { recursive: true });
      }
    },

    async load(key, toPath) {
      const source = at(key);
      if (!(await present(source))) throw new NotFoundError(`artifact '${key}' not found`);
      await mkdir(dirname(toPath), { recursive: true });
      await rm(toPath, { recursive: true, force: true });
      if (!key.endsWith(ARCHIVE_SUFFIX)) {
        await cp(source, toPath, { recursive: true });
        return;
      }
      const archive = await gunzipAsync(await readFile(source));
      const tmp = await mkdtemp(join(dirname(toPath), '.artifact-'));
      try {
        const top = await unpackTar(archive, tmp);
        // One root entry (the usual case) becomes the path itself; several are kept beneath it.
        if (top.length === 1 && top[0] !== undefined) await rename(join(tmp, top[0]), toPath);
        else await rename(tmp, toPath);
      } finally {
        await rm(tmp, { recursive: true, force: true });
      }
    },

    async exists(key) {
      return present(at(key));
    },

    async list(prefix) {
      const base = prefix === '' ? root : at(prefix);
      const out: string[] = [];
      await walk(base, out);
      return out.map((f) => relative(root, f).split('\\').join('/')).sort();
    },
  };
}

function checkKey(key: string): string {
  const norm = posix.normalize(key);
  if (key === '' || norm.startsWith('/') || norm === '..' || norm.startsWith('../')) {
    throw new InputError(`artifact key '${key}' must be a relative path inside the repository`);
  }
  return norm;
}

async function present(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

async function walk(path: string, out: string[]): Promise<void> {
  let st;
  try {
    st = await stat(path);
  } catch {
    return;
  }
  if (st.isFile()) {
    out.push(path);
    return;
  }
  if (!st.isDirectory()) return;
  for (const child of await readdir(path)) await walk(join(path, child), out);
}
