import { spawnSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readlinkSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { isAbsolute, join, normalize, posix } from 'node:path';

/** A host directory bound at an absolute path inside a step. */
export interface StepMount {
  /** The host directory (created when missing). */
  source: string;
  /** Where the step sees it. */
  mountPath: string;
  readOnly?: boolean;
}

/**
 * A step's own view of the filesystem: a root directory on the host that is
 * the step's `/`. The host's top-level directories are bound into it, except
 * `/tmp` and the other top-level directories the step's paths name, which are
 * plain (private) directories of that root; volumes are bound at their mount
 * paths; paths the step must still see (its working directory, the package,
 * Node) are bound at their own paths.
 */
export interface StepFilesystem {
  /** The host directory that is the step's `/`. */
  root: string;
  /** Top-level names that are the step's own (always `tmp`). */
  privateTops: string[];
  mounts: StepMount[];
  /** Host paths the step sees at the same path. */
  visible: string[];
}

/**
 * Top-level directories a step always shares with the host: hiding them would
 * hide the system. A path below them is the host's path.
 */
const SHARED_TOPS = new Set([
  'bin',
  'boot',
  'dev',
  'etc',
  'home',
  'lib',
  'lib32',
  'lib64',
  'libx32',
  'nix',
  'opt',
  'proc',
  'run',
  'sbin',
  'snap',
  'srv',
  'sys',
  'usr',
  'var',
]);

/** The first component of an absolute path (`mnt` for `/mnt/vol/x`), or '' for `/`. */
function topOf(path: string): string {
  return posix.normalize(path).split('/')[1] ?? '';
}

function within(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith('/') ? dir : `${dir}/`);
}

/**
 * Plans a step's filesystem from the absolute paths it names (output and input
 * paths, volume mount paths). Every top-level directory named that is not a
 * system one becomes private, as is a file at the root (`/result.txt`).
 */
export function planStepFilesystem(input: {
  root: string;
  paths: string[];
  mounts: StepMount[];
  visible: string[];
}): StepFilesystem {
  const privateTops = new Set(['tmp']);
  // A file at the root (`/result.txt`) needs nothing: the root itself is the step's own.
  const dirs = [
    ...input.paths.filter((p) => depth(p) > 1),
    ...input.mounts.map((m) => m.mountPath),
  ];
  for (const p of dirs) {
    const top = topOf(p);
    if (top && !SHARED_TOPS.has(top)) privateTops.add(top);
  }
  const mounts = input.mounts
    .map((m) => ({ ...m, mountPath: posix.normalize(m.mountPath) }))
    .sort((a, b) => depth(a.mountPath) - depth(b.mountPath));
  const fs = { root: input.root, privateTops: [...privateTops].sort(), mounts, visible: [] };
  return withVisible(fs, input.visible);
}

/**
 * Adds host paths the step must see at their own path. Only those under a
 * private top-level directory need a mount; one under a volume is hidden by
 * it, as a container's image directory is.
 */
export function withVisible(fs: StepFilesystem, paths: string[]): StepFilesystem {
  const visible = [...new Set([...fs.visible, ...paths].map((v) => normalize(v)))]
    .filter((v) => isAbsolute(v) && fs.privateTops.includes(topOf(v)))
    .filter((v) => !fs.mounts.some((m) => within(v, m.mountPath)))
    .sort((a, b) => depth(a) - depth(b));
  // Keep the outermost of nested visible paths: the inner ones are inside it.
  const outermost = visible.filter((v, i) => !visible.slice(0, i).some((o) => within(v, o)));
  return { ...fs, visible: outermost };
}

function depth(path: string): number {
  return path.split('/').filter(Boolean).length;
}

/**
 * Where an absolute path of the step is on the host: inside a volume's
 * directory, a visible path itself, or inside the step's root for a private
 * top-level directory. Undefined for a path the step shares with the host.
 */
export function hostPath(fs: StepFilesystem, path: string, mounts = fs.mounts): string | undefined {
  if (!isAbsolute(path)) return undefined;
  const p = posix.normalize(path);
  let best: { at: string; source: string } | undefined;
  for (const m of mounts) {
    if (within(p, m.mountPath) && (!best || m.mountPath.length > best.at.length))
      best = { at: m.mountPath, source: m.source };
  }
  for (const v of fs.visible) {
    if (within(p, v) && (!best || v.length > best.at.length)) best = { at: v, source: v };
  }
  if (best) return join(best.source, p.slice(best.at.length));
  const top = topOf(p);
  if (top === '' || fs.privateTops.includes(top)) return join(fs.root, p);
  // The host's top-level directories are bound into the root; nothing else of it is.
  const entry = readHostTops().find((e) => e.name === top);
  if (!entry || (!entry.dir && entry.link === undefined)) return join(fs.root, p);
  return undefined;
}

let hostTops: { name: string; link?: string; dir: boolean }[] | undefined;

/** The host's top-level entries, read once. */
function readHostTops(): { name: string; link?: string; dir: boolean }[] {
  if (hostTops) return hostTops;
  hostTops = [];
  for (const name of readdirSync('/')) {
    try {
      const st = lstatSync(join('/', name));
      if (st.isSymbolicLink())
        hostTops.push({ name, link: readlinkSync(join('/', name)), dir: false });
      else hostTops.push({ name, dir: st.isDirectory() });
    } catch {
      // Gone since the listing.
    }
  }
  return hostTops;
}

/** An fstab field: spaces, tabs, newlines and backslashes in octal, as mount(8) reads them. */
function fstabField(text: string): string {
  return text.replace(/[\\ \t\n]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
}

/**
 * Builds the step's root directory and writes the table of bind mounts that
 * make it (`<root>.fstab`, for `mount --all --fstab`). Returns the table's path.
 */
export function prepareStepFilesystem(fs: StepFilesystem): string {
  const { root } = fs;
  mkdirSync(root, { recursive: true });
  const lines: string[] = [];
  const bind = (source: string, target: string, options: string) =>
    lines.push(`${fstabField(source)} ${fstabField(target)} none ${options} 0 0`);
  for (const entry of readHostTops()) {
    if (fs.privateTops.includes(entry.name)) {
      mkdirSync(join(root, entry.name), { recursive: true });
      continue;
    }
    const target = join(root, entry.name);
    if (entry.link !== undefined) {
      if (!existsSync(target)) {
        try {
          symlinkSync(entry.link, target);
        } catch {
          // Made by an earlier container of the same pod.
        }
      }
    } else if (entry.dir) {
      mkdirSync(target, { recursive: true });
      bind(join('/', entry.name), target, 'rbind');
    }
  }
  for (const top of fs.privateTops) mkdirSync(join(root, top), { recursive: true });
  const done: StepMount[] = [];
  const place = (source: string, mountPath: string, options: string) => {
    // The mount point, as the step will see the path once the earlier mounts are made.
    const at = hostPath({ ...fs, visible: [] }, mountPath, done);
    if (at === undefined) {
      if (!existsSync(mountPath)) return false;
    } else mkdirSync(at, { recursive: true });
    bind(source, join(root, mountPath), options);
    return true;
  };
  for (const m of fs.mounts) {
    mkdirSync(m.source, { recursive: true });
    if (place(m.source, m.mountPath, m.readOnly ? 'bind,ro' : 'bind')) done.push(m);
  }
  for (const v of fs.visible) {
    if (!existsSync(v)) continue;
    // Not recursive: the step's own root may lie inside a visible path.
    if (place(v, v, 'bind')) done.push({ source: v, mountPath: v });
  }
  const table = `${root}.fstab`;
  writeFileSync(table, lines.join('\n') + '\n');
  return table;
}

/**
 * The argv that runs `argv` inside `fs`: a private mount namespace (and a
 * user namespace when not root) where the table is mounted, then the program
 * with the step's root as `/` and `workDir` as its working directory. Every
 * stage replaces the one before (exec), so the process started is the step.
 */
export function isolatedArgv(
  fs: StepFilesystem,
  table: string,
  workDir: string,
  argv: string[],
): string[] {
  return [
    'unshare',
    ...namespaceFlags(),
    '--',
    '/bin/sh',
    '-c',
    'mount --no-canonicalize --all --fstab "$1" || exit 126; r=$2 w=$3; shift 3; exec unshare --root="$r" --wd="$w" -- "$@"',
    'plinth-step',
    table,
    fs.root,
    workDir,
    ...argv,
  ];
}

function namespaceFlags(): string[] {
  // Root needs no user namespace (and keeps its access to files of other users).
  return process.getuid?.() === 0 ? ['--mount'] : ['--user', '--map-root-user', '--mount'];
}

let available: boolean | undefined;

/** Whether this machine lets a step have its own mount namespace (checked once). */
export function namespacesAvailable(): boolean {
  if (available !== undefined) return available;
  const probe = spawnSync('unshare', [...namespaceFlags(), '--', '/bin/true'], {
    stdio: 'ignore',
    timeout: 10_000,
  });
  available = probe.status === 0;
  return available;
}
