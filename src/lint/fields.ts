import type { ManifestPath, ParsedDocument } from '../catalog/index.js';
import type { Findings } from './findings.js';
import { suggestion } from './suggest.js';
import type { CompiledTables, EnumTables, FieldShape } from './tables/index.js';
import { LintRule } from './types.js';

/** Fixes for unknown fields that are common mistakes, by `Type.field`. */
const hints: Readonly<Record<string, string>> = {
  'Template.parameters':
    'a workflow template has no "parameters": declare its inputs under "inputs.parameters"; ' +
    'a list of src/dest parameters belongs to a Sensor trigger (spec.triggers[].template.k8s.parameters)',
  'EventDependency.eventBusName':
    'a dependency has no eventBusName: set it once on the Sensor, in spec.eventBusName',
  'WorkflowStep.dependencies': 'steps run group after group; use a dag template for dependencies',
  'DAGTask.steps': 'a dag task calls one template; put the steps in a template of their own',
  'WorkflowSpec.parameters': 'workflow parameters go under spec.arguments.parameters',
  'Template.arguments': 'a template declares "inputs"; "arguments" belong to the step or task',
  'WorkflowStep.inputs': 'a step passes "arguments"; "inputs" belong to the template it calls',
  'DAGTask.inputs': 'a task passes "arguments"; "inputs" belong to the template it calls',
  'TriggerTemplate.atLeastOnce': 'atLeastOnce belongs to the trigger, next to its template',
  'TriggerTemplate.policy': 'policy belongs to the trigger, next to its template',
  'TriggerTemplate.retryStrategy': 'retryStrategy belongs to the trigger, next to its template',
  'TriggerTemplate.rateLimit': 'rateLimit belongs to the trigger, next to its template',
  'EventSourceSpec.type':
    'an EventSource has no type: the key of each source (webhook:, calendar:, ...) is its type',
  'HTTPTrigger.serverURL': 'an http trigger names its endpoint in url',
  'CronWorkflowSpec.schedule':
    'Argo 4.0 removed the single schedule: write schedules: ["..."] (argo convert rewrites it)',
};

/** Fields that Argo still reads but no longer documents, with their shape and replacement. */
const deprecated: Readonly<Record<string, { shape: FieldShape; fix: string }>> = {
  'Synchronization.mutex': {
    shape: { kind: 'object', type: 'Mutex' },
    fix: 'write mutexes: [{name: ...}], as Argo 3.6 and later do',
  },
  'Synchronization.semaphore': {
    shape: { kind: 'object', type: 'SemaphoreRef' },
    fix: 'write semaphores: [{configMapKeyRef: ...}], as Argo 3.6 and later do',
  },
};

/** What the field walk needs. */
export interface FieldCheck {
  doc: ParsedDocument;
  tables: CompiledTables;
  /** The values of enumerated scalar fields. */
  enums: EnumTables;
  findings: Findings;
  /**
   * Whether Argo ignores unknown fields (Argo Events decodes its resources
   * leniently, and its CRDs keep any field) rather than refusing them (`argo
   * lint` decodes workflows strictly).
   */
  lenient?: boolean;
  /** Called for each known field, e.g. to notice pod-only fields. */
  onField?: (type: string, field: string, path: ManifestPath) => void;
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reports unknown fields (with "did you mean") and mis-shaped values under `path`. */
export function checkFields(
  check: FieldCheck,
  value: unknown,
  shape: FieldShape,
  path: ManifestPath,
): void {
  if (value === null || value === undefined || shape.kind === 'leaf') return;
  const { doc, findings } = check;
  if (shape.kind === 'list') {
    if (!Array.isArray(value)) {
      findings.error(
        { doc, path },
        LintRule.fieldType,
        `${describe(path)} must be a list`,
        'write it as a YAML list of "- " items',
      );
      return;
    }
    value.forEach((item, i) => checkFields(check, item, shape.of, [...path, i]));
    return;
  }
  if (!isMapping(value)) {
    findings.error(
      { doc, path },
      LintRule.fieldType,
      `${describe(path)} must be a mapping`,
      'write it as "key: value" lines',
    );
    return;
  }
  if (shape.kind === 'map') {
    for (const [key, item] of Object.entries(value))
      checkFields(check, item, shape.of, [...path, key]);
    return;
  }
  const fields = check.tables.get(shape.type);
  if (!fields) return;
  for (const [key, item] of Object.entries(value)) {
    const fieldPath = [...path, key];
    const field = fields.get(key);
    const old = field === undefined ? deprecated[`${shape.type}.${key}`] : undefined;
    if (old !== undefined) {
      findings.warn(
        { doc, path: fieldPath, at: 'key' },
        LintRule.unknownField,
        `"${key}" in ${describe(path)} is deprecated`,
        old.fix,
      );
      checkFields(check, item, old.shape, fieldPath);
      continue;
    }
    if (field === undefined) {
      const fix =
        hints[`${shape.type}.${key}`] ?? (suggestion(key, [...fields.keys()]) || 'remove it');
      const message = `unknown field "${key}" in ${describe(path)} (an Argo ${shape.type})`;
      if (check.lenient) {
        findings.warn(
          { doc, path: fieldPath, at: 'key' },
          LintRule.unknownField,
          `${message}: Argo Events ignores it`,
          fix,
        );
      } else {
        findings.error({ doc, path: fieldPath, at: 'key' }, LintRule.unknownField, message, fix);
      }
      continue;
    }
    check.onField?.(shape.type, key, fieldPath);
    if (field.kind === 'leaf') checkEnum(check, `${shape.type}.${key}`, item, fieldPath);
    else checkFields(check, item, field, fieldPath);
  }
}

/** Reports a scalar outside its field's values; a `{{...}}` tag is known only at run time. */
function checkEnum(check: FieldCheck, field: string, value: unknown, path: ManifestPath): void {
  const allowed = check.enums[field];
  if (allowed === undefined || value === null || value === undefined || value === '') return;
  if (typeof value === 'string' && (value.includes('{{') || allowed.includes(value))) return;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const near = typeof value === 'string' ? suggestion(value, [...allowed]) : '';
  check.findings.error(
    { doc: check.doc, path },
    LintRule.enumValue,
    `"${text}" is not a value of ${describe(path)} (an Argo ${field})`,
    near.startsWith('did you mean') ? near : `use one of: ${allowed.join(', ')}`,
  );
}

/** A path as people read it: `spec.templates[2].script`. */
export function describe(path: ManifestPath): string {
  if (path.length === 0) return 'the document';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}
