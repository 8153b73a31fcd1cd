import { allowAll, layered, substitute, type TagScope } from '../expressions/index.js';
import { podName } from '../model/names.js';
import { templateType } from '../model/parse.js';
import type { TemplateHolder, TemplateScope } from '../model/resolve.js';
import {
  NodePhase,
  NodeType,
  type NodeStatus,
  type Parameter,
  type Template,
  type TemplateRef,
} from '../model/types.js';
import { executeDag } from './dag.js';
import { executePod } from './pod.js';
import { isFulfilled, type NodeWatcher, type WorkflowRun } from './run.js';
import { executeSteps } from './steps.js';
import { executeSuspend } from './suspend.js';

/** A request to run a template as a node. */
export interface ExecuteRequest {
  nodeName: string;
  displayName: string;
  boundaryId?: string;
  /** Nodes that get the new node as a child. */
  parents: string[];
  holder: TemplateHolder;
  /** The scope of the template that holds the reference. */
  scope: TemplateScope;
  /** The arguments, already substituted. */
  args: Parameter[];
  onDone: NodeWatcher;
  /** Set when the caller could not prepare the node (an unresolved tag): it is recorded as an error. */
  failure?: string;
}

/** A node and the resolved template it runs. */
export interface NodeContext {
  node: NodeStatus;
  template: Template;
  scope: TemplateScope;
  /** `inputs.*` and `workflow.*` for this node's template. */
  tags: TagScope;
}

/**
 * Runs a template as a node, or finds the node when it exists (after a
 * restart) and picks it up where it was. Returns the node; `onDone` is called
 * later when it is not final yet.
 */
export function execute(run: WorkflowRun, req: ExecuteRequest): NodeStatus {
  const existing = run.nodeByName(req.nodeName);
  if (existing && isFulfilled(existing)) return existing;
  if (req.failure !== undefined && !existing) return errorNode(run, req, req.failure);

  const resolved = run.index.resolve(req.scope, req.holder);
  if (typeof resolved === 'string') return errorNode(run, req, resolved);
  const tmpl = resolved.template;
  const type = templateType(tmpl);

  let inputs: Parameter[];
  try {
    inputs = existing?.inputs?.parameters ?? resolveInputs(tmpl, req.args, run.globalScope);
  } catch (err) {
    return errorNode(run, req, (err as Error).message, resolved.templateName, resolved.templateRef);
  }
  const inputScope = new Map(inputs.map((p) => [`inputs.parameters.${p.name}`, p.value ?? '']));

  const node =
    existing ??
    run.createNode({
      name: req.nodeName,
      displayName: req.displayName,
      type: nodeTypeOf(type),
      ...(resolved.templateName ? { templateName: resolved.templateName } : {}),
      ...(resolved.templateRef ? { templateRef: resolved.templateRef } : {}),
      templateScope: resolved.scope,
      phase: NodePhase.Pending,
      ...(req.boundaryId ? { boundaryID: req.boundaryId } : {}),
      ...(inputs.length > 0 ? { inputs: { parameters: inputs } } : {}),
    });
  if (!existing) for (const parent of req.parents) run.addChild(parent, node.id);

  const nodeScope = new Map([
    ['node.name', node.name],
    ['pod.name', podName(run.name, node.name, tmpl.name)],
  ]);
  const tags = layered(inputScope, nodeScope, run.globalScope);
  // Composite templates resolve `steps.*`/`tasks.*` later, step by step.
  const template = substitute(tmpl, tags, allowAll);
  const ctx: NodeContext = { node, template, scope: resolved.scope, tags };

  switch (type) {
    case 'steps':
      executeSteps(run, ctx);
      break;
    case 'dag':
      executeDag(run, ctx);
      break;
    case 'suspend':
      executeSuspend(run, ctx);
      break;
    case 'script':
    case 'container':
      executePod(run, ctx);
      break;
    default:
      run.markPhase(
        node,
        NodePhase.Error,
        `${type ?? 'unknown'} templates are not supported by the embedded engine yet`,
      );
  }
  if (!isFulfilled(node)) run.watch(node, req.onDone);
  return node;
}

function nodeTypeOf(type: string | undefined): NodeStatus['type'] {
  switch (type) {
    case 'steps':
      return NodeType.Steps;
    case 'dag':
      return NodeType.DAG;
    case 'suspend':
      return NodeType.Suspend;
    case 'http':
      return NodeType.HTTP;
    default:
      return NodeType.Pod;
  }
}

/** A node that could not start: Argo records it as a Skipped node in phase Error. */
function errorNode(
  run: WorkflowRun,
  req: ExecuteRequest,
  message: string,
  templateName?: string,
  templateRef?: TemplateRef,
): NodeStatus {
  const node = run.createNode({
    name: req.nodeName,
    displayName: req.displayName,
    type: NodeType.Skipped,
    ...(templateName ? { templateName } : {}),
    ...(templateRef ? { templateRef } : {}),
    templateScope: req.scope,
    phase: NodePhase.Error,
    message,
    ...(req.boundaryId ? { boundaryID: req.boundaryId } : {}),
  });
  for (const parent of req.parents) run.addChild(parent, node.id);
  return node;
}

/**
 * A template's input parameters: the argument when given, else the
 * template's `value` or `default`; the values may use `workflow.*` tags.
 */
export function resolveInputs(tmpl: Template, args: Parameter[], globals: TagScope): Parameter[] {
  const out: Parameter[] = [];
  for (const p of tmpl.inputs?.parameters ?? []) {
    const arg = args.find((a) => a.name === p.name);
    let value = arg?.value ?? p.value ?? p.default;
    if (value === undefined) throw new Error(`inputs.parameters.${p.name} was not supplied`);
    value = substitute(value, globals, allowAll);
    if (p.enum && p.enum.length > 0 && !p.enum.includes(value)) {
      throw new Error(
        `value '${value}' is not in inputs.parameters.${p.name}.enum ${JSON.stringify(p.enum)}`,
      );
    }
    out.push({ name: p.name, value });
  }
  return out;
}

/** The tags a finished child offers its siblings: `<prefix>.<name>.outputs.result` and so on. */
export function addNodeScope(scope: Map<string, string>, prefix: string, node: NodeStatus): void {
  const key = `${prefix}.${node.displayName}`;
  scope.set(`${key}.id`, node.id);
  scope.set(`${key}.status`, node.phase);
  if (node.startedAt) scope.set(`${key}.startedAt`, node.startedAt);
  if (node.finishedAt) scope.set(`${key}.finishedAt`, node.finishedAt);
  const outputs = node.outputs;
  if (!outputs) return;
  if (outputs.result !== undefined) scope.set(`${key}.outputs.result`, outputs.result);
  if (outputs.exitCode !== undefined) scope.set(`${key}.exitCode`, outputs.exitCode);
  for (const p of outputs.parameters ?? []) {
    if (p.value !== undefined) scope.set(`${key}.outputs.parameters.${p.name}`, p.value);
  }
}

/** The outbound nodes of a node: where the next step or task attaches. */
export function outboundNodes(run: WorkflowRun, id: string): string[] {
  const node = run.nodes[id];
  if (!node) return [];
  if (
    node.type === NodeType.Pod ||
    node.type === NodeType.Suspend ||
    node.type === NodeType.Skipped ||
    node.type === NodeType.HTTP ||
    node.type === NodeType.Plugin
  ) {
    return [id];
  }
  if (node.type === NodeType.TaskGroup && !node.children?.length) return [id];
  return (node.outboundNodes ?? []).flatMap((o) => outboundNodes(run, o));
}

/** Outputs of a steps or dag template: its `outputs.parameters` with `valueFrom.parameter`. */
export function compositeOutputs(tmpl: Template, scope: TagScope): Parameter[] {
  const out: Parameter[] = [];
  for (const p of tmpl.outputs?.parameters ?? []) {
    const from = p.valueFrom?.parameter;
    let value: string | undefined;
    if (from !== undefined) {
      try {
        value = substitute(from, scope, (tag) => {
          throw new Error(`failed to resolve {{${tag}}}`);
        });
      } catch {
        value = p.valueFrom?.default;
      }
    } else value = p.value ?? p.valueFrom?.default;
    if (value === undefined) continue;
    out.push({ name: p.name, value, ...(p.globalName ? { globalName: p.globalName } : {}) });
  }
  return out;
}
