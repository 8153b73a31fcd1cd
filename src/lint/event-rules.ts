import type { ManifestPath } from '../catalog/index.js';
import { checkConditions, checkFilters } from '../sensors/index.js';
import type { RuleContext } from './context.js';
import { eventEnums, type CompiledTables } from './tables/index.js';
import { isObj, list, str, type LintManifest, type Obj } from './manifests.js';
import { closest, suggestion } from './suggest.js';
import { LintRule } from './types.js';
import { positionIn } from './variables.js';

/** The EventBus Argo uses when eventBusName is not set. */
export const defaultEventBus = 'default';

/** EventSource spec fields that are not event source types. */
const sourceSettings = new Set(['eventBusName', 'replicas', 'service', 'template']);

/** The bus a Sensor or EventSource names (Argo's default when unset). */
export function busOf(m: LintManifest): string {
  const spec = isObj(m.object.spec) ? m.object.spec : {};
  return str(spec.eventBusName) ?? defaultEventBus;
}

/** The events an EventSource defines: the names under each of its source types. */
export function eventNames(source: LintManifest): string[] {
  const spec = isObj(source.object.spec) ? source.object.spec : {};
  return Object.entries(spec).flatMap(([key, value]) =>
    sourceSettings.has(key) || !isObj(value) ? [] : Object.keys(value),
  );
}

/** Checks that the EventBus a Sensor or EventSource names is defined. */
export function checkEventBus(ctx: RuleContext, m: LintManifest): void {
  const spec = isObj(m.object.spec) ? m.object.spec : {};
  const explicit = str(spec.eventBusName);
  const bus = explicit ?? defaultEventBus;
  const { eventBuses } = ctx.set;
  if (eventBuses.has(bus)) return;
  const path = explicit === undefined ? ['spec'] : ['spec', 'eventBusName'];
  const place = { doc: m.doc, path };
  const defined = [...eventBuses.keys()];
  if (defined.length === 0) {
    if (explicit === undefined) return;
    ctx.findings.warn(
      place,
      LintRule.eventBusRef,
      `eventBusName "${bus}" names an EventBus that is not among the files linted`,
      `lint this file together with the EventBus it uses, or name the EventBus you deploy`,
    );
    return;
  }
  const near = suggestion(bus, defined);
  const message =
    explicit === undefined
      ? `no eventBusName, so Argo uses the EventBus "${defaultEventBus}", which is not defined`
      : `eventBusName "${bus}" names no EventBus defined in the files linted`;
  const fix = near.startsWith('did you mean')
    ? near
    : `use eventBusName: ${defined.length === 1 ? defined[0] : `one of ${defined.join(', ')}`}`;
  ctx.findings.error(place, LintRule.eventBusRef, message, fix);
}

/** Checks a Sensor's dependencies, trigger parameters and the resources they fill. */
export function checkSensor(ctx: RuleContext, sensor: LintManifest): void {
  checkEventBus(ctx, sensor);
  const spec = isObj(sensor.object.spec) ? sensor.object.spec : {};
  const dependencies = new Set<string>();
  list(spec.dependencies).forEach((dep, i) => {
    if (!isObj(dep)) return;
    const path = ['spec', 'dependencies', i];
    const name = str(dep.name);
    if (name === undefined) {
      ctx.findings.error(
        { doc: sensor.doc, path },
        LintRule.requiredField,
        'a dependency without a name',
        'add name:',
      );
    } else if (dependencies.has(name)) {
      ctx.findings.error(
        { doc: sensor.doc, path: [...path, 'name'] },
        LintRule.requiredField,
        `dependency "${name}" is defined twice`,
        'rename or remove one of them',
      );
    }
    if (name !== undefined) dependencies.add(name);
    checkDependencySource(ctx, sensor, dep, path);
    checkDependencyFilters(ctx, sensor, dep, path);
  });
  list(spec.triggers).forEach((trigger, i) => {
    if (isObj(trigger)) checkTrigger(ctx, sensor, trigger, ['spec', 'triggers', i], dependencies);
  });
}

function checkDependencySource(
  ctx: RuleContext,
  sensor: LintManifest,
  dep: Obj,
  path: ManifestPath,
): void {
  const { doc } = sensor;
  const sourceName = str(dep.eventSourceName);
  const eventName = str(dep.eventName);
  for (const [field, value] of [
    ['eventSourceName', sourceName],
    ['eventName', eventName],
  ] as const) {
    if (value === undefined) {
      ctx.findings.error(
        { doc, path },
        LintRule.requiredField,
        `dependency "${str(dep.name) ?? ''}" has no ${field}`,
        `add ${field}:`,
      );
    }
  }
  if (sourceName === undefined) return;
  const sources = ctx.set.eventSources;
  let source = sources.get(sourceName);
  const place = { doc, path: [...path, 'eventSourceName'] };
  if (!source) {
    if (sources.size === 0) {
      ctx.findings.warn(
        place,
        LintRule.eventSourceRef,
        `EventSource "${sourceName}" is not among the files linted, so its events were not checked`,
        `lint this file together with the file that defines EventSource "${sourceName}"`,
      );
    } else {
      // Argo Events takes the Sensor all the same; the dependency just never matches.
      ctx.findings.warn(
        place,
        LintRule.eventSourceRef,
        `no EventSource "${sourceName}" in the files linted, so this dependency never matches`,
        suggestion(sourceName, [...sources.keys()]),
      );
    }
    return;
  }
  if (eventName !== undefined) {
    // Files apart may define one name twice (versions, namespaces): any of them may be the one.
    const versions = ctx.set.allEventSources.filter((m) => m.name === sourceName);
    source = versions.find((m) => eventNames(m).includes(eventName)) ?? source;
    const events = [...new Set(versions.flatMap((m) => eventNames(m)))];
    if (!events.includes(eventName)) {
      ctx.findings.warn(
        { doc, path: [...path, 'eventName'] },
        LintRule.eventSourceRef,
        `EventSource "${sourceName}" has no event "${eventName}", so this dependency never matches`,
        suggestion(eventName, events) || `add "${eventName}" to EventSource "${sourceName}"`,
      );
    }
  }
  const sensorBus = busOf(sensor);
  const sourceBus = busOf(source);
  if (sensorBus !== sourceBus) {
    ctx.findings.error(
      place,
      LintRule.eventBusRef,
      `EventSource "${sourceName}" publishes on EventBus "${sourceBus}" but this Sensor listens on "${sensorBus}", so its events never arrive`,
      `use the same eventBusName in both, e.g. eventBusName: ${sourceBus}`,
    );
  }
}

function checkTrigger(
  ctx: RuleContext,
  sensor: LintManifest,
  trigger: Obj,
  path: ManifestPath,
  dependencies: Set<string>,
): void {
  const template = isObj(trigger.template) ? trigger.template : undefined;
  const templatePath = [...path, 'template'];
  if (!template) {
    ctx.findings.error(
      { doc: sensor.doc, path },
      LintRule.requiredField,
      'a trigger without a template',
      'add template: with a name and a trigger type',
    );
    return;
  }
  if (str(template.name) === undefined) {
    ctx.findings.error(
      { doc: sensor.doc, path: templatePath },
      LintRule.requiredField,
      'a trigger template without a name',
      'add name:',
    );
  }
  checkTriggerConditions(ctx, sensor, template, templatePath, dependencies);
  checkParameterSources(ctx, sensor, trigger.parameters, [...path, 'parameters'], dependencies);
  const events = ctx.tables.events;
  // Trigger parameters write into the trigger's template, so their dests are its fields.
  const rewritten = checkTypedDests(ctx, sensor, trigger.parameters, [...path, 'parameters'], {
    tables: events,
    type: 'TriggerTemplate',
  });
  for (const [type, body] of Object.entries(template)) {
    if (!isObj(body)) continue;
    const bodyPath = [...templatePath, type];
    for (const key of ['parameters', 'payload', 'dynamicHeaders']) {
      // A template parameter that a trigger parameter rewrites is known only at run time.
      if (rewritten.some((d) => d.startsWith(`${type}.${key}`))) continue;
      checkParameterSources(ctx, sensor, body[key], [...bodyPath, key], dependencies);
    }
    const source = isObj(body.source) ? body.source : undefined;
    if ((type === 'k8s' || type === 'argoWorkflow') && source && isObj(source.resource)) {
      checkDests(ctx, sensor, body.parameters, [...bodyPath, 'parameters'], source.resource);
    } else if (type === 'http') {
      // An http trigger's own parameters write into the trigger (url, method, headers ...);
      // its payload parameters build the body from nothing, so any dest is right there.
      checkTypedDests(ctx, sensor, body.parameters, [...bodyPath, 'parameters'], {
        tables: events,
        type: 'HTTPTrigger',
      });
    }
  }
}

const conditionName = /[A-Za-z0-9_.-]+/g;

/**
 * Checks a trigger's `conditions` and `conditionsReset` with the sensor
 * engine's own checks, then points at each name that is not a dependency.
 */
function checkTriggerConditions(
  ctx: RuleContext,
  sensor: LintManifest,
  template: Obj,
  path: ManifestPath,
  dependencies: Set<string>,
): void {
  const conditions = str(template.conditions) ?? '';
  const named = [...conditions.matchAll(conditionName)];
  let syntax = true;
  // Every name counts as known here, so that only the syntax is judged.
  const all = new Set([...dependencies, ...named.map((m) => m[0])]);
  checkConditions(template, all, (p, message, fix) => {
    if (p[0] === 'conditions') syntax = false;
    ctx.findings.error(
      { doc: sensor.doc, path: [...path, ...p] },
      LintRule.expression,
      message,
      fix ?? 'see the conditions and conditionsReset of Argo Events',
    );
  });
  if (!syntax) return;
  const lines = ctx.lines(sensor.doc.file);
  for (const m of named) {
    const name = m[0];
    if (dependencies.has(name)) continue;
    const at = positionIn(sensor.doc, [...path, 'conditions'], lines, conditions, m.index, name);
    ctx.findings.error(
      { file: sensor.doc.file, position: at },
      LintRule.dependencyRef,
      `conditions name "${name}", which is not a dependency of this Sensor`,
      suggestion(name, [...dependencies]) || 'name one of spec.dependencies',
    );
  }
}

/** Checks a dependency's filters with the checks the sensor engine runs before it loads one. */
function checkDependencyFilters(
  ctx: RuleContext,
  sensor: LintManifest,
  dep: Obj,
  path: ManifestPath,
): void {
  const filters = isObj(dep.filters) ? dep.filters : undefined;
  const tables = ctx.tables.events;
  // Unknown fields are already reported by the field check: a filter holding one is left out.
  const clean = (value: unknown, type: string): boolean => {
    const known = tables.get(type);
    if (!isObj(value) || !known) return true;
    const enums = Object.keys(value).filter((k) => eventEnums[`${type}.${k}`] !== undefined);
    return (
      Object.keys(value).every((k) => known.has(k)) &&
      enums.every((k) => eventEnums[`${type}.${k}`]?.includes(String(value[k])))
    );
  };
  const kept = filters
    ? Object.fromEntries(
        Object.entries(filters)
          .filter(([k]) => tables.get('EventDependencyFilter')?.has(k))
          .map(([k, v]) => {
            const type = k === 'data' ? 'DataFilter' : k === 'exprs' ? 'ExprFilter' : undefined;
            return [k, type && Array.isArray(v) ? v.filter((f) => clean(f, type)) : v];
          }),
      )
    : dep.filters;
  checkFilters(kept, dep.filtersLogicalOperator, (p, message, fix) => {
    if (p.at(-1) === 'filtersLogicalOperator' || /LogicalOperator$/.test(String(p.at(-1)))) return;
    if (p.at(-1) === 'comparator') return;
    ctx.findings.error(
      { doc: sensor.doc, path: [...path, ...p] },
      LintRule.expression,
      message,
      fix ?? 'see the dependency filters of Argo Events',
    );
  });
}

/**
 * Checks dests that write into an Argo type (a trigger template, an http
 * trigger): the first fields must be fields of that type, or sjson adds a
 * field that Argo then drops. Returns the dests.
 */
function checkTypedDests(
  ctx: RuleContext,
  sensor: LintManifest,
  parameters: unknown,
  path: ManifestPath,
  root: { tables: CompiledTables; type: string },
): string[] {
  const dests: string[] = [];
  list(parameters).forEach((p, i) => {
    const dest = isObj(p) ? str(p.dest) : undefined;
    if (dest === undefined) return;
    dests.push(dest);
    const problem = missingTypedDest(root.tables, root.type, sjsonPath(dest));
    if (problem === undefined) return;
    const destPath = [...path, i, 'dest'];
    const lines = ctx.lines(sensor.doc.file);
    ctx.findings.error(
      { file: sensor.doc.file, position: positionIn(sensor.doc, destPath, lines, dest, 0, dest) },
      LintRule.triggerDest,
      `dest "${dest}" is not a field of the ${root.type} it writes into: ${problem.why}`,
      problem.fix,
    );
  });
  return dests;
}

function missingTypedDest(
  tables: CompiledTables,
  type: string,
  parts: string[],
): { why: string; fix: string } | undefined {
  let fields = tables.get(type);
  let where = `an Argo ${type}`;
  for (const part of parts) {
    if (!fields) return undefined;
    const shape = fields.get(part);
    if (!shape) {
      const near = suggestion(part, [...fields.keys()]);
      return { why: `${where} has no "${part}"`, fix: near || 'point dest at a field Argo reads' };
    }
    if (shape.kind !== 'object') return undefined;
    fields = tables.get(shape.type);
    where = `"${part}" (an Argo ${shape.type})`;
  }
  return undefined;
}

function checkParameterSources(
  ctx: RuleContext,
  sensor: LintManifest,
  parameters: unknown,
  path: ManifestPath,
  dependencies: Set<string>,
): void {
  list(parameters).forEach((p, i) => {
    if (!isObj(p) || !isObj(p.src)) return;
    const name = str(p.src.dependencyName);
    const place = { doc: sensor.doc, path: [...path, i, 'src', 'dependencyName'] };
    if (name === undefined) {
      ctx.findings.error(
        place,
        LintRule.requiredField,
        'a parameter source without a dependencyName',
        'add dependencyName: naming one of spec.dependencies',
      );
    } else if (!dependencies.has(name)) {
      ctx.findings.error(
        place,
        LintRule.dependencyRef,
        `dependencyName "${name}" names no dependency of this Sensor`,
        suggestion(name, [...dependencies]) || 'name one of spec.dependencies',
      );
    }
  });
}

/** Splits an sjson path on dots that are not escaped with a backslash. */
export function sjsonPath(dest: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < dest.length; i++) {
    const c = dest[i];
    if (c === '\\' && i + 1 < dest.length) current += dest[++i];
    else if (c === '.') {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  return parts;
}

function checkDests(
  ctx: RuleContext,
  sensor: LintManifest,
  parameters: unknown,
  path: ManifestPath,
  resource: Obj,
): void {
  list(parameters).forEach((p, i) => {
    if (!isObj(p)) return;
    const dest = str(p.dest);
    if (dest === undefined) {
      ctx.findings.error(
        { doc: sensor.doc, path: [...path, i] },
        LintRule.requiredField,
        'a trigger parameter without a dest',
        'add dest: the path in the resource to set',
      );
      return;
    }
    const problem = missingDest(resource, sjsonPath(dest));
    if (problem === undefined) return;
    const destPath = [...path, i, 'dest'];
    const lines = ctx.lines(sensor.doc.file);
    ctx.findings.warn(
      { file: sensor.doc.file, position: positionIn(sensor.doc, destPath, lines, dest, 0, dest) },
      LintRule.triggerDest,
      `dest "${dest}" is not in the trigger's resource: ${problem}`,
      'point dest at a field the resource has, counting list items from 0, or add the field to the resource',
    );
  });
}

/** Why an sjson path does not reach into `resource`, or undefined when it does. */
function missingDest(resource: Obj, parts: string[]): string | undefined {
  let node: unknown = resource;
  const walked: string[] = [];
  for (const [i, part] of parts.entries()) {
    const last = i === parts.length - 1;
    const where = walked.length ? walked.join('.') : 'the resource';
    if (Array.isArray(node)) {
      const index = part === '-1' ? node.length : Number(part);
      if (!/^(-1|\d+)$/.test(part)) return `${where} is a list, and "${part}" is not an index`;
      if (index >= node.length && !(last && part === '-1')) {
        return `${where} has ${node.length} item${node.length === 1 ? '' : 's'}, so its last index is ${node.length - 1}`;
      }
      node = node[index];
    } else if (isObj(node)) {
      if (!(part in node)) {
        // sjson creates missing fields, which is how labels are added; a near name is a typo.
        const near = last ? undefined : closest(part, Object.keys(node));
        return near === undefined ? undefined : `${where} has no "${part}"; it has "${near}"`;
      }
      node = node[part];
    } else {
      return last ? undefined : `${where} is not a mapping or list`;
    }
    walked.push(part);
  }
  return undefined;
}
