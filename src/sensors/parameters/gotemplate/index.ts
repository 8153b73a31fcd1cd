import { builtins } from './builtins.js';
import { syntaxError } from './errors.js';
import { execute, type FuncMap } from './exec.js';
import { parseTemplate, type Node, type Operand, type ParsedTemplate, type Pipe } from './parse.js';
import { sprigCollections } from './sprig-collections.js';
import { sprigDates } from './sprig-dates.js';
import { sprigMath } from './sprig-math.js';
import { sprigStrings } from './sprig-strings.js';

import { fromJson, type GoValue } from './value.js';

export { GoTime, formatValue, fromJson as goValueFromJson, type GoValue } from './value.js';
export type { ParsedTemplate } from './parse.js';
export type { FuncMap, GoFunc, ParamType } from './exec.js';

/**
 * text/template's builtins with the sprig functions Argo registers
 * (`sprig.FuncMap()`), except `env` and `expandenv`: a sensor's templates
 * must not read Plinth's own environment.
 */
export const goTemplateFuncs: FuncMap = new Map([
  ...builtins,
  ...sprigStrings,
  ...sprigMath,
  ...sprigCollections,
  ...sprigDates,
]);

function checkFunctions(tmpl: ParsedTemplate, funcs: FuncMap): void {
  const known = (name: string): boolean => name === 'and' || name === 'or' || funcs.has(name);
  const operand = (op: Operand): void => {
    if (op.kind === 'identifier' && !known(op.name))
      throw syntaxError(tmpl.name, tmpl.source, op.pos, `function "${op.name}" not defined`);
    if (op.kind === 'pipe') pipe(op.pipe);
  };
  const pipe = (p: Pipe): void => p.cmds.forEach((c) => c.args.forEach(operand));
  const nodes = (list: readonly Node[]): void => {
    for (const n of list) {
      if (n.kind === 'action') pipe(n.pipe);
      else if (n.kind === 'if' || n.kind === 'with' || n.kind === 'range') {
        pipe(n.pipe);
        nodes(n.list);
        if (n.elseList) nodes(n.elseList);
      } else if (n.kind === 'template' && n.pipe) pipe(n.pipe);
    }
  };
  nodes(tmpl.root);
  for (const body of tmpl.defines.values()) nodes(body);
}

/** Parses a Go template and checks that every function it calls exists; throws InputError as Go's parser would. */
export function parseGoTemplate(
  text: string,
  name = 'param',
  funcs: FuncMap = goTemplateFuncs,
): ParsedTemplate {
  const tmpl = parseTemplate(name, text);
  checkFunctions(tmpl, funcs);
  return tmpl;
}

/** Renders a Go template (text/template with sprig) against data; throws InputError on a parse or execution error. */
export function renderGoTemplate(
  text: string | ParsedTemplate,
  data: GoValue,
  funcs: FuncMap = goTemplateFuncs,
): string {
  const tmpl = typeof text === 'string' ? parseGoTemplate(text, 'param', funcs) : text;
  return execute(tmpl, data, funcs);
}

/**
 * Renders a template against JSON data (numbers as float64, as Go decodes
 * JSON), for callers holding plain JSON values such as data filters' `template`.
 */
export function renderJsonTemplate(template: string, data: Record<string, unknown>): string {
  return renderGoTemplate(template, fromJson(data));
}
