import { ManifestError } from '../../errors/index.js';
import type { TemplateRegistry } from '../engine.js';
import { dependencyNames, dependsFromList, parseDepends, type DependsExpr } from './depends.js';
import type { DAGTask, Template, TemplateRef, WorkflowSpec, WorkflowStep } from './types.js';

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
      for (const key of [
        'when',
        'withItems',
        'withParam',
        'withSequence',
        'onExit',
        'hooks',
      ] as const) {
        if (step[key] !== undefined) {
          throw new ManifestError(`${path}.${key} is not supported by the embedded engine yet`);
        }
      }
      visit(tmplScope, step, path);
    };
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
  };

  if (!spec.entrypoint) throw new ManifestError('spec.entrypoint is required');
  visit(`local/${workflowName}`, { template: spec.entrypoint }, '');
  // Keep only the WorkflowTemplates' templates: the Workflow's own are in its spec.
  return stored;
}
