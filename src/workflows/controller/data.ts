import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { allowExpressionsOnly, evaluateExpression, substitute } from '../expressions/index.js';
import { NodePhase, type Artifact, type Template } from '../model/types.js';
import { artifactRepository, repositoryKey } from './artifacts.js';
import type { NodeContext } from './execute.js';
import { isFulfilled, type WorkflowRun } from './run.js';

/** Argo's `data` template. */
export interface DataTemplate {
  source?: { artifactPaths?: Artifact };
  transformation?: { expression?: string }[];
}

const running = new WeakMap<WorkflowRun, Set<string>>();

/**
 * A `data` template: lists the artifacts its source names, then runs each
 * transformation's expression over `data`; the result, as JSON, is the node's
 * `outputs.result`. Argo runs it in a pod, so the node is a Pod.
 */
export function executeData(run: WorkflowRun, ctx: NodeContext): void {
  const { node } = ctx;
  // A data node has no process: after a restart it is simply run again.
  let inFlight = running.get(run);
  if (!inFlight) running.set(run, (inFlight = new Set()));
  if (isFulfilled(node) || inFlight.has(node.id)) return;
  inFlight.add(node.id);
  let template: Template;
  try {
    template = substitute(ctx.template, ctx.tags, allowExpressionsOnly);
  } catch (err) {
    run.markPhase(node, NodePhase.Error, (err as Error).message);
    return;
  }
  const spec = (template.data ?? {}) as DataTemplate;
  run.startPod(() => {
    if (isFulfilled(node) || run.detached) {
      inFlight?.delete(node.id);
      run.podEnded();
      return;
    }
    run.markPhase(node, NodePhase.Running);
    void run.deps.track(
      processData(run, spec).then(
        (result) => finish(NodePhase.Succeeded, undefined, result),
        (err: unknown) =>
          finish(NodePhase.Failed, `unable to process data template: ${(err as Error).message}`),
      ),
    );
  });

  async function finish(phase: NodePhase, message?: string, result?: string): Promise<void> {
    inFlight?.delete(node.id);
    if (run.detached) return;
    await run.apply(() => {
      run.podEnded();
      if (isFulfilled(node)) return;
      if (run.shutdown && !ctx.hooked) {
        run.markPhase(node, NodePhase.Failed, `Stopped with strategy '${run.shutdown}'`);
        return;
      }
      if (result !== undefined) node.outputs = { result, exitCode: '0' };
      run.markPhase(node, phase, message);
    });
  }
}

async function processData(run: WorkflowRun, spec: DataTemplate): Promise<string> {
  let data: unknown;
  try {
    data = await listSource(run, spec.source);
  } catch (err) {
    throw new Error(`unable to process data source: ${(err as Error).message}`);
  }
  for (const [i, step] of (spec.transformation ?? []).entries()) {
    if (step.expression === undefined || step.expression === '') continue;
    try {
      data = evaluateExpression(step.expression, { data });
    } catch (err) {
      throw new Error(
        `unable to process data transformation: error processing data step ${i}: ${(err as Error).message}`,
      );
    }
  }
  return JSON.stringify(data ?? null);
}

/**
 * `source.artifactPaths`: the keys under a key prefix of the artifact
 * repository (`local.key`, or a key-only `s3.key`), or the files under a
 * `path` of this machine.
 */
async function listSource(run: WorkflowRun, source: DataTemplate['source']): Promise<string[]> {
  const art = source?.artifactPaths;
  if (!art) throw new Error('no valid source is used for data template');
  const key = repositoryKey(art);
  if (key !== undefined) return artifactRepository(run).list(key);
  if (art.path !== undefined && art.path !== '') {
    const out: string[] = [];
    await walk(art.path, out);
    return out.sort();
  }
  const kind = Object.keys(art).find((k) => k !== 'name') ?? 'unknown';
  throw new Error(
    `unable to source artifact paths: ${kind} artifacts are not available on this machine (use local or path)`,
  );
}

async function walk(path: string, out: string[]): Promise<void> {
  const st = await stat(path);
  if (st.isFile()) {
    out.push(path);
    return;
  }
  if (!st.isDirectory()) return;
  for (const child of await readdir(path)) await walk(join(path, child), out);
}
