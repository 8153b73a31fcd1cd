import { parseDocument } from 'yaml';
import { ManifestError } from '../../errors/index.js';
import type { Template, Workflow, WorkflowSpec, WorkflowTemplate } from './types.js';

const API_VERSION = 'argoproj.io/v1alpha1';

/** The template types Argo knows; a template sets exactly one. */
export const TEMPLATE_TYPES = [
  'container',
  'containerSet',
  'dag',
  'data',
  'http',
  'resource',
  'script',
  'steps',
  'suspend',
] as const;
export type TemplateType = (typeof TEMPLATE_TYPES)[number];

/** The type of a template, or undefined when it sets none. */
export function templateType(tmpl: Template): TemplateType | undefined {
  return TEMPLATE_TYPES.find((t) => tmpl[t] !== undefined && tmpl[t] !== null);
}

/** Parses and checks the shape of a Workflow, from YAML/JSON text or an object. */
export function parseWorkflow(input: string | unknown, file?: string): Workflow {
  const obj = load(input, file);
  checkHeader(obj, 'Workflow', file);
  const meta = obj.metadata as Record<string, unknown>;
  if (!isNonEmptyString(meta.name) && !isNonEmptyString(meta.generateName)) {
    throw new ManifestError('metadata.name or metadata.generateName is required', { file });
  }
  checkSpec(obj.spec, file);
  return obj as unknown as Workflow;
}

/** Parses and checks the shape of a WorkflowTemplate (or ClusterWorkflowTemplate). */
export function parseWorkflowTemplate(input: string | unknown, file?: string): WorkflowTemplate {
  const obj = load(input, file);
  const kind =
    obj.kind === 'ClusterWorkflowTemplate' ? 'ClusterWorkflowTemplate' : 'WorkflowTemplate';
  checkHeader(obj, kind, file);
  if (!isNonEmptyString((obj.metadata as Record<string, unknown>).name)) {
    throw new ManifestError('metadata.name is required', { file });
  }
  checkSpec(obj.spec, file);
  return obj as unknown as WorkflowTemplate;
}

function load(input: unknown, file: string | undefined): Record<string, unknown> {
  let value: unknown;
  if (typeof input !== 'string') value = structuredClone(input);
  else {
    const doc = parseDocument(input, { prettyErrors: true });
    const first = doc.errors[0];
    if (first) {
      const pos = first.linePos?.[0];
      throw new ManifestError(
        (first.message.split('\n')[0] ?? 'invalid YAML').replace(/ at line \d+, column \d+:?$/, ''),
        {
          file,
          line: pos?.line,
          column: pos?.col,
        },
      );
    }
    value = doc.toJS();
  }
  if (!isObject(value)) throw new ManifestError('a manifest must be an object', { file });
  return value;
}

function checkHeader(obj: Record<string, unknown>, kind: string, file: string | undefined): void {
  if (obj.apiVersion !== API_VERSION) {
    throw new ManifestError(
      `apiVersion must be '${API_VERSION}', got '${String(obj.apiVersion)}'`,
      {
        file,
      },
    );
  }
  if (obj.kind !== kind) {
    throw new ManifestError(`kind must be '${kind}', got '${String(obj.kind)}'`, { file });
  }
  if (!isObject(obj.metadata)) throw new ManifestError('metadata is required', { file });
  if (!isObject(obj.spec)) throw new ManifestError('spec is required', { file });
}

function checkSpec(specValue: unknown, file: string | undefined): void {
  const spec = specValue as WorkflowSpec;
  const where = { file };
  if (spec.templates !== undefined && !Array.isArray(spec.templates)) {
    throw new ManifestError('spec.templates must be a list', where);
  }
  if (!spec.templates?.length && !spec.workflowTemplateRef) {
    throw new ManifestError('spec.templates or spec.workflowTemplateRef is required', where);
  }
  if (spec.workflowTemplateRef !== undefined && !isNonEmptyString(spec.workflowTemplateRef?.name)) {
    throw new ManifestError('spec.workflowTemplateRef.name is required', where);
  }
  checkParameters(spec.arguments?.parameters, 'spec.arguments.parameters', file);
  const names = new Set<string>();
  (spec.templates ?? []).forEach((t, i) => {
    if (!isObject(t) || !isNonEmptyString(t.name)) {
      throw new ManifestError(`spec.templates[${i}].name is required`, where);
    }
    if (names.has(t.name)) throw new ManifestError(`template '${t.name}' is not unique`, where);
    names.add(t.name);
    checkTemplate(t, file);
  });
}

function checkTemplate(t: Template, file: string | undefined): void {
  const where = { file };
  const set = TEMPLATE_TYPES.filter((k) => t[k] !== undefined && t[k] !== null);
  if (set.length === 0) {
    throw new ManifestError(
      `templates.${t.name} template type unspecified. choose one of: ${TEMPLATE_TYPES.join(', ')}`,
      where,
    );
  }
  if (set.length > 1) {
    throw new ManifestError(`templates.${t.name} multiple template types specified`, where);
  }
  checkParameters(t.inputs?.parameters, `templates.${t.name}.inputs.parameters`, file);
  checkParameters(t.outputs?.parameters, `templates.${t.name}.outputs.parameters`, file);
  if (t.steps !== undefined) {
    if (!Array.isArray(t.steps))
      throw new ManifestError(`templates.${t.name}.steps must be a list`, where);
    t.steps.forEach((group, i) => {
      if (!Array.isArray(group)) {
        throw new ManifestError(`templates.${t.name}.steps[${i}] must be a list of steps`, where);
      }
      for (const step of group) {
        if (!isObject(step) || !isNonEmptyString(step.name)) {
          throw new ManifestError(`templates.${t.name}.steps[${i}].name is required`, where);
        }
        checkParameters(
          step.arguments?.parameters,
          `templates.${t.name}.steps[${i}].${step.name}.arguments.parameters`,
          file,
        );
      }
    });
  }
  if (t.dag !== undefined) {
    if (!isObject(t.dag) || !Array.isArray(t.dag.tasks)) {
      throw new ManifestError(`templates.${t.name}.dag.tasks must be a list`, where);
    }
    for (const task of t.dag.tasks) {
      if (!isObject(task) || !isNonEmptyString(task.name)) {
        throw new ManifestError(`templates.${t.name}.tasks.name is required`, where);
      }
      if (task.dependencies !== undefined && !Array.isArray(task.dependencies)) {
        throw new ManifestError(
          `templates.${t.name}.tasks.${task.name}.dependencies must be a list`,
          where,
        );
      }
      checkParameters(
        task.arguments?.parameters,
        `templates.${t.name}.tasks.${task.name}.arguments.parameters`,
        file,
      );
    }
  }
  const body = t.script ?? t.container;
  if (body !== undefined) {
    if (!isObject(body))
      throw new ManifestError(`templates.${t.name} container must be an object`, where);
    if (t.script && t.script.source !== undefined && typeof t.script.source !== 'string') {
      throw new ManifestError(`templates.${t.name}.script.source must be a string`, where);
    }
    for (const key of ['command', 'args'] as const) {
      const v = body[key];
      if (v !== undefined && (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))) {
        throw new ManifestError(`templates.${t.name}.${key} must be a list of strings`, where);
      }
    }
  }
}

function checkParameters(params: unknown, path: string, file: string | undefined): void {
  // `parameters:` with nothing after it is YAML's null: Argo reads it as no parameters.
  if (params === undefined || params === null) return;
  if (!Array.isArray(params)) throw new ManifestError(`${path} must be a list`, { file });
  params.forEach((p: unknown, i) => {
    if (!isObject(p) || !isNonEmptyString(p.name)) {
      throw new ManifestError(`${path}[${i}].name is required`, { file });
    }
    for (const key of ['value', 'default'] as const) {
      const v = p[key];
      if (v !== undefined && typeof v !== 'string') {
        // Argo's parameter values are strings (AnyString): numbers and booleans are read as text.
        if (typeof v === 'number' || typeof v === 'boolean') p[key] = String(v);
        else throw new ManifestError(`${path}.${p.name}.${key} must be a string`, { file });
      }
    }
  });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isNonEmptyString(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0;
}
