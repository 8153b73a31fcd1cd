import { ManifestError } from '../../errors/index.js';
import type { TemplateRegistry } from '../engine.js';
import { dependencyNames, dependsFromList, parseDepends, type DependsExpr } from './depends.js';
import type {
  DAGTask,
  LifecycleHook,
  Template,
  TemplateRef,
  WorkflowSpec,
  WorkflowStep,
} from './types.js';

/** A task's dependencies as one expression (`depends` wins over `dependencies`). */
export function taskDepends(task: DAGTask): DependsExpr | undefined {
  if (task.depends !== undefined && task.depends.trim() !== '') return parseDepends(task.depends);
  return dependsFromList(task.dependencies ?? []);
}

/** What refers to a template: a step, a task, or the entrypoint. */
export interface TemplateHolder {
  template?: string;
  templateRef?: TemplateRef;
  inline?: Template;
}

/**
 * Where a template is looked up, spelled as Argo's node `templateScope`:
 * `local/<workflow>` for the Workflow's own templates, `namespaced/<name>`
 * for a WorkflowTemplate's, `cluster/<name>` for a ClusterWorkflowTemplate's.
 */
export type TemplateScope = string;

export interface ResolvedTemplate {
  template: Template;
  scope: TemplateScope;
  templateName?: string;
  templateRef?: TemplateRef;
}

/** The key a referenced template is stored under in `status.storedTemplates`. */
export function storedTemplateKey(ref: TemplateRef): string {
  return `${ref.clusterScope ? 'cluster' : 'namespaced'}/${ref.name}/${ref.template}`;
}

function refScope(ref: TemplateRef): TemplateScope {
  return `${ref.clusterScope ? 'cluster' : 'namespaced'}/${ref.name}`;
}

/**
 * Looks templates up for a running Workflow: its own (or its
 * WorkflowTemplate's) templates, and the referenced ones copied into
 * `status.storedTemplates` at submit, so a run does not depend on the
 * registry changing under it.
 */
export class TemplateIndex {
  private readonly local = new Map<string, Template>();

  constructor(
    templates: Template[],
    private readonly stored: Record<string, Template>,
  ) {
    for (const t of templates) this.local.set(t.name, t);
  }

  /** Resolves a holder in a scope; returns Argo's error text when it cannot. */
  resolve(scope: TemplateScope, holder: TemplateHolder): ResolvedTemplate | string {
    if (holder.templateRef) {
      const ref = holder.templateRef;
      const template = this.stored[storedTemplateKey(ref)];
      if (!template) return `template reference ${ref.name}.${ref.template} not found`;
      return { template, scope: refScope(ref), templateRef: ref };
    }
    if (holder.inline) return { template: holder.inline, scope };
    const name = holder.template ?? '';
    const template = scope.startsWith('local/')
      ? this.local.get(name)
      : this.stored[`${scope}/${name}`];
    if (!template) return `template name '${name}' undefined`;
    return { template, scope, templateName: name };
  }
}

/**
 * Walks every template reachable from the entrypoint, checking references as
 * Argo's validation does, and returns the referenced WorkflowTemplates'
 * templates to keep in `status.storedTemplates`.
 */
export function collectTemplates(
  spec: WorkflowSpec,
  workflowName: string,
  namespace: string,
  registry: TemplateRegistry,
): Record<string, Template> {
  const stored: Record<string, Template> = {};
  const local = new Map((spec.templates ?? []).map((t) => [t.name, t]));
  const visited = new Set<string>();

  const lookup = (scope: string, holder: TemplateHolder, prefix: string): [Template, string] => {
    const fail = (text: string): never => {
      throw new ManifestError(prefix ? `${prefix} ${text}` : text);
    };
    if (holder.templateRef) {
      const ref = holder.templateRef;
      if (holder.template) fail('template name cannot be specified with templateRef');
      if (!ref.name) fail('resource name is required');
      if (!ref.template) fail('template name is required');
      const wt = registry.get(ref.clusterScope ? '' : namespace, ref.name);
      if (!wt) {
        const kind = ref.clusterScope ? 'clusterworkflowtemplates' : 'workflowtemplates';
        fail(`${kind}.argoproj.io "${ref.name}" not found`);
      }
      const scopeName = refScope(ref);
      const wtTemplates = wt?.spec.templates ?? [];
      const found = wtTemplates.find((t) => t.name === ref.template);
      if (!found) fail(`template reference ${ref.name}.${ref.template} not found`);
      // Templates a referenced template calls by name live in the same WorkflowTemplate.
      for (const t of wtTemplates) stored[`${scopeName}/${t.name}`] ??= t;
      return [found as Template, scopeName];
    }
    if (holder.inline) return [holder.inline, scope];
    const name = holder.template ?? '';
    const found = scope.startsWith('local/') ? local.get(name) : stored[`${scope}/${name}`];
    if (!found) fail(`template name '${name}' undefined`);
    return [found as Template, scope];
  };

  const visit = (scope: string, holder: TemplateHolder, prefix: string): void => {
    const [tmpl, tmplScope] = lookup(scope, holder, prefix);
    const key = `${tmplScope}/${tmpl.name}`;
    if (visited.has(key)) return;
    visited.add(key);
    const children = (step: WorkflowStep, path: string) => {
      checkSupplied(lookup(tmplScope, step, path)[0], step, path);
      visit(tmplScope, step, path);
      checkHooks(step, path, (hook, hookPath) => visit(tmplScope, hook, hookPath));
      if (step.withItems !== undefined && !Array.isArray(step.withItems)) {
        throw new ManifestError(`${path}.withItems must be a list`);
      }
      const loops = ['withItems', 'withParam', 'withSequence'].filter((k) => step[k] !== undefined);
      if (loops.length > 1) {
        throw new ManifestError(
          `${path} only one of withItems, withParam or withSequence can be specified`,
        );
      }
    };
    checkTemplateFields(tmpl, `templates.${tmpl.name}`);
    tmpl.steps?.forEach((group, i) => {
      for (const step of group) children(step, `templates.${tmpl.name}.steps[${i}].${step.name}`);
    });
    for (const task of tmpl.dag?.tasks ?? []) {
      const path = `templates.${tmpl.name}.tasks.${task.name}`;
      let deps: string[];
      try {
        deps = dependencyNames(taskDepends(task));
      } catch (err) {
        throw new ManifestError(`${path} ${(err as Error).message}`);
      }
      for (const dep of deps) {
        if (!tmpl.dag?.tasks.some((t) => t.name === dep)) {
          throw new ManifestError(`${path} dependency '${dep}' not defined`);
        }
      }
      children(task, path);
    }
    const target = tmpl.dag?.target;
    if (typeof target === 'string' && target.trim() !== '' && !target.includes('{{')) {
      for (const name of target.trim().split(/\s+/)) {
        if (!tmpl.dag?.tasks.some((t) => t.name === name)) {
          throw new ManifestError(
            `templates.${tmpl.name}.dag.target: task '${name}' is not defined`,
          );
        }
      }
    }
  };

  if (!spec.entrypoint) throw new ManifestError('spec.entrypoint is required');
  visit(`local/${workflowName}`, { template: spec.entrypoint }, '');
  checkHooks(spec, 'spec', (hook, path) => visit(`local/${workflowName}`, hook, path));
  // Keep only the WorkflowTemplates' templates: the Workflow's own are in its spec.
  return stored;
}

/**
 * A step or task must pass every input parameter its template declares without
 * a value, a default or a `valueFrom`, as Argo's validation requires at submit.
 */
function checkSupplied(tmpl: Template, step: WorkflowStep, path: string): void {
  const given = new Set<string>();
  for (const a of step.arguments?.parameters ?? []) {
    if (a.value !== undefined || a.valueFrom !== undefined || a.default !== undefined) {
      given.add(a.name);
    }
  }
  for (const p of tmpl.inputs?.parameters ?? []) {
    if (given.has(p.name)) continue;
    if (p.value !== undefined || p.default !== undefined || p.valueFrom !== undefined) continue;
    throw new ManifestError(
      `${path} templates.${tmpl.name} inputs.parameters.${p.name} was not supplied`,
    );
  }
}

/** Visits the templates a step's (or the Workflow's) `onExit` and `hooks` name. */
function checkHooks(
  holder: { onExit?: string; hooks?: Record<string, LifecycleHook> },
  path: string,
  visit: (holder: TemplateHolder, path: string) => void,
): void {
  if (holder.onExit !== undefined) {
    if (typeof holder.onExit !== 'string' || holder.onExit === '') {
      throw new ManifestError(`${path}.onExit must be a template name`);
    }
    visit({ template: holder.onExit }, `${path}.onExit`);
  }
  if (holder.hooks === undefined) return;
  if (typeof holder.hooks !== 'object' || holder.hooks === null || Array.isArray(holder.hooks)) {
    throw new ManifestError(`${path}.hooks must be a map of hook names to hooks`);
  }
  for (const [name, hook] of Object.entries(holder.hooks)) {
    if (!hook?.template && !hook?.templateRef) {
      throw new ManifestError(`${path}.hooks.${name} must set template or templateRef`);
    }
    if (name !== 'exit' && !hook.expression) {
      throw new ManifestError(
        `${path}.hooks.${name}.expression is required (only 'exit' needs none)`,
      );
    }
    visit(
      {
        ...(hook.template ? { template: hook.template } : {}),
        ...(hook.templateRef ? { templateRef: hook.templateRef } : {}),
      },
      `${path}.hooks.${name}`,
    );
  }
}

const RETRY_POLICIES = ['Always', 'OnFailure', 'OnError', 'OnTransientError'];

/** Checks the control fields of a template that Argo's validation checks. */
function checkTemplateFields(tmpl: Template, path: string): void {
  const retry = tmpl.retryStrategy;
  if (retry !== undefined) {
    if (retry.retryPolicy !== undefined && !RETRY_POLICIES.includes(retry.retryPolicy)) {
      throw new ManifestError(
        `${path}.retryStrategy.retryPolicy '${String(retry.retryPolicy)}' is not one of ${RETRY_POLICIES.join(', ')}`,
      );
    }
    if (retry.limit !== undefined && !/^\d+$/.test(String(retry.limit))) {
      throw new ManifestError(
        `${path}.retryStrategy.limit must be a whole number, got '${String(retry.limit)}'`,
      );
    }
  }
  const deadline = tmpl.activeDeadlineSeconds;
  if (
    deadline !== undefined &&
    !/^\d+$/.test(String(deadline)) &&
    !String(deadline).includes('{{')
  ) {
    throw new ManifestError(`${path}.activeDeadlineSeconds must be a whole number of seconds`);
  }
  if (tmpl.parallelism !== undefined && !Number.isInteger(Number(tmpl.parallelism))) {
    throw new ManifestError(`${path}.parallelism must be a whole number`);
  }
}
