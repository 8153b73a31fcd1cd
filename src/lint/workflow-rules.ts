import type { ManifestPath } from '../catalog/index.js';
import type { RuleContext } from './context.js';
import {
  argoCallName,
  isObj,
  list,
  names,
  str,
  templatesByName,
  WorkflowKind,
  type Obj,
  type WorkflowUnit,
} from './manifests.js';
import { suggestion } from './suggest.js';
import {
  checkWorkflowTemplateRef,
  referencedTemplate,
  resolveCall,
  resolveLocal,
} from './template-refs.js';
import { LintRule } from './types.js';
import { positionIn, stringsIn, variableRefs } from './variables.js';
import {
  checkCallExpressions,
  checkDepends,
  checkExpressionFields,
  checkExpressionTags,
  checkOutputRef,
} from './expression-rules.js';

const taskResults = /\.(Succeeded|Failed|Errored|Skipped|Omitted|Daemoned|AnySucceeded|AllFailed)$/;

function isRunnable(unit: WorkflowUnit): boolean {
  return unit.kind === WorkflowKind.Workflow || unit.kind === WorkflowKind.CronWorkflow;
}

/** Checks the templates, references and parameters of one workflow. */
export function checkWorkflow(ctx: RuleContext, unit: WorkflowUnit): void {
  const { spec, specPath, doc } = unit;
  const local = templatesByName(spec);
  const seen = new Set<string>();
  list(spec.templates).forEach((t, i) => {
    const path = [...specPath, 'templates', i];
    if (!isObj(t)) return;
    const name = str(t.name);
    if (name === undefined) {
      ctx.findings.error(
        { doc, path },
        LintRule.requiredField,
        `spec.templates[${i}].name is required: a template without a name`,
        'add name:',
      );
    } else if (seen.has(name)) {
      ctx.findings.error(
        { doc, path: [...path, 'name'] },
        LintRule.requiredField,
        `template "${name}" is defined twice`,
        'rename or remove one of them',
      );
    }
    if (name !== undefined) seen.add(name);
  });
  checkWorkflowTemplateRef(ctx, unit);

  const globals = globalParameters(ctx, unit);
  const entry = str(spec.entrypoint);
  if (entry !== undefined) {
    const r = resolveLocal(ctx, unit, entry, [...specPath, 'entrypoint'], local);
    if (r.found && isRunnable(unit) && globals) {
      for (const name of requiredInputs(r.template)) {
        if (globals.names.has(name)) continue;
        ctx.findings.error(
          { doc, path: [...specPath, 'entrypoint'] },
          LintRule.parameters,
          `entrypoint template "${entry}" needs input parameter "${name}", which spec.arguments does not give`,
          `add - name: ${name} with a value under spec.arguments.parameters`,
        );
      }
    }
  } else if (spec.entrypoint != null && spec.entrypoint !== '') {
    ctx.findings.error(
      { doc, path: [...specPath, 'entrypoint'] },
      LintRule.fieldType,
      'spec.entrypoint must be the name of a template, a string',
      local.size > 0
        ? `write entrypoint: NAME, one of: ${[...local.keys()].join(', ')}`
        : 'write entrypoint: NAME',
    );
  } else if (isRunnable(unit) && !isObj(spec.workflowTemplateRef)) {
    ctx.findings.error(
      { doc, path: specPath },
      LintRule.requiredField,
      'spec.entrypoint is required',
      local.size > 0
        ? `set entrypoint: to the template to run first, one of: ${[...local.keys()].join(', ')}`
        : 'set entrypoint: to the template to run first',
    );
  }
  const onExit = str(spec.onExit);
  if (onExit !== undefined) resolveLocal(ctx, unit, onExit, [...specPath, 'onExit'], local);
  checkHooks(ctx, unit, spec.hooks, [...specPath, 'hooks'], local);

  list(spec.templates).forEach((t, i) => {
    if (isObj(t)) checkTemplate(ctx, unit, t, [...specPath, 'templates', i], local, globals);
  });
  checkExpressionFields(ctx, unit, spec, specPath);
}

/** The input parameters of a template that have no value of their own. */
function requiredInputs(template: Obj): string[] {
  const inputs = isObj(template.inputs) ? template.inputs : {};
  return list(inputs.parameters).flatMap((p) => {
    if (!isObj(p)) return [];
    const name = str(p.name);
    const given = p.value != null || p.default != null || p.valueFrom != null;
    return name === undefined || given ? [] : [name];
  });
}

interface Globals {
  names: Set<string>;
  /** Whether a missing one is certain (a Workflow) or likely (a WorkflowTemplate). */
  certain: boolean;
}

/** The workflow parameters a workflow's templates can read, or undefined when unknown. */
function globalParameters(ctx: RuleContext, unit: WorkflowUnit): Globals | undefined {
  const args = (spec: Obj): string[] =>
    names(isObj(spec.arguments) ? spec.arguments.parameters : undefined);
  const own = new Set(args(unit.spec));
  if (isRunnable(unit)) {
    if (isObj(unit.spec.workflowTemplateRef)) {
      const target = referencedTemplate(ctx.set, unit.spec.workflowTemplateRef);
      if (!target) return undefined;
      for (const n of args(target.spec)) own.add(n);
    }
    return { names: own, certain: true };
  }
  // A WorkflowTemplate's parameters may come from the Workflows that use it.
  for (const caller of ctx.set.units) {
    if (isRunnable(caller) && unit.name !== undefined && refersTo(caller.spec, unit.name)) {
      for (const n of args(caller.spec)) own.add(n);
    }
  }
  return own.size === 0 ? undefined : { names: own, certain: false };
}

function refersTo(value: unknown, name: string): boolean {
  if (Array.isArray(value)) return value.some((v) => refersTo(v, name));
  if (!isObj(value)) return false;
  for (const key of ['templateRef', 'workflowTemplateRef']) {
    const ref = value[key];
    if (isObj(ref) && ref.name === name) return true;
  }
  return Object.values(value).some((v) => refersTo(v, name));
}

function checkHooks(
  ctx: RuleContext,
  unit: WorkflowUnit,
  hooks: unknown,
  path: ManifestPath,
  local: Map<string, Obj>,
): void {
  if (!isObj(hooks)) return;
  for (const [name, hook] of Object.entries(hooks)) {
    if (!isObj(hook)) continue;
    if (str(hook.template) !== undefined || isObj(hook.templateRef)) {
      resolveCall(ctx, unit, hook, [...path, name], local);
    }
  }
}

function checkTemplate(
  ctx: RuleContext,
  unit: WorkflowUnit,
  t: Obj,
  path: ManifestPath,
  local: Map<string, Obj>,
  globals: Globals | undefined,
): void {
  const { doc } = unit;
  const steps = new Map<string, Obj | undefined>();
  list(t.steps).forEach((group, g) => {
    list(group).forEach((step, s) => {
      if (!isObj(step)) return;
      const stepPath = [...path, 'steps', g, s];
      const name = str(step.name);
      if (name === undefined)
        ctx.findings.error(
          { doc, path: stepPath },
          LintRule.requiredField,
          'a step without a name',
          'add name:',
        );
      const called = checkCall(ctx, unit, step, stepPath, local, globals);
      if (name !== undefined) steps.set(name, called);
      checkCallExpressions(ctx, unit, step, stepPath);
    });
  });
  const tasks = new Map<string, Obj | undefined>();
  const dag = isObj(t.dag) ? t.dag : undefined;
  if (dag) {
    list(dag.tasks).forEach((task, i) => {
      if (!isObj(task)) return;
      const name = str(task.name);
      const taskPath = [...path, 'dag', 'tasks', i];
      if (name === undefined) {
        ctx.findings.error(
          { doc, path: taskPath },
          LintRule.requiredField,
          'a dag task without a name',
          'add name:',
        );
      } else if (tasks.has(name)) {
        ctx.findings.error(
          { doc, path: [...taskPath, 'name'] },
          LintRule.requiredField,
          `dag task "${name}" is defined twice`,
          'rename or remove one of them',
        );
      }
      if (name !== undefined) tasks.set(name, undefined);
    });
    list(dag.tasks).forEach((task, i) => {
      if (!isObj(task)) return;
      const taskPath = [...path, 'dag', 'tasks', i];
      const called = checkCall(ctx, unit, task, taskPath, local, globals);
      const name = str(task.name);
      if (name !== undefined && !tasks.get(name)) tasks.set(name, called);
      checkDependencies(ctx, unit, task, taskPath, tasks);
      checkCallExpressions(ctx, unit, task, taskPath);
    });
    const target = str(dag.target);
    // A target made of a parameter ({{workflow.parameters.target}}) is known only at run time.
    const fixed = target !== undefined && !target.includes('{{') ? target : '';
    for (const name of fixed.split(/\s+/).filter(Boolean)) {
      if (!tasks.has(name))
        unknownTask(ctx, unit, [...path, 'dag', 'target'], target ?? '', name, tasks);
    }
  }
  checkVariables(
    ctx,
    unit,
    t,
    path,
    globals,
    t.steps !== undefined ? steps : undefined,
    dag ? tasks : undefined,
  );
}

function checkCall(
  ctx: RuleContext,
  unit: WorkflowUnit,
  call: Obj,
  path: ManifestPath,
  local: Map<string, Obj>,
  globals: Globals | undefined,
): Obj | undefined {
  const r = resolveCall(ctx, unit, call, path, local);
  const onExit = str(call.onExit);
  if (onExit !== undefined) resolveLocal(ctx, unit, onExit, [...path, 'onExit'], local);
  checkHooks(ctx, unit, call.hooks, [...path, 'hooks'], local);
  if (isObj(call.inline))
    checkTemplate(ctx, unit, call.inline, [...path, 'inline'], local, globals);
  if (!r.found) return undefined;
  const args = isObj(call.arguments) ? call.arguments : {};
  const passed = new Set(names(args.parameters));
  const what = call.name === undefined ? 'this call' : `"${String(call.name)}"`;
  const argoName = argoCallName(unit, path);
  for (const name of requiredInputs(r.template)) {
    if (passed.has(name)) continue;
    const at = call.template !== undefined ? 'template' : 'templateRef';
    ctx.findings.error(
      { doc: unit.doc, path: [...path, at], at: 'key' },
      LintRule.parameters,
      argoName === undefined
        ? `${what} does not pass input parameter "${name}", which template "${r.name}" requires`
        : `${argoName} templates.${r.name} inputs.parameters.${name} was not supplied: ${what} does not pass it`,
      `add - name: ${name} under arguments.parameters, or give the input a default`,
    );
  }
  return r.template;
}

function checkDependencies(
  ctx: RuleContext,
  unit: WorkflowUnit,
  task: Obj,
  path: ManifestPath,
  tasks: Map<string, unknown>,
): void {
  list(task.dependencies).forEach((dep, i) => {
    if (typeof dep === 'string' && !tasks.has(dep)) {
      unknownTask(ctx, unit, [...path, 'dependencies', i], dep, dep, tasks);
    }
  });
  const depends = str(task.depends);
  if (depends === undefined) return;
  if (!checkDepends(ctx, unit, depends, [...path, 'depends'])) return;
  for (const token of depends.replace(/&&|\|\||[!()]/g, ' ').split(/\s+/)) {
    const name = token.replace(taskResults, '');
    if (name !== '' && !tasks.has(name)) {
      unknownTask(ctx, unit, [...path, 'depends'], depends, name, tasks);
    }
  }
}

function unknownTask(
  ctx: RuleContext,
  unit: WorkflowUnit,
  path: ManifestPath,
  text: string,
  name: string,
  tasks: Map<string, unknown>,
): void {
  const lines = ctx.lines(unit.doc.file);
  const position = positionIn(unit.doc, path, lines, text, text.indexOf(name), name);
  ctx.findings.error(
    { file: unit.doc.file, position },
    LintRule.templateRef,
    `no dag task "${name}" in this dag`,
    suggestion(name, [...tasks.keys()]) || 'name a task of the same dag',
  );
}

function checkVariables(
  ctx: RuleContext,
  unit: WorkflowUnit,
  t: Obj,
  path: ManifestPath,
  globals: Globals | undefined,
  steps: Map<string, Obj | undefined> | undefined,
  tasks: Map<string, Obj | undefined> | undefined,
): void {
  const inputs = names(isObj(t.inputs) ? t.inputs.parameters : undefined);
  const inputArtifacts = names(isObj(t.inputs) ? t.inputs.artifacts : undefined);
  const lines = ctx.lines(unit.doc.file);
  const template = str(t.name) ?? 'inline';
  for (const s of stringsIn(t, path, new Set(['inline']))) {
    checkExpressionTags(ctx, unit, s.text, s.path);
    for (const ref of variableRefs(s.text)) {
      const place = {
        file: unit.doc.file,
        position: positionIn(unit.doc, s.path, lines, s.text, ref.offset, ref.tag),
      };
      if (ref.scope === 'inputs.parameters' && !inputs.includes(ref.name)) {
        ctx.findings.error(
          place,
          LintRule.parameters,
          `${ref.tag}: template "${template}" has no input parameter "${ref.name}"`,
          suggestion(ref.name, inputs).replace(/^use one of/, 'its inputs are') ||
            `declare it under inputs.parameters (- name: ${ref.name})`,
        );
      } else if (
        ref.scope === 'workflow.parameters' &&
        globals &&
        ref.name !== 'json' &&
        !globals.names.has(ref.name)
      ) {
        const message = `${ref.tag}: "${ref.name}" is not among the workflow's spec.arguments.parameters`;
        const fix =
          closestFix(ref.name, [...globals.names]) ??
          `add - name: ${ref.name} under spec.arguments.parameters`;
        if (globals.certain) ctx.findings.error(place, LintRule.parameters, message, fix);
        else ctx.findings.warn(place, LintRule.parameters, message, fix);
      } else if (ref.scope === 'inputs.artifacts' && !inputArtifacts.includes(ref.name)) {
        ctx.findings.error(
          place,
          LintRule.parameters,
          `${ref.tag}: template "${template}" has no input artifact "${ref.name}"`,
          suggestion(ref.name, inputArtifacts).replace(/^use one of/, 'its input artifacts are') ||
            `declare it under inputs.artifacts (- name: ${ref.name})`,
        );
      } else if (ref.scope === 'steps' && steps && !steps.has(ref.name)) {
        ctx.findings.error(
          place,
          LintRule.parameters,
          `${ref.tag}: no step "${ref.name}" in template "${template}"`,
          suggestion(ref.name, [...steps.keys()]) || 'name a step of this template',
        );
      } else if (ref.scope === 'tasks' && tasks && !tasks.has(ref.name)) {
        ctx.findings.error(
          place,
          LintRule.parameters,
          `${ref.tag}: no dag task "${ref.name}" in template "${template}"`,
          suggestion(ref.name, [...tasks.keys()]) || 'name a task of this dag',
        );
      } else if (ref.scope === 'steps' || ref.scope === 'tasks') {
        const called = (ref.scope === 'steps' ? steps : tasks)?.get(ref.name);
        if (called) checkOutputRef(ctx, place, ref, called);
      }
    }
  }
}

function closestFix(name: string, candidates: string[]): string | undefined {
  const s = suggestion(name, candidates);
  return s.startsWith('did you mean') ? s : undefined;
}
