import { PlinthError, isPlinthError } from '../errors/index.js';
import type { Logger } from '../logging/index.js';
import type { RequestRecord, Store } from '../store/index.js';
import type { CatalogService } from './kinds.js';
import { NotificationEvent, type Notifier } from './notifications.js';
import { acceptedOf } from './requests.js';
import { RequestStatus, type Dispatcher, type RequestAccepted } from './types.js';

/** One request of a catalog kind, ready to be recorded and dispatched. */
export interface KindSubmission {
  /** The request's id: the caller has already written it on what the request changes. */
  id: string;
  kind: string;
  action: string;
  /** What the request acts on: a name, or `environment/name` for an application. */
  target: string;
  requester: string;
  /** What was asked, as the request records it (never a secret value). */
  record: Record<string, unknown>;
  /** The fields posted to the kind's event; `request_id` and `requester` are added. */
  event: Record<string, unknown>;
  /** The API path of what the request acts on (the 202's `links.target`). */
  targetLink: string;
  /** Puts what the caller changed back when the event source refuses the request. */
  undo: () => Promise<unknown>;
  /** When the request was made (RFC 3339). */
  now: string;
  /** The environment it concerns, for notifications. */
  environment?: string | null;
  /** The status the target had before this request took it; a change not applied puts it back. */
  priorStatus?: string;
}

/**
 * Every catalog kind's request goes the same way: recorded as a request,
 * posted to the kind's EventSource event (the kind's Sensor starts its
 * WorkflowTemplate), followed by its run. Domain services decide what a
 * request changes; this records and dispatches it.
 */
export interface KindRequests {
  submit(submission: KindSubmission): Promise<RequestAccepted>;
}

export function createKindRequests(deps: {
  store: Store;
  dispatcher: Dispatcher;
  catalog: CatalogService;
  logger: Logger;
  notifier?: Notifier;
}): KindRequests {
  const { store, dispatcher, catalog, logger } = deps;
  return {
    async submit(s) {
      const kind = catalog.kind(s.kind);
      const request: RequestRecord = {
        id: s.id,
        kind: kind.name,
        action: s.action,
        target: s.target,
        status: RequestStatus.Pending,
        requester: s.requester,
        body: s.record,
        message: null,
        createdAt: s.now,
        updatedAt: s.now,
        priorStatus: s.priorStatus ?? null,
      };
      await store.requests.insert(request);
      try {
        await dispatcher.dispatch(kind.eventName, {
          ...s.event,
          request_id: s.id,
          requester: s.requester,
        });
      } catch (err) {
        const message = isPlinthError(err) ? err.message : 'the event source cannot be reached';
        logger.warn({ err, requestId: s.id, kind: kind.name }, 'dispatching a request failed');
        await store.requests.update(s.id, { status: RequestStatus.Failed, message });
        await s
          .undo()
          .catch((e: unknown) =>
            logger.error({ err: e, requestId: s.id }, 'recording a failed dispatch failed'),
          );
        throw new PlinthError(
          'UNAVAILABLE',
          `request ${s.id} was not accepted: ${message}; try again`,
          { cause: err, details: { requestId: s.id } },
        );
      }
      deps.notifier?.notify({
        event: NotificationEvent.RequestAccepted,
        summary: `Request accepted: ${s.action} ${kind.name} ${s.target} (requested by ${s.requester})`,
        environment: s.environment ?? null,
        requestId: s.id,
        requester: s.requester,
        action: s.action,
      });
      const accepted = acceptedOf(request);
      return { ...accepted, links: { ...accepted.links, target: s.targetLink } };
    },
  };
}
