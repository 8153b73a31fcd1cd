import {
  LineCounter,
  isMap,
  isNode,
  isScalar,
  parseDocument,
  type Document,
  type Node,
} from 'yaml';
import { ManifestError, isPlinthError, type FieldProblem } from '../errors/index.js';
import { checkConditions, checkFilters } from './dependencies/check.js';
import { parseGjsonPath } from './parameters/gjson.js';
import { parseGoTemplate } from './parameters/gotemplate/index.js';
import { parseSjsonPath } from './parameters/sjson.js';
import {
  isRunnableTriggerType,
  runnableTriggersText,
  templateTriggerTypes,
} from './triggers/index.js';
import {
  TriggerParameterOperation,
  TriggerType,
  type Sensor,
  type TriggerTemplate,
} from './types.js';

type Path = (string | number)[];

interface Problem {
  path: Path;
  message: string;
  fix?: string;
}

/** Where the manifest came from, for error locations. */
export interface ParseSensorOptions {
  file?: string;
  /**
   * Accept trigger types Plinth cannot run (slack, kafka, ...), for offline
   * evaluation: their dependencies are still evaluated and the trigger
   * reports that it cannot run.
   */
  allowUnrunnableTriggers?: boolean;
}

const operations: readonly string[] = Object.values(TriggerParameterOperation);

/**
 * Reads a Sensor from YAML (or JSON) text, or checks an already parsed
 * object. Throws a ManifestError located at the first problem, with every
 * problem in `errors`: a malformed sensor, or one using what Plinth cannot
 * run yet (a trigger type other than k8s, argoWorkflow, http and log,
 * unless `allowUnrunnableTriggers`).
 */
export function parseSensor(input: string | unknown, options: ParseSensorOptions = {}): Sensor {
  let value: unknown = input;
  let doc: Document | undefined;
  const lineCounter = new LineCounter();
  if (typeof input === 'string') {
    doc = parseDocument(input, { lineCounter });
    const [yamlError] = doc.errors;
    if (yamlError) {
      const pos = yamlError.linePos?.[0];
      throw new ManifestError(yamlError.message.split('\n')[0] ?? 'invalid YAML', {
        ...(options.file === undefined ? {} : { file: options.file }),
        ...(pos ? { line: pos.line, column: pos.col } : {}),
      });
    }
    value = doc.toJS();
  }
  const problems = checkSensor(value, options.allowUnrunnableTriggers ?? false);
  const [first] = problems;
  if (first === undefined) return value as Sensor;
  const location = {
    ...(options.file === undefined ? {} : { file: options.file }),
    ...locate(doc, lineCounter, first.path),
  };
  const errors: FieldProblem[] = problems.map((p) => ({
    field: pathText(p.path),
    message: p.message,
    ...(p.fix === undefined ? {} : { fix: p.fix }),
  }));
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
  throw new ManifestError(`${pathText(first.path)}: ${first.message}${more}`, location, { errors });
}

function pathText(path: Path): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

function locate(
  doc: Document | undefined,
  lineCounter: LineCounter,
  path: Path,
): { line?: number; column?: number } {
  if (doc === undefined) return {};
  for (let n = path.length; n >= 0; n--) {
    const node = nodeAt(doc, path.slice(0, n));
    if (node?.range) {
      const pos = lineCounter.linePos(node.range[0]);
      return { line: pos.line, column: pos.col };
    }
  }
  return {};
}

/** The node at a path; for a key of a map, the key itself (where a reader looks for the field). */
function nodeAt(doc: Document, path: Path): Node | undefined {
  const last = path[path.length - 1];
  if (typeof last === 'string') {
    const parent = doc.getIn(path.slice(0, -1), true);
    if (isMap(parent)) {
      const pair = parent.items.find((item) => isScalar(item.key) && item.key.value === last);
      if (pair && isNode(pair.key)) return pair.key;
    }
    return undefined;
  }
  const node = doc.getIn(path, true);
  return isNode(node) ? node : undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isName(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0;
}

function checkSensor(value: unknown, allowUnrunnable: boolean): Problem[] {
  const problems: Problem[] = [];
  const add = (path: Path, message: string, fix?: string): void => {
    problems.push({ path, message, ...(fix === undefined ? {} : { fix }) });
  };
  if (!isObject(value)) {
    add([], 'a Sensor must be a YAML object');
    return problems;
  }
  if (value.apiVersion !== 'argoproj.io/v1alpha1')
    add(['apiVersion'], 'must be argoproj.io/v1alpha1');
  if (value.kind !== 'Sensor') add(['kind'], `must be Sensor (got ${JSON.stringify(value.kind)})`);
  if (!isObject(value.metadata) || !isName(value.metadata.name)) {
    add(['metadata', 'name'], 'a Sensor needs metadata.name');
  }
  const spec = value.spec;
  if (!isObject(spec)) {
    add(['spec'], 'a Sensor needs a spec with dependencies and triggers');
    return problems;
  }
  const dependencyNames = checkDependencies(spec.dependencies, add);
  checkTriggers(spec.triggers, dependencyNames, add, allowUnrunnable);
  return problems;
}

type Add = (path: Path, message: string, fix?: string) => void;

function checkDependencies(dependencies: unknown, add: Add): Set<string> {
  const names = new Set<string>();
  if (!Array.isArray(dependencies) || dependencies.length === 0) {
    add(['spec', 'dependencies'], 'a Sensor needs at least one dependency');
    return names;
  }
  dependencies.forEach((dep: unknown, i) => {
    const at: Path = ['spec', 'dependencies', i];
    if (!isObject(dep)) return add(at, 'a dependency must be an object');
    for (const field of ['name', 'eventSourceName', 'eventName'] as const) {
      if (!isName(dep[field])) add([...at, field], `a dependency needs ${field}`);
    }
    if (isName(dep.name)) {
      if (names.has(dep.name)) add([...at, 'name'], `dependency "${dep.name}" is defined twice`);
      names.add(dep.name);
    }
    checkFilters(dep.filters, dep.filtersLogicalOperator, (p, message, fix) =>
      add([...at, ...p], message, fix),
    );
    checkTransform(dep.transform, [...at, 'transform'], add);
  });
  return names;
}

function checkTransform(transform: unknown, at: Path, add: Add): void {
  if (transform === undefined || transform === null) return;
  if (!isObject(transform)) return add(at, 'transform must be an object with jq or script');
  for (const field of ['jq', 'script'] as const) {
    if (transform[field] !== undefined && typeof transform[field] !== 'string')
      add([...at, field], `${field} must be a string`);
  }
}

function checkTriggers(
  triggers: unknown,
  dependencies: Set<string>,
  add: Add,
  allowUnrunnable: boolean,
): void {
  if (!Array.isArray(triggers) || triggers.length === 0) {
    add(['spec', 'triggers'], 'a Sensor needs at least one trigger');
    return;
  }
  const names = new Set<string>();
  triggers.forEach((trigger: unknown, i) => {
    const name = checkTrigger(trigger, ['spec', 'triggers', i], dependencies, add, allowUnrunnable);
    if (name === undefined) return;
    if (names.has(name))
      add(['spec', 'triggers', i, 'template', 'name'], `trigger "${name}" is defined twice`);
    names.add(name);
  });
}

/** Checks one trigger (and its dlqTrigger); returns its name when it has one. */
function checkTrigger(
  trigger: unknown,
  at: Path,
  dependencies: Set<string>,
  add: Add,
  allowUnrunnable: boolean,
): string | undefined {
  if (!isObject(trigger)) {
    add(at, 'a trigger must be an object');
    return undefined;
  }
  const template = trigger.template;
  if (!isObject(template)) {
    add([...at, 'template'], 'a trigger needs a template');
    return undefined;
  }
  if (!isName(template.name)) add([...at, 'template', 'name'], 'a trigger template needs a name');
  const label = isName(template.name) ? `trigger "${template.name}"` : 'this trigger';
  checkConditions(template, dependencies, (p, message, fix) =>
    add([...at, 'template', ...p], message, fix),
  );
  if (trigger.dlqTrigger !== undefined && trigger.dlqTrigger !== null)
    checkTrigger(trigger.dlqTrigger, [...at, 'dlqTrigger'], dependencies, add, allowUnrunnable);
  const types = templateTriggerTypes(template as TriggerTemplate);
  const [type] = types;
  if (type === undefined) {
    add(
      [...at, 'template'],
      `${label} sets no trigger type`,
      `add one of: ${runnableTriggersText}`,
    );
  } else if (types.length > 1) {
    add(
      [...at, 'template'],
      `${label} sets ${types.length} trigger types (${types.join(', ')}); a template has exactly one`,
    );
  } else if (!isRunnableTriggerType(type)) {
    if (!allowUnrunnable)
      add(
        [...at, 'template', type],
        `${label} is of type ${type}, which Plinth cannot run yet`,
        `Plinth runs ${runnableTriggersText} now`,
      );
  } else {
    const body = template[type];
    if (!isObject(body)) {
      add([...at, 'template', type], `${type} must be an object`);
    } else {
      checkParameters(body.parameters, [...at, 'template', type, 'parameters'], dependencies, add);
      if (type === TriggerType.HTTP) {
        for (const field of ['payload', 'dynamicHeaders'] as const)
          checkParameters(body[field], [...at, 'template', type, field], dependencies, add, {
            emptyDest: field === 'payload',
          });
      }
      if (
        body.args !== undefined &&
        body.args !== null &&
        (!Array.isArray(body.args) || body.args.some((a) => typeof a !== 'string'))
      ) {
        add([...at, 'template', type, 'args'], 'args must be a list of strings');
      }
    }
  }
  checkParameters(trigger.parameters, [...at, 'parameters'], dependencies, add);
  return isName(template.name) ? template.name : undefined;
}

function checkParameters(
  parameters: unknown,
  at: Path,
  dependencies: Set<string>,
  add: Add,
  options: { emptyDest?: boolean } = {},
): void {
  if (parameters === undefined || parameters === null) return;
  if (!Array.isArray(parameters)) return add(at, 'parameters must be a list');
  parameters.forEach((param: unknown, i) => {
    const p: Path = [...at, i];
    if (!isObject(param)) return add(p, 'a parameter must be an object');
    if (!isName(param.dest)) {
      // An http payload parameter with an empty dest is the whole body, as Argo sends it.
      if (!(options.emptyDest && (param.dest === '' || param.dest === undefined)))
        add([...p, 'dest'], 'a parameter needs dest (the path to set)');
    } else {
      tryPath(() => parseSjsonPath(param.dest as string), [...p, 'dest'], add);
    }
    if (param.operation !== undefined && !operations.includes(param.operation as string)) {
      add(
        [...p, 'operation'],
        `unknown operation ${JSON.stringify(param.operation)}`,
        'use append, overwrite or prepend',
      );
    }
    const src = param.src;
    if (!isObject(src)) return add([...p, 'src'], 'a parameter needs src');
    if (!isName(src.dependencyName)) {
      add([...p, 'src', 'dependencyName'], 'src needs dependencyName');
    } else if (!dependencies.has(src.dependencyName)) {
      add(
        [...p, 'src', 'dependencyName'],
        `no dependency is named "${src.dependencyName}"`,
        `use one of: ${[...dependencies].join(', ')}`,
      );
    }
    for (const field of ['dataTemplate', 'contextTemplate'] as const) {
      if (src[field] === undefined) continue;
      if (typeof src[field] !== 'string') {
        add([...p, 'src', field], `${field} must be a string`);
      } else {
        tryPath(() => parseGoTemplate(src[field] as string), [...p, 'src', field], add);
      }
    }
    for (const field of ['dataKey', 'contextKey'] as const) {
      if (typeof src[field] === 'string')
        tryPath(() => parseGjsonPath(src[field] as string), [...p, 'src', field], add);
    }
    if (src.value !== undefined && typeof src.value !== 'string') {
      add([...p, 'src', 'value'], 'value must be a string', 'quote it');
    }
  });
}

function tryPath(check: () => unknown, at: Path, add: Add): void {
  try {
    check();
  } catch (err) {
    if (!isPlinthError(err)) throw err;
    add(at, err.message);
  }
}
