import type {
  AuditListFilter,
  AuditOutcome,
  Page,
  Store,
  StoredAuditEntry,
} from '../store/index.js';
import { Permission, authorize } from './authorization.js';
import type { Principal } from './types.js';

/** What happened, as a caller reports it; the time is the service's own. */
export interface AuditInput {
  /** Who did it; `null` for the platform itself. */
  actor: Principal | null;
  action: string;
  target: string;
  requestId?: string | null;
  outcome: AuditOutcome;
  status?: number | null;
  /** Non-secret facts only: never a body, a token or a secret's value. */
  details?: Record<string, unknown>;
}

/** The audit log: appended to by every write, decision and token use; read by admins. */
export interface AuditService {
  record(input: AuditInput): Promise<StoredAuditEntry>;
  list(filter: AuditListFilter, actor: Principal): Promise<Page<StoredAuditEntry>>;
}

/** The actor name of entries the platform writes on its own behalf. */
export const SYSTEM_ACTOR = 'system';

export function createAuditService(deps: { store: Store; clock: () => Date }): AuditService {
  const { store, clock } = deps;
  return {
    record(input) {
      return store.audit.append({
        time: clock().toISOString(),
        actor: input.actor?.name ?? SYSTEM_ACTOR,
        tokenId: input.actor?.tokenId ?? null,
        role: input.actor?.role ?? null,
        team: input.actor?.team ?? null,
        action: input.action,
        target: input.target,
        requestId: input.requestId ?? null,
        outcome: input.outcome,
        status: input.status ?? null,
        details: input.details ?? {},
      });
    },

    async list(filter, actor) {
      authorize(actor, Permission.AuditRead, { kind: 'audit log' });
      return store.audit.list(filter);
    },
  };
}
