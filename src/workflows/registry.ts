import type { TemplateRegistry } from './engine.js';
import type { WorkflowTemplate } from './model/types.js';

/**
 * An in-memory TemplateRegistry. ClusterWorkflowTemplates are kept under the
 * empty namespace, which is where `clusterScope: true` references look.
 */
export function createTemplateRegistry(templates: WorkflowTemplate[] = []): TemplateRegistry {
  const byKey = new Map<string, WorkflowTemplate>();
  const keyOf = (namespace: string, name: string) => `${namespace}/${name}`;
  const registry: TemplateRegistry = {
    get: (namespace, name) => byKey.get(keyOf(namespace, name)),
    set(template) {
      const namespace =
        template.kind === 'ClusterWorkflowTemplate'
          ? ''
          : (template.metadata.namespace ?? 'default');
      byKey.set(keyOf(namespace, template.metadata.name ?? ''), structuredClone(template));
    },
    list: () => [...byKey.values()],
  };
  for (const t of templates) registry.set(t);
  return registry;
}
