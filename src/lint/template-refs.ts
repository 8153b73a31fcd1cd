import type { ManifestPath } from '../catalog/index.js';
import type { RuleContext } from './context.js';
import {
  argoCallName,
  isObj,
  str,
  templatesByName,
  type Obj,
  type WorkflowUnit,
} from './manifests.js';
import { suggestion } from './suggest.js';
import { LintRule } from './types.js';

/** A template that a step, task, entrypoint or hook resolves to, or why not. */
export type Resolved =
  { found: true; template: Obj; name: string } | { found: false; checkable: boolean };

/** The WorkflowTemplate (or ClusterWorkflowTemplate) a reference names, when the set has it. */
function lookupTemplate(
  ctx: RuleContext,
  unit: WorkflowUnit,
  ref: Obj,
  refPath: ManifestPath,
): WorkflowUnit | undefined {
  const { set, findings } = ctx;
  const cluster = ref.clusterScope === true;
  const pool = cluster ? set.clusterWorkflowTemplates : set.workflowTemplates;
  const kind = cluster ? 'ClusterWorkflowTemplate' : 'WorkflowTemplate';
  const name = str(ref.name);
  const place = { doc: unit.doc, path: [...refPath, 'name'] };
  if (name === undefined) {
    findings.error(place, LintRule.requiredField, `${kind} reference without a name`, 'add name:');
    return undefined;
  }
  const target = pool.get(name);
  if (target) return target;
  // Argo resolves the name in the cluster, where it may well be: only the files linted are known here.
  const near = suggestion(name, [...pool.keys()]);
  findings.warn(
    place,
    LintRule.templateRef,
    `${kind} "${name}" is not among the files linted, so its templates were not checked`,
    near.startsWith('did you mean')
      ? `${near} If not, lint this file together with the file that defines ${kind} "${name}"`
      : `lint this file together with the file that defines ${kind} "${name}"`,
  );
  return undefined;
}

/**
 * Resolves what a step or task calls: `template` (in the same workflow, or
 * in its workflowTemplateRef's), `templateRef`, or an `inline` template.
 */
export function resolveCall(
  ctx: RuleContext,
  unit: WorkflowUnit,
  call: Obj,
  callPath: ManifestPath,
  local: Map<string, Obj>,
): Resolved {
  if (isObj(call.inline)) return { found: true, template: call.inline, name: 'inline' };
  const name = str(call.template);
  if (name !== undefined) return resolveLocal(ctx, unit, name, [...callPath, 'template'], local);
  if (isObj(call.templateRef)) {
    const ref = call.templateRef;
    const target = lookupTemplate(ctx, unit, ref, [...callPath, 'templateRef']);
    if (!target) return { found: false, checkable: false };
    const templateName = str(ref.template);
    const place = { doc: unit.doc, path: [...callPath, 'templateRef', 'template'] };
    if (templateName === undefined) {
      ctx.findings.error(
        place,
        LintRule.requiredField,
        'templateRef without a template',
        'add template:',
      );
      return { found: false, checkable: true };
    }
    const templates = templatesByName(target.spec);
    const template = templates.get(templateName);
    if (template) return { found: true, template, name: templateName };
    ctx.findings.error(
      place,
      LintRule.templateRef,
      `${target.kind} "${target.name ?? ''}" has no template "${templateName}"`,
      suggestion(templateName, [...templates.keys()]),
    );
    return { found: false, checkable: true };
  }
  ctx.findings.error(
    { doc: unit.doc, path: callPath },
    LintRule.requiredField,
    `${str(call.name) ? `"${String(call.name)}" ` : ''}calls no template`,
    'add template: NAME, templateRef: {name, template}, or inline:',
  );
  return { found: false, checkable: true };
}

/** Resolves a template name of a workflow: its own templates, then its workflowTemplateRef's. */
export function resolveLocal(
  ctx: RuleContext,
  unit: WorkflowUnit,
  name: string,
  path: ManifestPath,
  local: Map<string, Obj>,
): Resolved {
  const own = local.get(name);
  if (own) return { found: true, template: own, name };
  let candidates = [...local.keys()];
  if (isObj(unit.spec.workflowTemplateRef)) {
    const target = referencedTemplate(ctx.set, unit.spec.workflowTemplateRef);
    if (!target) return { found: false, checkable: false };
    const theirs = templatesByName(target.spec);
    const template = theirs.get(name);
    if (template) return { found: true, template, name };
    candidates = [...candidates, ...theirs.keys()];
  }
  const argoName = argoCallName(unit, path);
  ctx.findings.error(
    { doc: unit.doc, path },
    LintRule.templateRef,
    argoName === undefined
      ? `no template "${name}" in ${unit.kind} "${unit.name ?? ''}"`
      : `${argoName} template name '${name}' undefined: no template "${name}" in ${unit.kind} "${unit.name ?? ''}"`,
    suggestion(name, candidates) || 'add a template of that name',
  );
  return { found: false, checkable: true };
}

/** The WorkflowTemplate a workflowTemplateRef names, when the set has it. */
export function referencedTemplate(set: RuleContext['set'], ref: Obj): WorkflowUnit | undefined {
  const name = str(ref.name);
  if (name === undefined) return undefined;
  return (ref.clusterScope === true ? set.clusterWorkflowTemplates : set.workflowTemplates).get(
    name,
  );
}

/** Checks a workflowTemplateRef once per workflow (reports a missing name or template). */
export function checkWorkflowTemplateRef(ctx: RuleContext, unit: WorkflowUnit): void {
  const ref = unit.spec.workflowTemplateRef;
  if (!isObj(ref)) return;
  lookupTemplate(ctx, unit, ref, [...unit.specPath, 'workflowTemplateRef']);
}
