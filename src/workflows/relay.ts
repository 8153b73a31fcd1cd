import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorCodes, PlinthError, isPlinthError, type ErrorCode } from '../errors/index.js';
import type { Logger } from '../logging/index.js';
import type { ClaimRepository, RunOperationRepository } from '../store/index.js';

/** The operations any process accepts for a run another process holds. */
export type RunOperationName = 'resume' | 'reject' | 'stop' | 'terminate' | 'suspend';

/** One operation, as the asking process received it. */
export interface RunOperation {
  name: RunOperationName;
  namespace: string;
  workflow: string;
  /** The operation's options (actor, message, node name, outputs), as JSON. */
  args: Record<string, unknown>;
}

/**
 * Hands operations on a run to the process that holds its claim: Argo's
 * clients patch the Workflow and its controller acts; here the asking process
 * records the operation in the store for the owner, which applies it within
 * `pollMs` and answers, so the asker replies as if it had done it itself.
 */
export interface RunOperationRelay {
  /**
   * Asks the holder of `uid` to apply `op` and waits for its answer:
   * `applied`, or `orphaned` when nobody live holds the run (the caller may
   * take it over and apply the operation itself). Throws the holder's error.
   */
  forward(uid: string, op: RunOperation): Promise<'applied' | 'orphaned'>;
  /** Starts applying the operations other processes ask of this one. */
  serve(apply: (uid: string, op: RunOperation) => Promise<void>): void;
  stop(): Promise<void>;
}

export interface RunOperationRelayOptions {
  operations: RunOperationRepository;
  claims: ClaimRepository;
  /** This process's claim owner id. */
  owner: string;
  /** The claims' lease: how long an asker waits for a holder that took an operation and went silent. */
  leaseMs: number;
  /** How often the owner looks for operations asked of it (ms); 100 by default. */
  pollMs?: number;
  logger: Logger;
}

const CLAIM_KIND = 'workflow';
/** Answers nobody read (the asker died) are deleted after this long. */
const KEEP_MS = 10 * 60_000;

export function createRunOperationRelay(options: RunOperationRelayOptions): RunOperationRelay {
  const { operations, claims, owner, leaseMs, logger } = options;
  const pollMs = options.pollMs ?? 100;
  let timer: NodeJS.Timeout | undefined;
  let polling: Promise<void> | undefined;
  let lastPrune = 0;

  async function holderOf(uid: string): Promise<string | undefined> {
    const held = await claims.owner(CLAIM_KIND, uid);
    if (!held || held.expiresAt < new Date().toISOString()) return undefined;
    return held.owner;
  }

  async function poll(apply: (uid: string, op: RunOperation) => Promise<void>): Promise<void> {
    for (const record of await operations.pending(owner)) {
      if (!(await operations.take(record.id))) continue;
      const args = record.args as { namespace?: string; workflow?: string; options?: unknown };
      let error: Record<string, unknown> | null = null;
      try {
        await apply(record.workflowUid, {
          name: record.operation as RunOperationName,
          namespace: args.namespace ?? 'default',
          workflow: args.workflow ?? '',
          args: (args.options ?? {}) as Record<string, unknown>,
        });
      } catch (err) {
        error = errorJson(err);
      }
      await operations.answer(record.id, error, new Date().toISOString());
    }
    if (Date.now() - lastPrune > KEEP_MS) {
      lastPrune = Date.now();
      await operations.prune(new Date(Date.now() - KEEP_MS).toISOString());
    }
  }

  return {
    async forward(uid, op) {
      const holder = await holderOf(uid);
      if (holder === undefined || holder === owner) return 'orphaned';
      const id = randomUUID();
      await operations.request({
        id,
        workflowUid: uid,
        owner: holder,
        operation: op.name,
        args: { namespace: op.namespace, workflow: op.workflow, options: op.args },
        requestedAt: new Date().toISOString(),
      });
      const started = Date.now();
      let lastCheck = started;
      for (;;) {
        await sleep(Math.max(10, Math.floor(pollMs / 2)));
        const record = await operations.get(id);
        if (!record) throw new PlinthError('UNAVAILABLE', 'the operation was dropped; try again');
        if (record.state === 'done') {
          await operations.remove(id);
          if (record.error) throw errorOf(record.error);
          return 'applied';
        }
        const now = Date.now();
        if (record.state === 'pending' && now - lastCheck >= Math.max(pollMs * 5, 250)) {
          lastCheck = now;
          // The holder stopped or died before taking it: whoever holds the run now gets it.
          if ((await holderOf(uid)) !== holder && (await operations.withdraw(id)))
            return 'orphaned';
        }
        if (now - started > leaseMs + pollMs * 10) {
          if (!(await operations.withdraw(id))) await operations.remove(id);
          throw new PlinthError(
            'UNAVAILABLE',
            `the Plinth process running workflow ${op.namespace}/${op.workflow} did not answer; try again`,
          );
        }
      }
    },

    serve(apply) {
      if (timer) return;
      timer = setInterval(() => {
        polling ??= poll(apply)
          .catch((err: unknown) => logger.warn({ err }, 'could not apply operations on runs'))
          .finally(() => (polling = undefined));
      }, pollMs);
      timer.unref();
    },

    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await polling;
    },
  };
}

function errorJson(err: unknown): Record<string, unknown> {
  if (isPlinthError(err)) {
    return { code: err.code, message: err.message, errors: err.errors, details: err.details };
  }
  return { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) };
}

function errorOf(json: Record<string, unknown>): PlinthError {
  const code = (
    typeof json['code'] === 'string' && json['code'] in ErrorCodes ? json['code'] : 'INTERNAL'
  ) as ErrorCode;
  return new PlinthError(code, String(json['message'] ?? 'the operation failed'), {
    errors: Array.isArray(json['errors']) ? (json['errors'] as never) : [],
    details: (json['details'] ?? {}) as Record<string, unknown>,
  });
}
