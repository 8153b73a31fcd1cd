import { NotFoundError } from '../errors/index.js';
import type { RequestRecord, Store } from '../store/index.js';
import type { RequestAccepted, RequestService } from './types.js';
import { displayPhase } from './workflow-facts.js';

/** Where a request is followed: the API paths the 202 answer links to. */
export function acceptedOf(record: RequestRecord): RequestAccepted {
  return {
    id: record.id,
    kind: record.kind,
    action: record.action,
    status: record.status,
    target: record.target,
    links: {
      self: `/api/v1/requests/${record.id}`,
      target: `/api/v1/${record.kind}s/${encodeURIComponent(record.target)}`,
      runs: `/api/v1/runs?requestId=${record.id}`,
    },
  };
}

export function createRequestService(deps: { store: Store }): RequestService {
  const { store } = deps;
  return {
    async get(id) {
      const record = await store.requests.get(id);
      if (!record) throw new NotFoundError(`request "${id}" does not exist`, { details: { id } });
      const runs = await store.workflows.list({ requestId: id, limit: 100 });
      return {
        id: record.id,
        kind: record.kind,
        action: record.action,
        target: record.target,
        status: record.status,
        requester: record.requester,
        createdAt: record.createdAt,
        updatedAt: record.updatedAt,
        message: record.message,
        inputs: record.body,
        runs: runs.items.map((w) => ({ id: w.name, phase: displayPhase(w.phase) })),
      };
    },
  };
}
