import { parseAllDocuments } from 'yaml';
import type { ManifestPath } from '../catalog/index.js';
import type { RuleContext } from './context.js';
import { isObj, list, str, type WorkflowKind, type Obj, type WorkflowUnit } from './manifests.js';
import { suggestion } from './suggest.js';
import { LintRule } from './types.js';
import { positionIn, stringsIn } from './variables.js';

/*
 * The checks of Argo's workflow validator (what `argo lint` and the
 * controller refuse) that the other rules do not make: names, outputs,
 * arguments, template kinds, dag shapes, containers, metrics, podGC.
 */

/** Steps, tasks and templates: letters, digits and '-', starting with a letter or digit. */
const fieldName = /^[a-zA-Z0-9][-a-zA-Z0-9]*$/;
const fieldNameMax = 128;
/** Parameters and artifacts: letters, digits, '_' and '-'. */
const paramName = /^[-a-zA-Z0-9_]+$/;
const metricName = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const labelKey = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const templateTypes = [
  'container',
  'containerSet',
  'steps',
  'script',
  'resource',
  'dag',
  'suspend',
  'data',
  'http',
  'plugin',
] as const;
/** Templates that run a pod of their own. */
const podTypes = new Set(['container', 'containerSet', 'script', 'resource', 'data']);
const leafTypes = new Set([
  'container',
  'containerSet',
  'script',
  'resource',
  'data',
  'http',
  'plugin',
  'suspend',
]);
const selectorOperators = ['In', 'NotIn', 'Exists', 'DoesNotExist'];
/** Containers Argo adds to a pod, whose names a user container may not take. */
const reservedContainers = new Set(['wait', 'supervisor']);
/** Most characters of metadata.name, by kind (a CronWorkflow's name gets a timestamp suffix). */
const maxName: Record<WorkflowKind, number> = {
  Workflow: 63,
  WorkflowTemplate: 63,
  ClusterWorkflowTemplate: 63,
  CronWorkflow: 52,
};

const article = (word: string): string => (/^(?:[aeiou]|http)/.test(word) ? 'an' : 'a');
const isTag = (v: unknown): boolean => typeof v === 'string' && v.includes('{{');

/** Checks one workflow as Argo's validator does, beyond references and parameters. */
export function checkValidatorRules(ctx: RuleContext, unit: WorkflowUnit): void {
  const { doc, spec, specPath } = unit;
  const err = (
    path: ManifestPath,
    message: string,
    fix: string,
    rule: LintRule = LintRule.requiredField,
  ) => ctx.findings.error({ doc, path }, rule, message, fix);

  if (!unit.inSensor && isObj(doc.object)) {
    const meta = isObj(doc.object.metadata) ? doc.object.metadata : {};
    const name = str(meta.name);
    const max = maxName[unit.kind];
    if (name !== undefined && !name.includes('{{') && name.length > max) {
      err(
        ['metadata', 'name'],
        `${unit.kind} name "${name}" is ${name.length} characters long; Argo allows at most ${max}`,
        `shorten it to ${max} characters or fewer`,
      );
    }
  }

  const args = isObj(spec.arguments) ? spec.arguments : undefined;
  if (args) checkArguments(ctx, unit, args, [...specPath, 'arguments'], true);

  const gc = isObj(spec.podGC) ? spec.podGC : undefined;
  if (gc) {
    // Its strategy is an enum of the field tables.
    const selector = isObj(gc.labelSelector) ? gc.labelSelector : undefined;
    list(selector?.matchExpressions).forEach((e, i) => {
      const op = isObj(e) ? e.operator : undefined;
      if (typeof op === 'string' && !selectorOperators.includes(op)) {
        err(
          [...specPath, 'podGC', 'labelSelector', 'matchExpressions', i, 'operator'],
          `podGC.labelSelector: "${op}" is not a label selector operator`,
          `use one of: ${selectorOperators.join(', ')}`,
          LintRule.enumValue,
        );
      }
    });
  }

  if (isObj(spec.hooks)) checkHookExpressions(ctx, unit, spec.hooks, [...specPath, 'hooks']);
  checkPodResources(ctx, unit, spec.podResources, [...specPath, 'podResources'], 'the workflow');

  const defaults = isObj(spec.templateDefaults) ? spec.templateDefaults : {};
  checkWorkflowVariables(ctx, unit, spec.templates, [...specPath, 'templates']);
  list(spec.templates).forEach((t, i) => {
    if (isObj(t)) checkTemplate(ctx, unit, t, [...specPath, 'templates', i], defaults);
  });
}

function checkTemplate(
  ctx: RuleContext,
  unit: WorkflowUnit,
  t: Obj,
  path: ManifestPath,
  defaults: Obj,
): void {
  const { doc } = unit;
  const err = (
    p: ManifestPath,
    message: string,
    fix: string,
    rule: LintRule = LintRule.requiredField,
  ) => ctx.findings.error({ doc, path: p }, rule, message, fix);
  const name = str(t.name) ?? '';
  const label = `template "${name}"`;

  if (name !== '' && !name.includes('{{'))
    checkFieldName(ctx, unit, name, [...path, 'name'], 'template');

  const types = templateTypes.filter((k) => t[k] !== undefined && t[k] !== null);
  if (types.length > 1) {
    err(
      path,
      `${label} has more than one kind (${types.join(', ')})`,
      'keep one of container, containerSet, steps, script, resource, dag, suspend, data, http, plugin',
    );
  } else if (types.length === 0 && name !== '' && !hasUnknownField(ctx, t)) {
    err(
      path,
      `${label} has no kind: it neither runs nor calls anything`,
      'add one of container, script, steps, dag, resource, suspend, containerSet, data, http, plugin',
    );
  }
  const type = types[0];
  const leaf = type !== undefined && leafTypes.has(type);

  const inputs = isObj(t.inputs) ? t.inputs : {};
  const outputs = isObj(t.outputs) ? t.outputs : {};
  checkNames(
    ctx,
    unit,
    inputs.parameters,
    [...path, 'inputs', 'parameters'],
    'input parameter',
    paramName,
  );
  checkNames(
    ctx,
    unit,
    inputs.artifacts,
    [...path, 'inputs', 'artifacts'],
    'input artifact',
    paramName,
  );
  checkNames(
    ctx,
    unit,
    outputs.parameters,
    [...path, 'outputs', 'parameters'],
    'output parameter',
    paramName,
  );
  checkNames(
    ctx,
    unit,
    outputs.artifacts,
    [...path, 'outputs', 'artifacts'],
    'output artifact',
    paramName,
  );

  list(inputs.artifacts).forEach((a, i) => {
    if (isObj(a) && a.from !== undefined) {
      err(
        [...path, 'inputs', 'artifacts', i, 'from'],
        `input artifact "${str(a.name) ?? ''}" of ${label} has "from", which only arguments take`,
        'pass it from the step or task (arguments.artifacts[].from) and declare only name and path here',
      );
    }
  });

  list(outputs.parameters).forEach((p, i) => {
    if (!isObj(p)) return;
    const at = [...path, 'outputs', 'parameters', i];
    const what = `output parameter "${str(p.name) ?? ''}" of ${label}`;
    const from = isObj(p.valueFrom) ? p.valueFrom : undefined;
    if (from && p.value != null) {
      err(at, `${what} has both value and valueFrom`, 'keep one of them');
      return;
    }
    if (p.value != null) return;
    if (!from) {
      err(
        at,
        `${what} has neither value nor valueFrom`,
        'add valueFrom: {path: ...} (or parameter:, expression:, jsonPath:)',
      );
      return;
    }
    const sources = ['path', 'jqFilter', 'jsonPath', 'parameter', 'expression'].filter(
      (k) => str(from[k]) !== undefined,
    );
    if (from.supplied != null) sources.push('supplied');
    if (sources.length === 0) {
      err(
        [...at, 'valueFrom'],
        `${what}: valueFrom names no source`,
        'set one of path, jqFilter, jsonPath, parameter, expression, supplied',
      );
      return;
    }
    if (sources.length > 1) {
      err(
        [...at, 'valueFrom'],
        `${what}: valueFrom names more than one source (${sources.join(', ')})`,
        'keep one of them',
      );
      return;
    }
    if (
      (type === 'container' || type === 'containerSet' || type === 'script') &&
      str(from.path) === undefined
    ) {
      err(
        [...at, 'valueFrom'],
        `${what}: a ${type} template reads outputs from a file, so valueFrom.path is required`,
        'set valueFrom.path to the file the step writes',
      );
    } else if (
      type === 'resource' &&
      str(from.jqFilter) === undefined &&
      str(from.jsonPath) === undefined
    ) {
      err(
        [...at, 'valueFrom'],
        `${what}: a resource template needs valueFrom.jsonPath or jqFilter`,
        'set valueFrom.jsonPath (or jqFilter) on the resource',
      );
    } else if (
      (type === 'steps' || type === 'dag') &&
      str(from.parameter) === undefined &&
      str(from.expression) === undefined
    ) {
      err(
        [...at, 'valueFrom'],
        `${what}: a ${type} template needs valueFrom.parameter or expression`,
        'set valueFrom.parameter to a step or task output, e.g. "{{steps.NAME.outputs.parameters.NAME}}"',
      );
    }
  });

  if (!leaf && type !== undefined && t.activeDeadlineSeconds != null) {
    err(
      [...path, 'activeDeadlineSeconds'],
      `activeDeadlineSeconds of ${label} is only valid for leaf templates, not ${type}`,
      'set it on the templates that the steps or tasks call',
    );
  }
  if (leaf && t.parallelism != null) {
    err(
      [...path, 'parallelism'],
      `parallelism of ${label} is only valid for steps and dag templates`,
      'remove it, or set it on the steps or dag template that calls this one',
    );
  }
  if ((type === 'steps' || type === 'dag') && str(t.timeout) !== undefined) {
    err(
      [...path, 'timeout'],
      `${label} is a ${type} template, which does not take timeout`,
      'set timeout on the templates it calls, or activeDeadlineSeconds on the workflow',
    );
  }
  if (typeof t.timeout === 'string' && /^\d+$/.test(t.timeout)) {
    err(
      [...path, 'timeout'],
      `timeout "${t.timeout}" of ${label} has no unit`,
      `write a duration, e.g. "${t.timeout}s"`,
    );
  }
  const ads = t.activeDeadlineSeconds;
  if (leaf && ads != null && !isTag(ads)) {
    const n =
      typeof ads === 'number'
        ? ads
        : typeof ads === 'string' && /^-?\d+$/.test(ads)
          ? Number(ads)
          : NaN;
    if (!(n >= 0)) {
      err(
        [...path, 'activeDeadlineSeconds'],
        `activeDeadlineSeconds of ${label} must be a positive integer or a {{...}} variable`,
        'give a number of seconds, e.g. 300',
      );
    }
  }

  // Images: a template's own, or the workflow's templateDefaults'.
  for (const kind of ['container', 'script'] as const) {
    const body = isObj(t[kind]) ? (t[kind] as Obj) : undefined;
    const fallback = isObj(defaults[kind]) ? (defaults[kind] as Obj) : {};
    if (body && str(body.image) === undefined && str(fallback.image) === undefined) {
      err(
        [...path, kind],
        `${kind}.image of ${label} may not be empty`,
        'set image: (or templateDefaults.' + kind + '.image)',
      );
    }
  }
  const container = isObj(t.container) ? t.container : undefined;
  if (container) {
    const mounted = new Map<string, string>();
    list(container.volumeMounts).forEach((m, i) => {
      const p = isObj(m) ? str(m.mountPath) : undefined;
      if (p === undefined) return;
      const prev = mounted.get(p);
      if (prev !== undefined) {
        err(
          [...path, 'container', 'volumeMounts', i, 'mountPath'],
          `mountPath "${p}" of ${label} is already mounted by ${prev}`,
          'mount each path once',
        );
      } else mounted.set(p, `volume mount "${str((m as Obj).name) ?? ''}"`);
    });
    list(inputs.artifacts).forEach((a, i) => {
      const p = isObj(a) ? str(a.path) : undefined;
      if (p === undefined) return;
      const prev = mounted.get(p);
      if (prev !== undefined) {
        err(
          [...path, 'inputs', 'artifacts', i, 'path'],
          `input artifact path "${p}" of ${label} is already mounted by ${prev}`,
          'load the artifact to a path no volume mounts',
        );
      } else mounted.set(p, `input artifact "${str((a as Obj).name) ?? ''}"`);
    });
  }
  list(t.initContainers).forEach((c, i) => {
    if (isObj(c) && str(c.name) === undefined) {
      err([...path, 'initContainers', i], `an init container of ${label} has no name`, 'add name:');
    }
  });
  list(t.sidecars).forEach((c, i) => {
    const n = isObj(c) ? str(c.name) : undefined;
    if (n !== undefined && isReserved(n)) {
      err(
        [...path, 'sidecars', i, 'name'],
        `sidecar name "${n}" of ${label} is reserved for Argo's own containers`,
        'rename the sidecar',
      );
    }
  });
  const set = isObj(t.containerSet) ? t.containerSet : undefined;
  if (set) checkContainerSet(ctx, unit, t, set, [...path, 'containerSet'], label, inputs, outputs);

  const resource = isObj(t.resource) ? t.resource : undefined;
  if (resource) {
    // Its action is an enum of the field tables.
    const action = resource.action;
    if (action !== 'delete' && action !== 'get') {
      const manifest = resource.manifest;
      const from = resource.manifestFrom;
      if (manifest == null && from == null) {
        err(
          [...path, 'resource'],
          `${label} gives neither resource.manifest nor resource.manifestFrom`,
          'add manifest: | with the resource',
        );
      } else if (manifest != null && from != null) {
        err(
          [...path, 'resource'],
          `${label} gives both resource.manifest and resource.manifestFrom`,
          'keep one of them',
        );
      }
      if (typeof manifest === 'string' && !isYaml(manifest)) {
        err(
          [...path, 'resource', 'manifest'],
          `resource.manifest of ${label} is not valid YAML`,
          'fix the manifest text (quote {{...}} tags where they start a value)',
        );
      }
      const artifact = isObj(from) && isObj(from.artifact) ? str(from.artifact.name) : undefined;
      if (
        artifact !== undefined &&
        !list(inputs.artifacts).some((a) => isObj(a) && a.name === artifact)
      ) {
        err(
          [...path, 'resource', 'manifestFrom', 'artifact', 'name'],
          `resource.manifestFrom names artifact "${artifact}", which ${label} does not take as input`,
          `declare - name: ${artifact} under inputs.artifacts`,
        );
      }
    }
  }

  checkPodResources(ctx, unit, t.podResources, [...path, 'podResources'], label);
  if (t.podResources != null && (type === 'http' || type === 'plugin')) {
    err(
      [...path, 'podResources'],
      `${label} is ${article(type)} ${type} template, which runs on Argo's shared agent pod: podResources does not apply`,
      'remove podResources from it',
    );
  }
  if (list(t.resourceClaims).length > 0 && type !== undefined && !podTypes.has(type)) {
    err(
      [...path, 'resourceClaims'],
      `${label} is ${article(type)} ${type} template, which creates no pod of its own: resourceClaims does not apply`,
      'set resourceClaims on the container, script or resource templates it runs',
    );
  }
  checkMetrics(ctx, unit, t, path, label);
  if (isObj(t.hooks)) checkHookExpressions(ctx, unit, t.hooks, [...path, 'hooks']);

  list(t.steps).forEach((group, g) => {
    list(group).forEach((step, s) => {
      if (isObj(step)) checkCall(ctx, unit, step, [...path, 'steps', g, s], 'step');
    });
  });
  checkStepOrder(ctx, unit, t, path);
  const dag = isObj(t.dag) ? t.dag : undefined;
  if (dag) checkDag(ctx, unit, dag, [...path, 'dag'], label);
}

/** What `{{workflow.X...}}` may name. */
const workflowRoots = new Set([
  'name',
  'namespace',
  'mainEntrypoint',
  'serviceAccountName',
  'uid',
  'parameters',
  'outputs',
  'annotations',
  'labels',
  'creationTimestamp',
  'priority',
  'duration',
  'scheduledTime',
  'status',
  'failures',
]);
const workflowTag = /\{\{\s*workflow\.([A-Za-z_]\w*)[^{}]*\}\}/g;

/** Simple `{{workflow.X}}` tags whose X is no workflow variable, which Argo fails to resolve. */
function checkWorkflowVariables(
  ctx: RuleContext,
  unit: WorkflowUnit,
  templates: unknown,
  path: ManifestPath,
): void {
  const lines = ctx.lines(unit.doc.file);
  for (const s of stringsIn(templates, path)) {
    if (!s.text.includes('workflow.')) continue;
    for (const m of s.text.matchAll(workflowTag)) {
      const root = m[1] ?? '';
      if (workflowRoots.has(root)) continue;
      ctx.findings.error(
        {
          file: unit.doc.file,
          position: positionIn(unit.doc, s.path, lines, s.text, m.index, m[0]),
        },
        LintRule.parameters,
        `${m[0]}: "workflow.${root}" is no workflow variable, so Argo cannot resolve it`,
        suggestion(root, [...workflowRoots]).replace(/^use one of: /, 'workflow variables are: ') ||
          'see the workflow variables Argo documents',
      );
    }
  }
}

function checkContainerSet(
  ctx: RuleContext,
  unit: WorkflowUnit,
  t: Obj,
  set: Obj,
  path: ManifestPath,
  label: string,
  inputs: Obj,
  outputs: Obj,
): void {
  const err = (p: ManifestPath, message: string, fix: string) =>
    ctx.findings.error({ doc: unit.doc, path: p }, LintRule.requiredField, message, fix);
  const names = new Set<string>();
  list(set.containers).forEach((c) => {
    const n = isObj(c) ? str(c.name) : undefined;
    if (n !== undefined) names.add(n);
  });
  list(set.containers).forEach((c, i) => {
    if (!isObj(c)) return;
    const n = str(c.name);
    if (n !== undefined && isReserved(n)) {
      err(
        [...path, 'containers', i, 'name'],
        `container name "${n}" of ${label} is reserved for Argo's own containers`,
        'rename the container',
      );
    }
    list(c.dependencies).forEach((d, j) => {
      if (typeof d === 'string' && !names.has(d)) {
        err(
          [...path, 'containers', i, 'dependencies', j],
          `container "${n ?? ''}" of ${label} depends on "${d}", which the containerSet does not define`,
          `name one of: ${[...names].join(', ')}`,
        );
      }
    });
  });
  const io =
    list(inputs.artifacts).length +
    list(outputs.parameters).length +
    list(outputs.artifacts).length;
  if (io > 0 && !names.has('main')) {
    err(
      [...path, 'containers'],
      `${label} has inputs or outputs, so its containerSet needs a container named "main"`,
      'name the container that reads inputs and writes outputs "main"',
    );
  }
  void t;
}

/** Whether a template has a field Argo does not know, e.g. a misspelt kind, reported on its own. */
function hasUnknownField(ctx: RuleContext, t: Obj): boolean {
  const known = ctx.tables.workflows.get('Template');
  return known !== undefined && Object.keys(t).some((k) => !known.has(k));
}

/** Pod-level resources: Kubernetes takes only cpu, memory and hugepages-*, and no claims. */
function checkPodResources(
  ctx: RuleContext,
  unit: WorkflowUnit,
  resources: unknown,
  path: ManifestPath,
  owner: string,
): void {
  if (!isObj(resources)) return;
  const err = (p: ManifestPath, message: string, fix: string) =>
    ctx.findings.error({ doc: unit.doc, path: p }, LintRule.requiredField, message, fix);
  if (list(resources.claims).length > 0) {
    err(
      [...path, 'claims'],
      `podResources of ${owner} has claims, which pod-level resources do not take`,
      "set claims on a template's resourceClaims instead",
    );
  }
  for (const kind of ['limits', 'requests']) {
    const amounts = isObj(resources[kind]) ? (resources[kind] as Obj) : {};
    for (const name of Object.keys(amounts)) {
      if (name === 'cpu' || name === 'memory' || name.startsWith('hugepages-')) continue;
      err(
        [...path, kind, name],
        `podResources of ${owner}: "${name}" is not a pod-level resource`,
        'only cpu, memory and hugepages-* are; set others on the containers',
      );
    }
  }
}

function isReserved(name: string): boolean {
  return reservedContainers.has(name) || name.startsWith('artifact-plugin-');
}

function isYaml(text: string): boolean {
  const replaced = text.replace(/\{\{=?[^}]*\}\}/g, 'x');
  return parseAllDocuments(replaced).every((d) => !('errors' in d) || d.errors.length === 0);
}

function checkMetrics(
  ctx: RuleContext,
  unit: WorkflowUnit,
  t: Obj,
  path: ManifestPath,
  label: string,
): void {
  const metrics = isObj(t.metrics) ? t.metrics : undefined;
  list(metrics?.prometheus).forEach((m, i) => {
    if (!isObj(m)) return;
    const at = [...path, 'metrics', 'prometheus', i];
    const err = (p: ManifestPath, message: string, fix: string) =>
      ctx.findings.error({ doc: unit.doc, path: p }, LintRule.requiredField, message, fix);
    const name = str(m.name) ?? '';
    if (!metricName.test(name)) {
      err(
        [...at, 'name'],
        `metric name "${name}" of ${label} is invalid: letters, digits and '_' only`,
        `e.g. ${name.replace(/[^a-zA-Z0-9_]/g, '_') || 'my_metric'}`,
      );
      return;
    }
    for (const [j, l] of list(m.labels).entries()) {
      const key = isObj(l) ? (str(l.key) ?? '') : '';
      if (!labelKey.test(key)) {
        err(
          [...at, 'labels', j, 'key'],
          `metric label "${key}" of metric "${name}" is invalid: letters, digits and '_' only`,
          `e.g. ${key.replace(/[^a-zA-Z0-9_]/g, '_') || 'my_label'}`,
        );
        return;
      }
    }
    if (str(m.help) === undefined) {
      err(
        at,
        `metric "${name}" of ${label} has no help`,
        'add help: with a sentence saying what it measures',
      );
      return;
    }
    const kinds = (['gauge', 'counter', 'histogram'] as const).filter((k) => isObj(m[k]));
    if (kinds.length === 0) {
      err(
        at,
        `metric "${name}" of ${label} has no gauge, counter or histogram`,
        'add one of them with its value',
      );
      return;
    }
    const body = m[kinds[0]!] as Obj;
    if (str(body.value) === undefined && typeof body.value !== 'number') {
      err(
        [...at, kinds[0]!],
        `metric "${name}" of ${label}: ${kinds[0]} has no value`,
        'add value:',
      );
      return;
    }
    if (
      kinds[0] === 'gauge' &&
      body.realtime === true &&
      String(body.value).includes('resourcesDuration.')
    ) {
      err(
        [...at, 'gauge', 'value'],
        `metric "${name}" of ${label}: resourcesDuration metrics cannot be real-time`,
        'set realtime: false, or measure something else',
      );
    }
  });
}

function checkHookExpressions(
  ctx: RuleContext,
  unit: WorkflowUnit,
  hooks: Obj,
  path: ManifestPath,
): void {
  for (const [name, hook] of Object.entries(hooks)) {
    if (name === 'exit' || !isObj(hook)) continue;
    if (str(hook.expression) === undefined) {
      ctx.findings.error(
        { doc: unit.doc, path: [...path, name] },
        LintRule.requiredField,
        `hook "${name}" has no expression`,
        'add expression: saying when it runs (only the "exit" hook runs without one)',
      );
    }
  }
}

/** A step reads the steps before it (in its group or earlier ones), never the steps after it. */
function checkStepOrder(ctx: RuleContext, unit: WorkflowUnit, t: Obj, path: ManifestPath): void {
  const order: { step: Obj; path: ManifestPath; name: string }[] = [];
  list(t.steps).forEach((group, g) => {
    list(group).forEach((step, i) => {
      if (isObj(step))
        order.push({ step, path: [...path, 'steps', g, i], name: str(step.name) ?? '' });
    });
  });
  const position = new Map<string, number>();
  order.forEach(({ name }, k) => {
    if (!position.has(name)) position.set(name, k);
  });
  const lines = ctx.lines(unit.doc.file);
  order.forEach(({ step, path: at, name }, k) => {
    for (const s of stringsIn(step, at, new Set(['inline']))) {
      for (const m of s.text.matchAll(/\{\{\s*steps\.([\w-]+)\.[^{}]*\}\}/g)) {
        const other = m[1] ?? '';
        const later = position.get(other);
        if (later === undefined || later <= k) continue;
        ctx.findings.error(
          {
            file: unit.doc.file,
            position: positionIn(unit.doc, s.path, lines, s.text, m.index, m[0]),
          },
          LintRule.parameters,
          `${m[0]}: step "${name}" runs before step "${other}", so it cannot read it`,
          `move "${name}" to a step group after the one of "${other}"`,
        );
      }
    }
  });
}

/** What a step or a task checks of itself: name, loops, arguments, hooks. */
function checkCall(
  ctx: RuleContext,
  unit: WorkflowUnit,
  call: Obj,
  path: ManifestPath,
  what: 'step' | 'task',
): void {
  const err = (p: ManifestPath, message: string, fix: string) =>
    ctx.findings.error({ doc: unit.doc, path: p }, LintRule.requiredField, message, fix);
  const name = str(call.name);
  if (name !== undefined) checkFieldName(ctx, unit, name, [...path, 'name'], what);
  if (str(call.template) !== undefined && isObj(call.templateRef)) {
    err(path, `${what} "${name ?? ''}" gives both template and templateRef`, 'keep one of them');
  }
  const loops = ['withItems', 'withParam', 'withSequence'].filter(
    (k) => call[k] != null && call[k] !== '',
  );
  if (loops.length > 1) {
    err(
      path,
      `${what} "${name ?? ''}" loops more than one way (${loops.join(', ')})`,
      'keep one of withItems, withParam, withSequence',
    );
  }
  const seq = isObj(call.withSequence) ? call.withSequence : undefined;
  if (seq && seq.count != null && seq.end != null) {
    err(
      [...path, 'withSequence'],
      `withSequence of ${what} "${name ?? ''}" gives both count and end`,
      'keep one of them (start and end, or count)',
    );
  }
  const args = isObj(call.arguments) ? call.arguments : undefined;
  if (args) checkArguments(ctx, unit, args, [...path, 'arguments'], false);
  if (isObj(call.hooks)) checkHookExpressions(ctx, unit, call.hooks, [...path, 'hooks']);
}

/** Names, values and sources of a workflow's or a call's arguments. */
function checkArguments(
  ctx: RuleContext,
  unit: WorkflowUnit,
  args: Obj,
  path: ManifestPath,
  workflow: boolean,
): void {
  const err = (p: ManifestPath, message: string, fix: string) =>
    ctx.findings.error({ doc: unit.doc, path: p }, LintRule.parameters, message, fix);
  checkNames(ctx, unit, args.parameters, [...path, 'parameters'], 'argument parameter', paramName);
  checkNames(ctx, unit, args.artifacts, [...path, 'artifacts'], 'argument artifact', paramName);
  list(args.parameters).forEach((p, i) => {
    if (!isObj(p)) return;
    const at = [...path, 'parameters', i];
    const n = str(p.name) ?? '';
    if (!workflow && p.value == null && p.valueFrom == null) {
      err(at, `argument parameter "${n}" has no value`, 'add value: (or valueFrom:)');
    }
    if (Array.isArray(p.enum)) {
      const values = p.enum.map(String);
      if (values.length === 0) {
        err(
          [...at, 'enum'],
          `parameter "${n}" has an empty enum`,
          'list at least one value, or remove enum',
        );
      } else if (p.value != null && !isTag(p.value) && !values.includes(String(p.value))) {
        err(
          [...at, 'value'],
          `value "${String(p.value)}" of parameter "${n}" is not in its enum`,
          `use one of: ${values.join(', ')}`,
        );
      }
    }
    const from = isObj(p.valueFrom) ? p.valueFrom : undefined;
    if (from) {
      const allowed =
        from.configMapKeyRef != null || str(from.event) !== undefined || from.supplied != null;
      const runtime = ['path', 'jsonPath', 'parameter', 'expression'].filter(
        (k) => str(from[k]) !== undefined,
      );
      if (!allowed || runtime.length > 0) {
        err(
          [...at, 'valueFrom'],
          `argument parameter "${n}": an argument's valueFrom takes only default, configMapKeyRef and supplied`,
          'give the value itself, e.g. value: "{{tasks.NAME.outputs.parameters.NAME}}"',
        );
      }
    }
  });
  list(args.artifacts).forEach((a, i) => {
    if (!isObj(a)) return;
    const at = [...path, 'artifacts', i];
    const n = str(a.name) ?? '';
    const located = Object.keys(a).some((k) =>
      [
        's3',
        'git',
        'http',
        'artifactory',
        'hdfs',
        'raw',
        'oss',
        'gcs',
        'azure',
        'plugin',
        'key',
        'local',
      ].includes(k),
    );
    if (str(a.from) === undefined && str(a.fromExpression) === undefined && !located) {
      err(
        at,
        `argument artifact "${n}" says neither where it comes from nor where it is`,
        'add from: "{{steps.NAME.outputs.artifacts.NAME}}", or a location (s3, http, git, raw, ...)',
      );
    }
    if (str(a.from) !== undefined && str(a.fromExpression) !== undefined) {
      err(at, `argument artifact "${n}" gives both from and fromExpression`, 'keep one of them');
    }
  });
}

function checkDag(
  ctx: RuleContext,
  unit: WorkflowUnit,
  dag: Obj,
  path: ManifestPath,
  label: string,
): void {
  const err = (
    p: ManifestPath,
    message: string,
    fix: string,
    rule: LintRule = LintRule.templateRef,
  ) => ctx.findings.error({ doc: unit.doc, path: p }, rule, message, fix);
  const tasks = list(dag.tasks).filter(isObj);
  if (tasks.length === 0) {
    err(path, `the dag of ${label} has no task`, 'add tasks:', LintRule.requiredField);
    return;
  }
  const usingDepends = tasks.some((t) => str(t.depends) !== undefined);
  const deps = new Map<string, string[]>();
  const byName = new Map<string, Obj>();
  for (const t of tasks) {
    const n = str(t.name);
    if (n === undefined) continue;
    byName.set(n, t);
    const own = list(t.dependencies).filter((d): d is string => typeof d === 'string');
    const fromDepends = (str(t.depends) ?? '')
      .replace(/&&|\|\||[!()]/g, ' ')
      .split(/\s+/)
      .filter(Boolean)
      .map((token) =>
        token.replace(
          /\.(Succeeded|Failed|Errored|Skipped|Omitted|Daemoned|AnySucceeded|AllFailed)$/,
          '',
        ),
      );
    deps.set(n, [...own, ...fromDepends]);
  }
  list(dag.tasks).forEach((task, i) => {
    if (!isObj(task)) return;
    const at = [...path, 'tasks', i];
    const n = str(task.name) ?? '';
    checkCall(ctx, unit, task, at, 'task');
    if ((usingDepends || list(task.dependencies).length > 0) && /^[0-9]/.test(n)) {
      err(
        [...at, 'name'],
        `task name "${n}" begins with a digit, which depends and dependencies cannot name`,
        `start it with a letter, e.g. t${n}`,
        LintRule.requiredField,
      );
    }
    if (usingDepends && list(task.dependencies).length > 0) {
      err(
        [...at, 'dependencies'],
        `${label} uses both depends and dependencies in one dag`,
        'write every task\'s dependencies as depends: "a && b"',
        LintRule.requiredField,
      );
    }
    if (usingDepends && task.continueOn != null) {
      err(
        [...at, 'continueOn'],
        `${label} uses depends, so a task may not use continueOn`,
        `use "${n}.Failed" or "${n}.Errored" in the depends of the tasks after it`,
        LintRule.requiredField,
      );
    }
    // The tasks an argument reads must run before: they must be among its ancestors.
    const ancestors = ancestry(n, deps);
    const args = isObj(task.arguments) ? task.arguments : {};
    for (const [kind, key] of [
      ['parameters', 'value'],
      ['artifacts', 'from'],
    ] as const) {
      list(args[kind]).forEach((a, j) => {
        const v = isObj(a) ? a[key] : undefined;
        const m = typeof v === 'string' ? /^\{\{tasks\.([^.}]+)\./.exec(v) : null;
        if (m && m[1] !== undefined && byName.has(m[1]) && !ancestors.has(m[1])) {
          err(
            [...at, 'arguments', kind, j, key],
            `task "${n}" reads task "${m[1]}" but does not depend on it`,
            `add ${m[1]} to the depends (or dependencies) of "${n}"`,
            LintRule.parameters,
          );
        }
      });
    }
  });
  // .AnySucceeded and .AllFailed speak of the items of a looping task.
  list(dag.tasks).forEach((task, i) => {
    const depends = isObj(task) ? str(task.depends) : undefined;
    for (const m of (depends ?? '').matchAll(/([\w-]+)\.(AnySucceeded|AllFailed)\b/g)) {
      const target = byName.get(m[1] ?? '');
      const loops =
        target && ['withItems', 'withParam', 'withSequence'].some((k) => target[k] != null);
      if (target && !loops) {
        err(
          [...path, 'tasks', i, 'depends'],
          `depends uses ${m[0]}, but task "${m[1] ?? ''}" does not loop over items`,
          `use ${m[1] ?? ''}.Succeeded or ${m[1] ?? ''}.Failed, or give "${m[1] ?? ''}" withItems, withParam or withSequence`,
        );
      }
    }
  });
  // A task reads the status of the tasks it depends on, directly or not, and of no other.
  const lines = ctx.lines(unit.doc.file);
  list(dag.tasks).forEach((task, i) => {
    if (!isObj(task)) return;
    const n = str(task.name) ?? '';
    const ancestors = ancestry(n, deps);
    for (const s of stringsIn(task, [...path, 'tasks', i])) {
      for (const m of s.text.matchAll(/\{\{\s*tasks\.([\w-]+)\.status\s*\}\}/g)) {
        const other = m[1] ?? '';
        if (!byName.has(other) || other === n || ancestors.has(other)) continue;
        ctx.findings.error(
          {
            file: unit.doc.file,
            position: positionIn(unit.doc, s.path, lines, s.text, m.index, m[0]),
          },
          LintRule.parameters,
          `${m[0]}: task "${n}" does not depend on task "${other}", so its status is not known yet`,
          `add ${other} to the depends (or dependencies) of "${n}"`,
        );
      }
    }
  });
  const cycle = findCycle(deps);
  if (cycle) {
    const first = tasks.findIndex((t) => t.name === cycle[0]);
    err(
      [...path, 'tasks', Math.max(0, first)],
      `the dag of ${label} has a dependency cycle: ${cycle.join(' -> ')}`,
      'break the cycle: a task cannot wait for itself',
    );
  }
}

function ancestry(name: string, deps: Map<string, string[]>): Set<string> {
  const seen = new Set<string>();
  const visit = (n: string) => {
    for (const d of deps.get(n) ?? []) {
      if (seen.has(d)) continue;
      seen.add(d);
      visit(d);
    }
  };
  visit(name);
  return seen;
}

function findCycle(deps: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string): string[] | undefined => {
    if (state.get(n) === 'done') return undefined;
    if (state.get(n) === 'open') return [...stack.slice(stack.indexOf(n)), n];
    state.set(n, 'open');
    stack.push(n);
    for (const d of deps.get(n) ?? []) {
      if (!deps.has(d)) continue;
      const c = visit(d);
      if (c) return c;
    }
    stack.pop();
    state.set(n, 'done');
    return undefined;
  };
  for (const n of deps.keys()) {
    const c = visit(n);
    if (c) return c;
  }
  return undefined;
}

function checkFieldName(
  ctx: RuleContext,
  unit: WorkflowUnit,
  name: string,
  path: ManifestPath,
  what: string,
): void {
  // A step name may hold {{...}} tags: the rest of it must still be a valid name.
  const bare = name.replace(/\{\{[^}]*\}\}/g, 'x');
  const problems: string[] = [];
  if (bare.length > fieldNameMax) problems.push(`at most ${fieldNameMax} characters`);
  if (!fieldName.test(bare))
    problems.push("letters, digits and '-' only, starting with a letter or digit");
  if (problems.length === 0) return;
  ctx.findings.error(
    { doc: unit.doc, path },
    LintRule.requiredField,
    `${what} name "${name}" is invalid: ${problems.join('; ')}`,
    `e.g. ${
      bare
        .replace(/[^-a-zA-Z0-9]/g, '-')
        .replace(/^-+/, '')
        .slice(0, fieldNameMax) || 'my-name'
    }`,
  );
}

/** Each item of a list of named things: a name, valid, and unique. */
function checkNames(
  ctx: RuleContext,
  unit: WorkflowUnit,
  items: unknown,
  path: ManifestPath,
  what: string,
  pattern: RegExp,
): void {
  const seen = new Set<string>();
  list(items).forEach((item, i) => {
    if (!isObj(item)) return;
    const name = item.name;
    const err = (message: string, fix: string) =>
      ctx.findings.error(
        { doc: unit.doc, path: [...path, i, ...(name === undefined ? [] : ['name'])] },
        LintRule.requiredField,
        message,
        fix,
      );
    if (typeof name !== 'string' || name === '') {
      err(`${article(what)} ${what} without a name`, 'add name:');
      return;
    }
    // Tags are replaced by values before Argo checks the name.
    if (!pattern.test(name.replace(/\{\{[^}]*\}\}/g, 'x'))) {
      err(
        `${what} name "${name}" is invalid: letters, digits, '_' and '-' only`,
        `e.g. ${name.replace(/[^-a-zA-Z0-9_]/g, '_')}`,
      );
    } else if (seen.has(name)) {
      err(`${what} "${name}" is declared twice`, 'rename or remove one of them');
    }
    seen.add(name);
  });
}
