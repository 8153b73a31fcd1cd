import type { ManifestPath, SourcePosition } from '../catalog/index.js';
import { createExpressionLanguage, evaluateWhen, parseDepends } from '../workflows/index.js';
import type { RuleContext } from './context.js';
import { isObj, names, str, type Obj, type WorkflowUnit } from './manifests.js';
import { suggestion } from './suggest.js';
import { LintRule } from './types.js';
import { positionIn, type VariableRef } from './variables.js';

const expressionTag = /\{\{=([^{}]*(?:\{[^{}]*\}[^{}]*)*)\}\}/g;
const anyTag = /\{\{[^{}]*\}\}/g;
/** The wording of `evaluateWhen` for a text that does not parse (not one that fails on its values). */
const whenSyntax = /^(Invalid|Failed to parse) 'when' expression/;
const outputField = /^outputs\.(parameters|artifacts)\.([-\w]+)$/;

type ExpressionLanguage = ReturnType<typeof createExpressionLanguage>;

let language: ExpressionLanguage | undefined;
function expressions(): ExpressionLanguage {
  language ??= createExpressionLanguage();
  return language;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Checks that each `{{=...}}` tag of a string parses as Argo's expr dialect. */
export function checkExpressionTags(
  ctx: RuleContext,
  unit: WorkflowUnit,
  text: string,
  path: ManifestPath,
): void {
  if (!text.includes('{{=')) return;
  for (const m of text.matchAll(expressionTag)) {
    const [tag, body = ''] = m;
    try {
      expressions().check(body);
    } catch (err) {
      ctx.findings.error(
        at(ctx, unit, path, text, m.index, tag),
        LintRule.expression,
        `${tag} is not an expression: ${messageOf(err)}`,
        "write it in Argo's expr syntax, e.g. {{=asInt(inputs.parameters.n) + 1}}",
      );
    }
  }
}

/**
 * Checks the `expression` fields of a workflow (retryStrategy, hooks,
 * valueFrom, labelsFrom, data transformations, stopStrategy), which Argo
 * reads in its expr dialect. One that holds a `{{...}}` tag is filled in first
 * at run time, so only its tags are checked.
 */
export function checkExpressionFields(
  ctx: RuleContext,
  unit: WorkflowUnit,
  value: unknown,
  path: ManifestPath,
): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => checkExpressionFields(ctx, unit, v, [...path, i]));
    return;
  }
  if (!isObj(value)) return;
  for (const [key, inner] of Object.entries(value)) {
    if (key === 'expression' && typeof inner === 'string' && !inner.includes('{{')) {
      try {
        expressions().check(inner);
      } catch (err) {
        ctx.findings.error(
          { doc: unit.doc, path: [...path, key] },
          LintRule.expression,
          `expression ${JSON.stringify(inner)} does not parse: ${messageOf(err)}`,
          'write it in Argo\'s expr syntax, e.g. lastRetry.status == "Error"',
        );
      }
    } else checkExpressionFields(ctx, unit, inner, [...path, key]);
  }
}

/** Checks the `when` of a step or task: govaluate syntax once its tags are filled in. */
export function checkCallExpressions(
  ctx: RuleContext,
  unit: WorkflowUnit,
  call: Obj,
  path: ManifestPath,
): void {
  const when = str(call.when);
  if (when === undefined) return;
  // Tags become a number: syntax errors show, while values are known only at run time.
  // Inner tags first: a step name may itself hold a tag ({{steps.run-{{inputs.parameters.d}}.status}}).
  let filled = when;
  for (let last = ''; last !== filled;) {
    last = filled;
    filled = filled.replace(anyTag, '0');
  }
  try {
    evaluateWhen(filled);
  } catch (err) {
    const message = messageOf(err);
    if (!whenSyntax.test(message)) return;
    ctx.findings.error(
      { doc: unit.doc, path: [...path, 'when'] },
      LintRule.expression,
      `when: ${message.replace(`'${filled}'`, `'${when}'`)}`,
      'write a govaluate expression such as "{{steps.flip.outputs.result}} == heads"; quote values with spaces or symbols',
    );
  }
}

/** Checks the syntax of a task's `depends`; false when it does not parse. */
export function checkDepends(
  ctx: RuleContext,
  unit: WorkflowUnit,
  depends: string,
  path: ManifestPath,
): boolean {
  try {
    parseDepends(depends);
    return true;
  } catch (err) {
    ctx.findings.error(
      { doc: unit.doc, path },
      LintRule.expression,
      `depends: ${messageOf(err)}`,
      'join task names (optionally .Succeeded, .Failed, ...) with &&, ||, ! and parentheses',
    );
    return false;
  }
}

/** Checks that `steps.X.outputs.parameters.Y` (or artifacts) names an output X's template declares. */
export function checkOutputRef(
  ctx: RuleContext,
  place: { file: string; position: SourcePosition },
  ref: VariableRef,
  called: Obj,
): void {
  const m = outputField.exec(ref.field ?? '');
  if (!m) return;
  const [, kind = 'parameters', name = ''] = m;
  const outputs = isObj(called.outputs) ? called.outputs : {};
  const declared = names(outputs[kind]);
  if (declared.includes(name)) return;
  const template = str(called.name) ?? 'inline';
  const what = kind === 'parameters' ? 'output parameter' : 'output artifact';
  ctx.findings.error(
    place,
    LintRule.outputRef,
    `${ref.tag}: template "${template}", which ${ref.scope === 'steps' ? 'step' : 'task'} "${ref.name}" runs, has no ${what} "${name}"`,
    closeName(name, declared) ??
      `declare it under outputs.${kind} of template "${template}" (- name: ${name})`,
  );
}

function closeName(name: string, candidates: string[]): string | undefined {
  const s = suggestion(name, candidates);
  return s.startsWith('did you mean') ? s : undefined;
}

function at(
  ctx: RuleContext,
  unit: WorkflowUnit,
  path: ManifestPath,
  text: string,
  offset: number,
  piece: string,
): { file: string; position: SourcePosition } {
  const lines = ctx.lines(unit.doc.file);
  return { file: unit.doc.file, position: positionIn(unit.doc, path, lines, text, offset, piece) };
}
