import type { ManifestPath, ParsedDocument, RequestKind } from '../catalog/index.js';
import {
  checkRequestKind,
  checkRequestKindRefs,
  checkTierPolicy,
  isRequestKind,
  isTierPolicy,
} from './catalog-rules.js';
import type { RuleContext } from './context.js';
import { documentLines } from './text.js';
import { readDocuments } from './documents.js';
import { checkCronWorkflow } from './cron-rules.js';
import { checkEventBus, checkSensor } from './event-rules.js';
import { checkFields, type FieldCheck } from './fields.js';
import { Findings } from './findings.js';
import { checkHostSteps, PodOnlyFields } from './host-rules.js';
import {
  EventsKind,
  isObj,
  OtherWorkflowsKind,
  list,
  str,
  WorkflowKind,
  type LintManifest,
  type ManifestSet,
  type Obj,
  type WorkflowUnit,
} from './manifests.js';
import { suggestion } from './suggest.js';
import {
  compileTables,
  eventEnums,
  eventFieldTables,
  plinthExtensions,
  workflowEnums,
  workflowFieldTables,
  type CompiledTables,
} from './tables/index.js';
import { Severity, LintRule, type LintReport, type LintSource } from './types.js';
import { checkValidatorRules } from './validator-rules.js';
import { checkWorkflow } from './workflow-rules.js';

const apiVersion = 'argoproj.io/v1alpha1';
const workflowKinds: readonly string[] = Object.values(WorkflowKind);
const eventsKinds: readonly string[] = Object.values(EventsKind);
const otherKinds: readonly string[] = Object.values(OtherWorkflowsKind);
const knownKinds = [...workflowKinds, ...otherKinds, ...eventsKinds];
/**
 * Argo Events takes a Sensor whatever Workflow its triggers create; Argo
 * Workflows checks that Workflow only when a trigger creates it.
 */
const inSensorNote =
  'Argo takes the Sensor and checks this Workflow only when the trigger creates it';

/** Checks Argo manifests given as text; see `createLinter`. */
export function lintSourcesWith(
  tables: { workflows: CompiledTables; events: CompiledTables },
  sources: readonly LintSource[],
): LintReport {
  const findings = new Findings();
  const lines = new Map<string, readonly string[]>();
  const set: ManifestSet = {
    units: [],
    workflowTemplates: new Map(),
    clusterWorkflowTemplates: new Map(),
    eventBuses: new Map(),
    eventSources: new Map(),
    allEventSources: [],
    sensors: [],
  };
  const podOnly = new PodOnlyFields();
  const requestKinds: { doc: ParsedDocument; kind: RequestKind }[] = [];
  const ctx: RuleContext = {
    set,
    findings,
    tables,
    lines: (file) => lines.get(file) ?? [],
  };

  const walk = (
    doc: ParsedDocument,
    value: unknown,
    table: CompiledTables,
    type: string,
    path: ManifestPath,
  ) => {
    const check: FieldCheck = {
      doc,
      tables: table,
      enums: table === tables.workflows ? workflowEnums : eventEnums,
      findings,
      lenient: table === tables.events,
      onField: (t, field, p) => {
        podOnly.notice(doc, t, field, p);
        const extension = plinthExtensions[`${t}.${field}`];
        if (extension !== undefined) {
          findings.warn(
            { doc, path: p, at: 'key' },
            LintRule.plinthExtension,
            `note: ${field} is a Plinth extension (${extension}); Argo does not know it`,
            'keep it for Plinth; use an Argo artifact repository (s3, http, ...) for manifests Argo runs',
          );
        }
      },
    };
    checkFields(check, value, { kind: 'object', type }, path);
  };

  for (const source of sources) {
    lines.set(source.file, documentLines(source.text));
    for (const doc of readDocuments(source.text, source.file, findings)) {
      if (isObj(doc.object) && isRequestKind(doc.object)) {
        const kind = checkRequestKind(doc, findings);
        if (kind) requestKinds.push({ doc, kind });
        continue;
      }
      if (isObj(doc.object) && isTierPolicy(doc.object)) {
        checkTierPolicy(doc, findings);
        continue;
      }
      const m = header(doc, findings);
      if (!m) continue;
      if (workflowKinds.includes(m.kind)) {
        walk(doc, m.object, tables.workflows, m.kind, []);
        const unit = unitOf(m);
        addUnit(set, findings, m, unit);
        if (m.kind === WorkflowKind.CronWorkflow) checkCronWorkflow(ctx, m, unit);
      } else if (otherKinds.includes(m.kind)) {
        walk(doc, m.object, tables.workflows, m.kind, []);
      } else {
        walk(doc, m.object, tables.events, m.kind, []);
        addEvents(set, findings, m);
        for (const { resource, path } of sensorWorkflows(m)) {
          findings.demoted(inSensorNote, () =>
            walk(doc, resource, tables.workflows, WorkflowKind.Workflow, path),
          );
          const spec = isObj(resource.spec) ? resource.spec : {};
          const meta = isObj(resource.metadata) ? resource.metadata : {};
          set.units.push({
            doc,
            kind: WorkflowKind.Workflow,
            name: str(meta.name) ?? str(meta.generateName),
            spec,
            specPath: [...path, 'spec'],
            inSensor: true,
          });
        }
      }
    }
  }

  for (const unit of set.units) {
    const check = () => {
      checkWorkflow(ctx, unit);
      checkValidatorRules(ctx, unit);
      checkHostSteps(ctx, unit);
    };
    if (unit.inSensor) findings.demoted(inSensorNote, check);
    else check();
  }
  for (const source of set.eventSources.values()) checkEventBus(ctx, source);
  for (const sensor of set.sensors) checkSensor(ctx, sensor);
  for (const { doc, kind } of requestKinds) checkRequestKindRefs(ctx, doc, kind);
  podOnly.report(ctx);

  const files = sources.map((s) => s.file);
  const sorted = findings.sorted(files);
  const errors = sorted.filter((f) => f.severity === Severity.error).length;
  return { files, findings: sorted, errors, warnings: sorted.length - errors };
}

/** The manifest of a document, after checking its apiVersion, kind and name. */
function header(doc: ParsedDocument, findings: Findings): LintManifest | undefined {
  const object = doc.object;
  const at = (path: ManifestPath) => ({ doc, path });
  if (!isObj(object)) {
    findings.error(
      { doc, path: [] },
      LintRule.manifest,
      'a manifest must be a mapping',
      'start it with apiVersion:, kind:, metadata: and spec:',
    );
    return undefined;
  }
  const kind = str(object.kind);
  const version = str(object.apiVersion);
  if (kind === undefined && version === undefined) {
    findings.warn(
      { doc, path: [] },
      LintRule.manifest,
      'not a Kubernetes manifest (no apiVersion, no kind), so it was not checked',
      'lint only Argo manifests, or add apiVersion: and kind:',
    );
    return undefined;
  }
  if (kind === undefined) {
    findings.error(
      { doc, path: [] },
      LintRule.manifest,
      'the document has no kind',
      `add kind: (${knownKinds.join(', ')})`,
    );
  }
  if (version === undefined) {
    findings.error(
      { doc, path: [] },
      LintRule.manifest,
      'the document has no apiVersion',
      `add apiVersion: ${apiVersion}`,
    );
  }
  if (kind === undefined || version === undefined) return undefined;
  if (!knownKinds.includes(kind)) {
    if (version.startsWith('argoproj.io/')) {
      findings.error(
        at(['kind']),
        LintRule.unknownKind,
        `unknown kind "${kind}"`,
        suggestion(kind, knownKinds),
      );
    } else {
      findings.warn(
        at(['kind']),
        LintRule.unknownKind,
        `${kind} (${version}) is not an Argo manifest, so it was not checked`,
        'lint only Argo Workflows and Argo Events manifests, or move it out of these folders',
      );
    }
    return undefined;
  }
  if (version !== apiVersion) {
    findings.error(
      { doc, path: ['apiVersion'] },
      LintRule.manifest,
      `apiVersion "${version}" is not Argo's for ${kind}`,
      `use apiVersion: ${apiVersion}`,
    );
  }
  const meta = isObj(object.metadata) ? object.metadata : {};
  const name = str(meta.name);
  const generateName = str(meta.generateName);
  if (name === undefined && generateName !== undefined && kind !== WorkflowKind.Workflow) {
    // Kubernetes names any kind from generateName; only a Workflow is fine to find by nothing else.
    findings.warn(
      { doc, path: ['metadata', 'generateName'] },
      LintRule.manifest,
      `${kind} has only metadata.generateName, so it gets a random name that nothing can refer to`,
      'give it metadata.name',
    );
  } else if (name === undefined && generateName === undefined) {
    // A Workflow is found by nothing else, so Argo's checks let it pass; the API server names it.
    findings.add(
      { doc, path: isObj(object.metadata) ? ['metadata'] : [] },
      kind === WorkflowKind.Workflow ? Severity.warning : Severity.error,
      LintRule.requiredField,
      `${kind} has no metadata.name`,
      kind === WorkflowKind.Workflow
        ? 'add metadata.name or metadata.generateName, which Kubernetes requires'
        : 'add metadata.name',
    );
  }
  return { doc, object, kind, name: name ?? str(meta.generateName) };
}

function unitOf(m: LintManifest): WorkflowUnit {
  const spec = isObj(m.object.spec) ? m.object.spec : {};
  if (m.kind === WorkflowKind.CronWorkflow) {
    const workflowSpec = isObj(spec.workflowSpec) ? spec.workflowSpec : {};
    return {
      doc: m.doc,
      kind: m.kind,
      name: m.name,
      spec: workflowSpec,
      specPath: ['spec', 'workflowSpec'],
    };
  }
  return { doc: m.doc, kind: m.kind as WorkflowKind, name: m.name, spec, specPath: ['spec'] };
}

function addUnit(set: ManifestSet, findings: Findings, m: LintManifest, unit: WorkflowUnit): void {
  set.units.push(unit);
  const pool =
    unit.kind === WorkflowKind.WorkflowTemplate
      ? set.workflowTemplates
      : unit.kind === WorkflowKind.ClusterWorkflowTemplate
        ? set.clusterWorkflowTemplates
        : undefined;
  if (pool && m.name !== undefined) addNamed(pool, findings, m, unit);
}

function addEvents(set: ManifestSet, findings: Findings, m: LintManifest): void {
  if (m.kind === EventsKind.Sensor) {
    set.sensors.push(m);
    return;
  }
  if (m.kind === EventsKind.EventSource) set.allEventSources.push(m);
  const pool = m.kind === EventsKind.EventBus ? set.eventBuses : set.eventSources;
  if (m.name !== undefined) addNamed(pool, findings, m, m);
}

function addNamed<T>(pool: Map<string, T>, findings: Findings, m: LintManifest, value: T): void {
  const name = m.name ?? '';
  const first = pool.get(name) as { doc: ParsedDocument } | undefined;
  if (first === undefined) {
    pool.set(name, value);
    return;
  }
  const where = first.doc.locate(['metadata', 'name']);
  // Files apart may go to different namespaces, or one may update the other; in one file it is a slip.
  findings.add(
    { doc: m.doc, path: ['metadata', 'name'] },
    first.doc.file === m.doc.file ? Severity.error : Severity.warning,
    LintRule.requiredField,
    `${m.kind} "${name}" is defined twice (also at ${first.doc.file}:${where.line}:${where.column})`,
    first.doc.file === m.doc.file
      ? 'rename or remove one of them'
      : 'references resolve to the first one; rename one unless they are versions of the same resource',
  );
}

/** The Workflows that a Sensor's k8s and argoWorkflow triggers create. */
function sensorWorkflows(m: LintManifest): { resource: Obj; path: ManifestPath }[] {
  if (m.kind !== EventsKind.Sensor) return [];
  const spec = isObj(m.object.spec) ? m.object.spec : {};
  return list(spec.triggers).flatMap((trigger, i) => {
    const template = isObj(trigger) && isObj(trigger.template) ? trigger.template : {};
    return (['k8s', 'argoWorkflow'] as const).flatMap((type) => {
      const body = template[type];
      const source = isObj(body) && isObj(body.source) ? body.source : {};
      const resource = source.resource;
      if (!isObj(resource) || resource.kind !== WorkflowKind.Workflow) return [];
      return [{ resource, path: ['spec', 'triggers', i, 'template', type, 'source', 'resource'] }];
    });
  });
}

/** Compiles the field tables once, for the linters of `createLinter`. */
export function compileLintTables(): { workflows: CompiledTables; events: CompiledTables } {
  return { workflows: compileTables(workflowFieldTables), events: compileTables(eventFieldTables) };
}
