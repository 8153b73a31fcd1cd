import type { Store, WorkflowRecord } from '../../store/index.js';
import type { NodeStatus } from '../../workflows/index.js';

/** Puts a Workflow into the store the way the engine leaves it. */
export async function seedRun(
  store: Store,
  opts: {
    name: string;
    labels: Record<string, string>;
    phase: string;
    nodes?: Partial<NodeStatus>[];
  },
): Promise<WorkflowRecord> {
  const record: WorkflowRecord = {
    uid: `uid-${opts.name}`,
    name: opts.name,
    namespace: 'argo-events',
    labels: opts.labels,
    phase: opts.phase,
    requestId: opts.labels['plinth.dev/request-id'] ?? null,
    createdAt: new Date().toISOString(),
    finishedAt: null,
    manifest: { metadata: { name: opts.name, labels: opts.labels }, spec: {} },
    status: { phase: opts.phase, startedAt: '2026-01-01T00:00:00Z' },
  };
  await store.workflows.insert(record);
  await store.workflows.upsertNodes(
    (opts.nodes ?? []).map((n, i) => ({
      workflowUid: record.uid,
      nodeId: `${opts.name}-${i}`,
      node: { id: `${opts.name}-${i}`, name: `${opts.name}.n${i}`, displayName: `n${i}`, ...n },
    })),
  );
  return record;
}
