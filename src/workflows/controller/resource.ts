import { parse as parseYaml } from 'yaml';
import { allowExpressionsOnly, substitute } from '../expressions/index.js';
import { jsonPath } from '../expressions/jsonpath.js';
import {
  NodePhase,
  type NodeStatus,
  type Parameter,
  type Template,
  type Workflow,
} from '../model/types.js';
import type { NodeContext } from './execute.js';
import { isFulfilled, type WorkflowRun } from './run.js';
import { matchesCondition, parseCondition, type Requirement } from './resource-condition.js';

/** What a `resource` template needs of the engine: Workflows it creates, reads and follows. */
export interface ChildWorkflows {
  /** Submits a Workflow; the same idempotency key answers the Workflow it first made. */
  submit(
    wf: Workflow,
    options: { idempotencyKey: string; labels: Record<string, string> },
  ): Promise<Workflow>;
  get(namespace: string, name: string): Promise<Workflow | undefined>;
  /** Calls `listener` with the Workflow after each of its changes; answers the unsubscribe function. */
  watch(uid: string, listener: (wf: Workflow) => void): () => void;
  /** Terminates a Workflow that runs and deletes it; answers false when there was none. */
  delete?(namespace: string, name: string): Promise<boolean>;
}

/** The label a child Workflow gets: its parent's name. */
export const PARENT_LABEL = 'workflows.argoproj.io/parent-workflow';

const SUPPORTED =
  'on this machine a resource template acts on an Argo Workflow (apiVersion: argoproj.io/v1alpha1, kind: Workflow) with action create, apply, get or delete';

/** Argo's `resource` template, for Argo Workflow objects: create one as a child and follow it. */
export function executeResource(run: WorkflowRun, ctx: NodeContext): void {
  const { node } = ctx;
  const fail = (message: string) => run.markPhase(node, NodePhase.Error, message);
  const children = run.deps.children;
  if (!children) return fail('resource templates need the workflow engine (none was given)');
  let template: Template;
  try {
    template = substitute(ctx.template, ctx.tags, allowExpressionsOnly);
  } catch (err) {
    return fail((err as Error).message);
  }
  const res = template.resource;
  if (!res) return fail(`templates.${template.name}.resource is empty`);
  const action = res.action;
  if (res.manifestFrom && !res.manifest)
    return fail(`resource.manifestFrom (an artifact) is not supported: ${SUPPORTED}`);
  let manifest: Record<string, unknown>;
  try {
    const parsed: unknown = parseYaml(res.manifest ?? '');
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new Error('the manifest is not an object');
    manifest = parsed as Record<string, unknown>;
  } catch (err) {
    return fail(`templates.${template.name}.resource.manifest: ${(err as Error).message}`);
  }
  const apiVersion = String(manifest.apiVersion ?? '');
  const kind = String(manifest.kind ?? '');
  if (!apiVersion.startsWith('argoproj.io/') || kind !== 'Workflow') {
    return fail(`resource ${kind || '(no kind)'} (${apiVersion || 'no apiVersion'}): ${SUPPORTED}`);
  }
  let success: Requirement[] | undefined;
  let failure: Requirement[] | undefined;
  try {
    if (res.successCondition) success = parseCondition(res.successCondition);
    if (res.failureCondition) failure = parseCondition(res.failureCondition);
  } catch (err) {
    return fail((err as Error).message);
  }
  const wf = manifest as unknown as Workflow;
  wf.metadata = (wf.metadata as Workflow['metadata'] | undefined) ?? {};
  const namespace = wf.metadata.namespace ?? run.wf.metadata.namespace ?? 'default';
  wf.metadata.namespace = namespace;
  run.markPhase(node, NodePhase.Running);
  // A condition that cannot match yet (an unfinished child) keeps the node following it.
  const decide = (child: Workflow): { phase: NodePhase; message?: string } | undefined => {
    const doc = child as unknown as Record<string, unknown>;
    if (failure && matchesCondition(doc, failure))
      return {
        phase: NodePhase.Failed,
        message: `failure condition '${res.failureCondition}' matched`,
      };
    if (success) {
      if (matchesCondition(doc, success)) return { phase: NodePhase.Succeeded };
      if (!failure && child.status?.finishedAt)
        return {
          phase: NodePhase.Failed,
          message: `child workflow ${child.metadata.name} ended ${child.status.phase} without meeting the success condition '${res.successCondition}'`,
        };
      return undefined;
    }
    if (failure) return child.status?.finishedAt ? { phase: NodePhase.Succeeded } : undefined;
    const phase = child.status?.phase;
    if (phase === 'Succeeded') return { phase: NodePhase.Succeeded };
    if (phase === 'Failed' || phase === 'Error')
      return {
        phase: NodePhase.Failed,
        message: `child workflow ${child.metadata.name} ${phase}${child.status?.message ? `: ${child.status.message}` : ''}`,
      };
    return undefined;
  };
  const finish = (child: Workflow, verdict: { phase: NodePhase; message?: string }) => {
    if (isFulfilled(node) || run.detached) return;
    let params: Parameter[];
    try {
      params = resourceOutputs(template, child);
    } catch (err) {
      run.markPhase(node, NodePhase.Error, (err as Error).message);
      return;
    }
    if (params.length > 0) {
      node.outputs = { ...node.outputs, parameters: params };
      run.exportGlobals(params);
    }
    run.markPhase(node, verdict.phase, verdict.message);
  };

  switch (action) {
    case 'create':
    case 'apply':
      follow(
        run,
        node,
        children,
        () => submitChild(run, node, res.setOwnerReference, wf),
        decide,
        finish,
      );
      return;
    case 'get':
      void run.deps.track(
        lookup(children, namespace, wf).then(
          (child) =>
            run.apply(() => {
              if (!child) fail(`workflows.argoproj.io "${wf.metadata.name ?? ''}" not found`);
              else finish(child, decide(child) ?? { phase: NodePhase.Succeeded });
            }),
          (err: unknown) => run.apply(() => fail((err as Error).message)),
        ),
      );
      return;
    case 'delete':
      if (!children.delete || !wf.metadata.name)
        return fail(`resource action delete needs metadata.name: ${SUPPORTED}`);
      void run.deps.track(
        children.delete(namespace, wf.metadata.name).then(
          (found) =>
            run.apply(() => {
              if (found || (res.flags ?? []).includes('--ignore-not-found'))
                run.markPhase(node, NodePhase.Succeeded);
              else fail(`workflows.argoproj.io "${wf.metadata.name ?? ''}" not found`);
            }),
          (err: unknown) => run.apply(() => fail((err as Error).message)),
        ),
      );
      return;
    default:
      fail(`resource action '${action}' is not supported: ${SUPPORTED}`);
  }
}

async function lookup(
  children: ChildWorkflows,
  namespace: string,
  wf: Workflow,
): Promise<Workflow | undefined> {
  if (!wf.metadata.name) throw new Error(`resource action get needs metadata.name`);
  return children.get(namespace, wf.metadata.name);
}

/** Creates the child once: after a restart the same idempotency key answers the same child. */
function submitChild(
  run: WorkflowRun,
  node: NodeStatus,
  setOwnerReference: boolean | undefined,
  wf: Workflow,
): Promise<Workflow> {
  const meta = wf.metadata;
  if (setOwnerReference) {
    const owners = Array.isArray(meta.ownerReferences) ? (meta.ownerReferences as unknown[]) : [];
    meta.ownerReferences = [
      ...owners,
      {
        apiVersion: 'argoproj.io/v1alpha1',
        blockOwnerDeletion: true,
        kind: 'Workflow',
        name: run.name,
        uid: run.uid,
      },
    ];
  }
  return run.deps.children!.submit(wf, {
    idempotencyKey: `resource/${run.uid}/${node.id}`,
    labels: { [PARENT_LABEL]: run.name },
  });
}

function follow(
  run: WorkflowRun,
  node: NodeStatus,
  children: ChildWorkflows,
  create: () => Promise<Workflow>,
  decide: (child: Workflow) => { phase: NodePhase; message?: string } | undefined,
  finish: (child: Workflow, verdict: { phase: NodePhase; message?: string }) => void,
): void {
  let unsubscribe: (() => void) | undefined;
  let done = false;
  const check = (child: Workflow): boolean => {
    if (done) return true;
    if (isFulfilled(node) || run.detached) {
      done = true;
      unsubscribe?.();
      return true;
    }
    const verdict = decide(child);
    if (!verdict) return false;
    done = true;
    unsubscribe?.();
    // The listener's object is only valid during the call.
    const copy = structuredClone(child);
    void run.apply(() => finish(copy, verdict));
    return true;
  };
  void run.deps.track(
    create().then(
      async (child) => {
        const ns = child.metadata.namespace ?? 'default';
        const name = child.metadata.name ?? '';
        if (!node.message?.startsWith('created ')) {
          await run.apply(() => {
            node.message = `created workflows.argoproj.io/${name}`;
            run.touch(node);
          });
        }
        unsubscribe = children.watch(child.metadata.uid ?? '', (wf) => void check(wf));
        // It may have changed before the watch began.
        const current = (await children.get(ns, name)) ?? child;
        check(current);
      },
      (err: unknown) =>
        run.apply(() => {
          if (!isFulfilled(node)) run.markPhase(node, NodePhase.Error, (err as Error).message);
        }),
    ),
  );
}

/** `outputs.parameters` of a resource template: `valueFrom.jsonPath` or `jqFilter` over the object. */
export function resourceOutputs(tmpl: Template, obj: Workflow): Parameter[] {
  const out: Parameter[] = [];
  const text = JSON.stringify(obj);
  for (const p of tmpl.outputs?.parameters ?? []) {
    const from = p.valueFrom;
    let value: unknown;
    if (from?.jsonPath !== undefined) value = kubeJsonPath(text, from.jsonPath);
    else if (from?.jqFilter !== undefined) value = jqPath(obj, from.jqFilter);
    else value = p.value;
    if (value === undefined || value === null) {
      if (from?.default !== undefined) value = from.default;
      else throw new Error(`output parameter '${p.name}': nothing at its path in the resource`);
    }
    out.push({
      name: p.name,
      value: typeof value === 'string' ? value : JSON.stringify(value),
      ...(p.globalName ? { globalName: p.globalName } : {}),
    });
  }
  return out;
}

/** kubectl's JSONPath template: `{.metadata.name}` (braces optional), one expression. */
function kubeJsonPath(text: string, template: string): unknown {
  let q = template.trim();
  if (q.startsWith('{') && q.endsWith('}')) q = q.slice(1, -1).trim();
  if (!q.startsWith('$')) q = q.startsWith('.') || q.startsWith('[') ? `$${q}` : `$.${q}`;
  return jsonPath(text, q);
}

/** The path subset of jq: `.a.b`, `.a[0]`, `.["a-b"]`, `.`. */
function jqPath(obj: unknown, filter: string): unknown {
  const f = filter.trim();
  if (f === '.') return obj;
  const re = /\.([A-Za-z_][\w-]*)|\[(\d+)\]|\.?\["([^"]+)"\]/y;
  let value: unknown = obj;
  let i = 0;
  while (i < f.length) {
    re.lastIndex = i;
    const m = re.exec(f);
    if (!m)
      throw new Error(`jqFilter '${filter}': only paths such as .metadata.name are supported`);
    i = re.lastIndex;
    const key = m[1] ?? m[3];
    if (value === null || typeof value !== 'object') return undefined;
    if (key !== undefined)
      value = Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
    else value = Array.isArray(value) ? value[Number(m[2])] : undefined;
  }
  return value;
}
