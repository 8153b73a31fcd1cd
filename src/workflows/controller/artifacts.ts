import { existsSync } from 'node:fs';
import { chmod, mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import {
  ARCHIVE_SUFFIX,
  createLocalArtifactRepository,
  type ArtifactRepository,
} from '../artifacts/index.js';
import { hostPath, type StepFilesystem } from '../executor/index.js';
import { evaluateExpression, type TagScope } from '../expressions/index.js';
import type { Artifact, Arguments, NodeStatus, Template, WorkflowStep } from '../model/types.js';
import { sendRequest } from './request.js';
import { absentOutputMessage, usesAbsentOutput } from './absent.js';
import type { WorkflowRun } from './run.js';

/** Where an artifact is: the storage keys Argo knows, and Plinth's `local`. */
const LOCATION_KEYS = [
  'local',
  'raw',
  'http',
  's3',
  'gcs',
  'git',
  'artifactory',
  'hdfs',
  'oss',
  'azure',
  'plugin',
] as const;

/** Input artifacts fetched over HTTP are capped, as a step's disk would be. */
const MAX_HTTP_ARTIFACT = 512 * 1024 * 1024;

const repositories = new WeakMap<object, ArtifactRepository>();

/** The run's artifact repository: `<dataDir>/artifacts`. */
export function artifactRepository(run: WorkflowRun): ArtifactRepository {
  let repo = repositories.get(run.deps);
  if (!repo) {
    repo = createLocalArtifactRepository({ root: join(run.deps.dataDir, 'artifacts') });
    repositories.set(run.deps, repo);
  }
  return repo;
}

/** Whether an artifact names where its content is. */
export function hasLocation(a: Artifact): boolean {
  return LOCATION_KEYS.some((k) => a[k] !== undefined);
}

/** An artifact's location fields alone. */
type Location = Record<string, unknown>;

function locationOf(a: Artifact): Location {
  const out: Location = {};
  for (const k of LOCATION_KEYS) if (a[k] !== undefined) out[k] = a[k];
  return out;
}

/** Storage kinds whose key-only form (`s3: {key: x}`) means "in the default repository". */
const KEY_ONLY_KINDS = ['s3', 'gcs', 'oss'] as const;

/**
 * The key of an artifact in Plinth's repository: its `local.key`, or the key
 * of a key-only artifact, which Argo resolves against the default artifact
 * repository (here, the local one).
 */
export function repositoryKey(a: Artifact): string | undefined {
  if (a.local?.key !== undefined) return a.local.key;
  for (const kind of KEY_ONLY_KINDS) {
    const loc = a[kind];
    if (loc === null || typeof loc !== 'object') continue;
    const fields = Object.keys(loc);
    const key = (loc as { key?: unknown }).key;
    if (fields.length === 1 && typeof key === 'string') return key;
  }
  return undefined;
}

/** The text a `{{...outputs.artifacts.NAME}}` tag stands for: the artifact, as JSON. */
export function artifactTagValue(a: Artifact): string {
  return JSON.stringify(a);
}

/** The arguments' artifacts for a node: its step's or task's, or the Workflow's for the entrypoint. */
export function argumentArtifacts(run: WorkflowRun, holder: object, nodeName: string): Artifact[] {
  const args = (holder as { arguments?: Arguments }).arguments;
  if (args?.artifacts) {
    // A skipped producer's output without a default cannot name an artifact's location or subPath.
    const absent = args.artifacts.find((a) => usesAbsentOutput(a));
    if (absent) throw new Error(absentOutputMessage(`arguments.artifacts.${absent.name}`));
    return args.artifacts;
  }
  if (nodeName === run.name) return run.execSpec.arguments?.artifacts ?? [];
  return [];
}

/**
 * A template's input artifacts bound to the arguments: each takes the
 * location of its argument (`from`, `raw`, `http`, ...) or keeps its own.
 * Throws an Error with Argo's message when a `from` did not resolve.
 */
export function bindInputArtifacts(tmpl: Template, args: Artifact[]): Artifact[] {
  const out: Artifact[] = [];
  for (const input of tmpl.inputs?.artifacts ?? []) {
    const arg = args.find((a) => a.name === input.name);
    let location: Location = {};
    if (arg?.from !== undefined) location = locationOf(parseReference(arg.from));
    else if (arg && hasLocation(arg)) location = locationOf(arg);
    const { from: _from, fromExpression: _expr, ...own } = input;
    const bound: Artifact = LOCATION_KEYS.some((k) => location[k] !== undefined)
      ? { ...withoutLocation(own), ...location }
      : { ...own };
    out.push(bound);
  }
  return out;
}

function withoutLocation(a: Artifact): Artifact {
  const out: Artifact = { ...a };
  for (const k of LOCATION_KEYS) delete out[k];
  return out;
}

function parseReference(from: string): Artifact {
  const text = from.trim();
  if (text.startsWith('{')) {
    try {
      return JSON.parse(text) as Artifact;
    } catch {
      // falls through to Argo's message
    }
  }
  throw new Error(`Unable to resolve: ${from}`);
}

/**
 * Turns each `arguments.artifacts[].fromExpression` of a step into a `from`,
 * evaluated over the step's scope (`steps.X.outputs.artifacts.Y` ...).
 */
export function resolveArtifactExpressions<T extends WorkflowStep>(step: T, scope: TagScope): T {
  const artifacts = step.arguments?.artifacts;
  if (!artifacts?.some((a) => a.fromExpression !== undefined)) return step;
  const vars: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  if (scope.entries) for (const [k, v] of scope.entries()) vars[k] = v;
  const resolved = artifacts.map((a) => {
    if (a.fromExpression === undefined) return a;
    const { fromExpression, ...rest } = a;
    let value: unknown;
    try {
      value = evaluateExpression(fromExpression, vars);
    } catch (err) {
      throw new Error(`failed to evaluate expression: ${(err as Error).message}`);
    }
    if (typeof value !== 'string') throw new Error(`Unable to resolve: ${fromExpression}`);
    return { ...rest, from: value };
  });
  return { ...step, arguments: { ...step.arguments, artifacts: resolved } };
}

/**
 * Where a path a step names is on the host. A relative path is in the node's
 * working directory. An absolute one is where the step's own filesystem puts
 * it (`/tmp/x` in the pod's private /tmp, `/mnt/vol/x` in the volume), when it
 * has one, or where it is on the host. Either way, when nothing is there and the
 * working directory has it, it is the working directory's: an image whose working
 * directory is `/` has its relative files there (`result.txt` is `/result.txt`),
 * where a host step writes them in its own directory.
 */
export function artifactPath(workDir: string, path: string, fs?: StepFilesystem): string {
  if (!isAbsolute(path)) return join(workDir, path);
  const inWorkDir = join(workDir, path);
  const mapped = fs ? hostPath(fs, path) : undefined;
  if (mapped !== undefined)
    return existsSync(mapped) || !existsSync(inWorkDir) ? mapped : inWorkDir;
  if (existsSync(path)) return path;
  return existsSync(inWorkDir) ? inWorkDir : path;
}

/**
 * Puts a node's input artifacts at their paths before its process starts.
 * Returns the node's error message, Argo's, when one cannot be loaded.
 */
export async function loadInputArtifacts(
  run: WorkflowRun,
  artifacts: Artifact[],
  workDir: string,
  fs?: StepFilesystem,
): Promise<string | undefined> {
  await mkdir(workDir, { recursive: true });
  for (const a of artifacts) {
    if (!hasLocation(a)) {
      if (a.optional) continue;
      return `required artifact '${a.name}' not supplied`;
    }
    if (a.path === undefined || a.path === '') {
      return `inputs.artifacts.${a.name}.path not specified`;
    }
    const dest = artifactPath(workDir, a.path, fs);
    try {
      await loadOne(run, a, dest);
      if (a.mode !== undefined) await chmod(dest, Number(a.mode));
    } catch (err) {
      if (a.optional) continue;
      return `failed to load artifact '${a.name}': ${(err as Error).message}`;
    }
  }
  return undefined;
}

async function loadOne(run: WorkflowRun, a: Artifact, dest: string): Promise<void> {
  const raw = a.raw as { data?: string } | undefined;
  if (raw) {
    await mkdir(dirname(dest), { recursive: true });
    await writeFile(dest, raw.data ?? '');
    return;
  }
  const key = repositoryKey(a);
  if (key !== undefined) {
    await artifactRepository(run).load(key, dest);
    return;
  }
  const http = a.http as { url?: string; headers?: { name: string; value: string }[] } | undefined;
  if (http?.url) {
    const res = await sendRequest({
      url: http.url,
      headers: http.headers ?? [],
      maxBytes: MAX_HTTP_ARTIFACT,
      timeoutMs: 5 * 60_000,
    });
    if (res.statusCode < 200 || res.statusCode >= 300) {
      throw new Error(`GET ${http.url} returned ${res.statusCode}`);
    }
    await mkdir(dirname(dest), { recursive: true });
    await writeFile(dest, res.body);
    return;
  }
  const kind = LOCATION_KEYS.find((k) => a[k] !== undefined) ?? 'unknown';
  throw new Error(
    `${kind} artifacts are not available on this machine (use a local, raw or http artifact)`,
  );
}

/** The outcome of saving a node's output artifacts. */
export interface SavedArtifacts {
  artifacts: Artifact[];
  /** Argo's message when a non-optional artifact could not be saved. */
  error?: string;
}

/**
 * Saves a node's output artifacts to the repository under
 * `<workflow uid>/<node id>/<name>` (`.tgz` unless `archive: {none: {}}`).
 */
export async function saveOutputArtifacts(
  run: WorkflowRun,
  node: NodeStatus,
  tmpl: Template,
  workDir: string,
  fs?: StepFilesystem,
): Promise<SavedArtifacts> {
  const saved: Artifact[] = [];
  const errors: string[] = [];
  for (const a of tmpl.outputs?.artifacts ?? []) {
    if (a.path === undefined || a.path === '') {
      errors.push(`Artifact ${a.name} did not specify a path`);
      continue;
    }
    const source = artifactPath(workDir, a.path, fs);
    try {
      await stat(source);
    } catch {
      if (!a.optional) errors.push(`stat ${a.path}: no such file or directory`);
      continue;
    }
    // A key the artifact names (Argo's key-only artifacts) is where it goes, kept as it is.
    const named = repositoryKey(a);
    const archived =
      named === undefined && (a.archive as { none?: unknown } | undefined)?.none === undefined;
    const key = named ?? `${run.uid}/${node.id}/${a.name}${archived ? ARCHIVE_SUFFIX : ''}`;
    try {
      await artifactRepository(run).save(key, source);
    } catch (err) {
      errors.push(`failed to save artifact '${a.name}': ${(err as Error).message}`);
      continue;
    }
    const { from: _from, fromExpression: _expr, ...own } = a;
    saved.push(named === undefined ? { ...withoutLocation(own), local: { key } } : own);
  }
  return {
    artifacts: saved,
    ...(errors.length > 0 ? { error: `failed to save outputs: ${errors.join('; ')}` } : {}),
  };
}

/**
 * Outputs artifacts of a steps or dag template: its `outputs.artifacts` with
 * `from` naming a child's artifact.
 */
export function compositeArtifacts(tmpl: Template, scope: TagScope): Artifact[] {
  const out: Artifact[] = [];
  for (const a of tmpl.outputs?.artifacts ?? []) {
    if (a.from === undefined) continue;
    const match = /^\s*\{\{\s*([^{}]+?)\s*\}\}\s*$/.exec(a.from);
    const value = match?.[1] !== undefined ? scope.get(match[1]) : a.from;
    if (value === undefined || !value.trim().startsWith('{')) continue;
    let ref: Artifact;
    try {
      ref = parseReference(value);
    } catch {
      continue;
    }
    const { from: _from, ...own } = a;
    out.push({ ...own, ...locationOf(ref) });
  }
  return out;
}

/** Publishes output artifacts with a `globalName` to `status.outputs.artifacts` and `workflow.outputs.artifacts.*`. */
export function exportGlobalArtifacts(run: WorkflowRun, artifacts: Artifact[] | undefined): void {
  for (const a of artifacts ?? []) {
    if (!a.globalName) continue;
    const global: Artifact = { ...a, name: a.globalName };
    delete global.globalName;
    run.setGlobal(`workflow.outputs.artifacts.${a.globalName}`, artifactTagValue(global));
    const status = run.wf.status!;
    status.outputs ??= {};
    const list = (status.outputs.artifacts ??= []);
    const at = list.findIndex((x) => x.name === a.globalName);
    if (at >= 0) list[at] = global;
    else list.push(global);
    run.touchStatus();
  }
}

/** The `{{...outputs.artifacts.NAME}}` tags a finished node offers. */
export function addArtifactScope(scope: Map<string, string>, key: string, node: NodeStatus): void {
  for (const a of node.outputs?.artifacts ?? []) {
    scope.set(`${key}.outputs.artifacts.${a.name}`, artifactTagValue(a));
  }
}

/** Sets a finished steps or dag node's `outputs.artifacts` from its template and publishes globals. */
export function applyCompositeArtifacts(
  run: WorkflowRun,
  node: NodeStatus,
  tmpl: Template,
  scope: TagScope,
): void {
  if (!tmpl.outputs?.artifacts?.length) return;
  const artifacts = compositeArtifacts(tmpl, scope);
  if (artifacts.length === 0) return;
  node.outputs = { ...node.outputs, artifacts };
  exportGlobalArtifacts(run, artifacts);
}
