import { allowAll, layered, substitute, type TagScope } from '../expressions/index.js';
import { podName } from '../model/names.js';
import { templateType } from '../model/parse.js';
import type { TemplateHolder, TemplateScope } from '../model/resolve.js';
import {
  NodePhase,
  NodeType,
  type Artifact,
  type NodeFlag,
  type NodeStatus,
  type Parameter,
  type Template,
  type TemplateRef,
} from '../model/types.js';
import { executeDag } from './dag.js';
import { executeRetry } from './retry.js';
import { executePod } from './pod.js';
import { isFulfilled, type NodeWatcher, type WorkflowRun } from './run.js';
import { executeSteps } from './steps.js';
import { executeContainerSet } from './container-set.js';
import { runGated } from './gated.js';
import { executeResource } from './resource.js';
import { executeSuspend, parseDuration } from './suspend.js';
import {
  addArtifactScope,
  argumentArtifacts,
  artifactTagValue,
  bindInputArtifacts,
} from './artifacts.js';
import { executeData } from './data.js';
import { executeHttp } from './http.js';
import { ABSENT_OUTPUT, absentOutputMessage, usesAbsentOutput } from './absent.js';
import { configMapParameter } from './configmaps.js';

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
  /** Tags of this node only (`retries`, `lastRetry.*`). */
  localTags?: Map<string, string>;
  /** Set for a retry attempt: the template's retryStrategy is already applied. */
  attempt?: boolean;
  /** Set for exit handlers and hooks: deadlines and stops do not end them. */
  hooked?: boolean;
  /** Argo's `nodeFlag` of this node only: `hooked` for a hook or exit handler, `retried` for an attempt. */
  nodeFlag?: NodeFlag;
  /** The step's or task's name, offered to its template as `steps.name` or `tasks.name`. */
  holderName?: { tag: 'steps.name' | 'tasks.name'; name: string };
}

/** A node and the resolved template it runs. */
export interface NodeContext {
  node: NodeStatus;
  template: Template;
  scope: TemplateScope;
  /** `inputs.*` and `workflow.*` for this node's template. */
  tags: TagScope;
  /** When the template's own deadline (`activeDeadlineSeconds`, `timeout`) passes, in epoch ms. */
  deadline?: number;
  /** Part of an exit handler. */
  hooked: boolean;
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
  if (tmpl.retryStrategy && !req.attempt && !(existing && existing.type !== NodeType.Retry)) {
    const retry = executeRetry(
      run,
      req,
      tmpl.retryStrategy,
      {
        ...(resolved.templateName ? { templateName: resolved.templateName } : {}),
        ...(resolved.templateRef ? { templateRef: resolved.templateRef } : {}),
        templateScope: resolved.scope,
        ...(req.nodeFlag ? { nodeFlag: req.nodeFlag } : {}),
      },
      (attempt) => execute(run, attempt),
    );
    if (!isFulfilled(retry)) run.watch(retry, req.onDone);
    return retry;
  }

  let inputs: Parameter[];
  let artifactArgs: Artifact[];
  let inputArtifacts: Artifact[];
  try {
    inputs =
      existing?.inputs?.parameters ??
      resolveInputs(tmpl, req.args, run.globalScope, run.deps.configMapsDir);
    artifactArgs = argumentArtifacts(run, req.holder, req.nodeName);
    inputArtifacts = existing?.inputs?.artifacts ?? bindInputArtifacts(tmpl, artifactArgs);
  } catch (err) {
    return errorNode(run, req, (err as Error).message, resolved.templateName, resolved.templateRef);
  }
  const inputScope = new Map(inputs.map((p) => [`inputs.parameters.${p.name}`, p.value ?? '']));
  if (inputs.length > 0) inputScope.set('inputs.parameters', JSON.stringify(inputs));
  addArtifactPathScope(inputScope, tmpl, inputArtifacts);

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
      ...(req.nodeFlag ? { nodeFlag: req.nodeFlag } : {}),
    });
  if (!existing) for (const parent of req.parents) run.addChild(parent, node.id);

  const nodeScope = new Map([
    ['node.name', node.name],
    ['pod.name', podName(run.name, node.name, tmpl.name)],
  ]);
  if (req.holderName) nodeScope.set(req.holderName.tag, req.holderName.name);
  const tags = layered(
    req.localTags ?? new Map<string, string>(),
    inputScope,
    nodeScope,
    run.globalScope,
  );
  // Composite templates resolve `steps.*`/`tasks.*` later, step by step.
  // Metrics are recorded, not emitted: their tags (`{{status}}`, `{{duration}}`) are Argo's at emit time.
  const { metrics: _metrics, ...substituted } = tmpl;
  const template = substitute(substituted as Template, tags, allowAll);
  if (!existing && inputArtifacts.length > 0) {
    // Bound again from the substituted template, so `raw.data` and paths have their tags replaced.
    node.inputs = { ...node.inputs, artifacts: bindInputArtifacts(template, artifactArgs) };
    run.touch(node);
  }
  let deadline: number | undefined;
  try {
    deadline = templateDeadline(template, existing ? Date.parse(node.startedAt ?? '') : Date.now());
  } catch (err) {
    run.markPhase(node, NodePhase.Error, (err as Error).message);
    return node;
  }
  const ctx: NodeContext = {
    node,
    template,
    scope: resolved.scope,
    tags,
    hooked: req.hooked === true,
    ...(deadline !== undefined ? { deadline } : {}),
  };

  const dispatch = (): void => {
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
      case 'containerSet':
        executeContainerSet(run, ctx);
        break;
      case 'resource':
        executeResource(run, ctx);
        break;
      case 'http':
        executeHttp(run, ctx);
        break;
      case 'data':
        executeData(run, ctx);
        break;
      default:
        run.markPhase(
          node,
          NodePhase.Error,
          `${type ?? 'unknown'} templates are not supported by the embedded engine yet`,
        );
    }
  };
  // memoize and synchronization decide whether and when the template runs.
  const finish = runGated(run, ctx, dispatch);
  if (!isFulfilled(node))
    run.watch(node, (done) => {
      finish?.(done);
      req.onDone(done);
    });
  else finish?.(node);
  return node;
}

/** The earliest of a template's `activeDeadlineSeconds` and `timeout`, from the node's start. */
function templateDeadline(tmpl: Template, startMs: number): number | undefined {
  // Stored times have second precision: a node starting now counts from now.
  const start = Number.isNaN(startMs) ? Date.now() : startMs;
  let seconds: number | undefined;
  if (tmpl.activeDeadlineSeconds !== undefined && tmpl.activeDeadlineSeconds !== '') {
    const n = Number(tmpl.activeDeadlineSeconds);
    if (!Number.isFinite(n)) {
      throw new Error(`templates.${tmpl.name}.activeDeadlineSeconds must be a number of seconds`);
    }
    seconds = n;
  }
  if (tmpl.timeout !== undefined && tmpl.timeout !== '') {
    const t = parseDuration(String(tmpl.timeout));
    if (t === undefined)
      throw new Error(`templates.${tmpl.name}.timeout: invalid duration '${tmpl.timeout}'`);
    seconds = seconds === undefined ? t : Math.min(seconds, t);
  }
  return seconds === undefined ? undefined : start + seconds * 1000;
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

/** A node that does not run: `when` false, an empty loop (Skipped), or one that could not be prepared (Error). */
export function skippedNode(
  run: WorkflowRun,
  req: Pick<ExecuteRequest, 'nodeName' | 'displayName' | 'boundaryId' | 'parents' | 'scope'>,
  phase: NodePhase,
  message: string,
  templateName?: string,
): NodeStatus {
  const existing = run.nodeByName(req.nodeName);
  if (existing) return existing;
  const node = run.createNode({
    name: req.nodeName,
    displayName: req.displayName,
    type: NodeType.Skipped,
    ...(templateName ? { templateName } : {}),
    templateScope: req.scope,
    phase,
    message,
    ...(req.boundaryId ? { boundaryID: req.boundaryId } : {}),
  });
  for (const parent of req.parents) run.addChild(parent, node.id);
  return node;
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
    ...(req.nodeFlag ? { nodeFlag: req.nodeFlag } : {}),
  });
  for (const parent of req.parents) run.addChild(parent, node.id);
  return node;
}

/**
 * A template's input parameters: the argument when given, else the
 * template's `value` or `default`; the values may use `workflow.*` tags.
 */
export function resolveInputs(
  tmpl: Template,
  args: Parameter[],
  globals: TagScope,
  configMapsDir?: string,
): Parameter[] {
  const out: Parameter[] = [];
  // An input's value may use the inputs before it (`{{=inputs.parameters.test == 'true'}}`).
  const earlier = new Map<string, string>();
  const scope = layered(earlier, globals);
  for (const p of tmpl.inputs?.parameters ?? []) {
    const arg = args.find((a) => a.name === p.name);
    const given = arg?.value === ABSENT_OUTPUT ? undefined : arg?.value;
    if (given !== undefined && usesAbsentOutput(given)) {
      throw new Error(absentOutputMessage(`inputs.parameters.${p.name}`));
    }
    // An argument without a value brings its own valueFrom, as Argo's overwriteWithArguments does.
    const from = arg === undefined ? p : arg.value === undefined ? { ...p, ...arg } : undefined;
    let value =
      (from && configMapsDir !== undefined
        ? configMapParameter(
            configMapsDir,
            from,
            (reason) => `unable to retrieve inputs.parameters.${p.name} from ConfigMap: ${reason}`,
            scope,
          )
        : undefined) ??
      given ??
      p.value ??
      p.default;
    if (value === undefined && arg?.value === ABSENT_OUTPUT) {
      throw new Error(
        `inputs.parameters.${p.name}: its argument is an absent optional (skipped/omitted node output with no default) and the input has no default`,
      );
    }
    if (value === undefined) throw new Error(`inputs.parameters.${p.name} was not supplied`);
    value = substitute(value, scope, allowAll);
    earlier.set(`inputs.parameters.${p.name}`, value);
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
export function addNodeScope(
  scope: Map<string, string>,
  prefix: string,
  node: NodeStatus,
  name: string = node.displayName,
): void {
  const key = `${prefix}.${name}`;
  scope.set(`${key}.id`, node.id);
  scope.set(`${key}.status`, node.phase);
  if (node.startedAt) scope.set(`${key}.startedAt`, node.startedAt);
  if (node.finishedAt) scope.set(`${key}.finishedAt`, node.finishedAt);
  if (node.hostNodeName) scope.set(`${key}.hostNodeName`, node.hostNodeName);
  if (node.podIP) scope.set(`${key}.ip`, node.podIP);
  const outputs = node.outputs;
  if (!outputs) return;
  if (outputs.result !== undefined) scope.set(`${key}.outputs.result`, outputs.result);
  if (outputs.exitCode !== undefined) scope.set(`${key}.exitCode`, outputs.exitCode);
  for (const p of outputs.parameters ?? []) {
    if (p.value !== undefined) scope.set(`${key}.outputs.parameters.${p.name}`, p.value);
  }
  addArtifactScope(scope, key, node);
}

/** `inputs.artifacts.NAME` (for `from`), `inputs.artifacts.NAME.path` and the outputs' `.path` tags. */
function addArtifactPathScope(
  scope: Map<string, string>,
  tmpl: Template,
  inputArtifacts: Artifact[],
): void {
  for (const a of inputArtifacts) {
    scope.set(`inputs.artifacts.${a.name}`, artifactTagValue(a));
    if (a.path !== undefined) scope.set(`inputs.artifacts.${a.name}.path`, a.path);
  }
  for (const a of tmpl.outputs?.artifacts ?? []) {
    if (a.path !== undefined) scope.set(`outputs.artifacts.${a.name}.path`, a.path);
  }
  for (const p of tmpl.outputs?.parameters ?? []) {
    if (p.valueFrom?.path !== undefined) {
      scope.set(`outputs.parameters.${p.name}.path`, p.valueFrom.path);
    }
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
  if (node.type === NodeType.TaskGroup) {
    if (!node.children?.length) return [id];
    return node.children.flatMap((c) => outboundNodes(run, c));
  }
  if (node.type === NodeType.Retry) {
    const last = node.children
      ?.filter((c) => run.nodes[c]?.name.startsWith(`${node.name}(`))
      .at(-1);
    return last ? [last] : [id];
  }
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
