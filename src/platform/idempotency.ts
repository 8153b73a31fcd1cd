import { createHash } from 'node:crypto';
import { ConflictError, InputError, PlinthError } from '../errors/index.js';
import type { Store, StoredResponse } from '../store/index.js';

/** How long a key answers with its first result. */
export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;
/** A pending key older than this belongs to a request that died; a new one may take it. */
const STALE_PENDING_MS = 5 * 60_000;
const PURGE_EVERY_MS = 10 * 60_000;
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** What `begin` decided: run the request (and `complete` it), or answer the kept result. */
export type IdempotencyDecision = { kind: 'run' } | { kind: 'replay'; response: StoredResponse };

/** The request a key is used for: who (`scope`), the key, and what was asked. */
export interface IdempotentRequest {
  /** The caller's token id: keys of different tokens never meet. */
  scope: string;
  key: string;
  /** `fingerprintOf` the method, path and body. */
  fingerprint: string;
}

/**
 * `Idempotency-Key` for writes: the first request with a key runs, later ones
 * with the same key and the same request get its answer again, and ones with
 * another request are refused (IDEMPOTENCY_MISMATCH). A duplicate arriving
 * while the first still runs waits for it, up to `waitMs`, then gets a 409.
 */
export interface IdempotencyService {
  begin(request: IdempotentRequest): Promise<IdempotencyDecision>;
  complete(request: IdempotentRequest, response: StoredResponse): Promise<void>;
  /** Frees the key so a retry runs again (the first attempt failed on Plinth's side). */
  abandon(request: IdempotentRequest): Promise<void>;
}

/** JSON with object keys sorted, so the same body always hashes the same. */
function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
}

/** SHA-256 of the method, the path and the body. */
export function fingerprintOf(method: string, path: string, body: unknown): string {
  return createHash('sha256')
    .update(`${method.toUpperCase()} ${path}\n${canonical(body)}`)
    .digest('hex');
}

/** Checks an `Idempotency-Key` header value; throws InputError naming the header. */
export function validateIdempotencyKey(key: string): string {
  if (!KEY_PATTERN.test(key)) {
    throw new InputError('the Idempotency-Key header is not a valid key', {
      errors: [
        {
          field: 'Idempotency-Key',
          message: 'must be 1 to 255 visible ASCII characters',
          fix: 'send a random value such as a UUID, the same one when retrying',
        },
      ],
    });
  }
  return key;
}

export function createIdempotencyService(deps: {
  store: Store;
  clock: () => Date;
  /** How long a duplicate waits for the first request to finish (default 10 s). */
  waitMs?: number;
  /** Pause between checks while waiting (default 20 ms). */
  pollMs?: number;
}): IdempotencyService {
  const { store, clock } = deps;
  const waitMs = deps.waitMs ?? 10_000;
  const pollMs = deps.pollMs ?? 20;
  let lastPurge = 0;

  async function purge(now: Date): Promise<void> {
    if (now.getTime() - lastPurge < PURGE_EVERY_MS) return;
    lastPurge = now.getTime();
    await store.idempotency.purgeExpired(now.toISOString());
  }

  function mismatch(key: string): PlinthError {
    return new PlinthError(
      'IDEMPOTENCY_MISMATCH',
      `Idempotency-Key "${key}" was used for another request`,
      {
        errors: [
          {
            field: 'Idempotency-Key',
            message: 'was first used with another method, path or body',
            fix: 'use a new key for a new request, or resend the first request unchanged',
          },
        ],
      },
    );
  }

  return {
    async begin(request) {
      validateIdempotencyKey(request.key);
      const started = Date.now();
      for (;;) {
        const now = clock();
        await purge(now);
        const holder = await store.idempotency.claim(
          {
            scope: request.scope,
            key: request.key,
            fingerprint: request.fingerprint,
            state: 'pending',
            response: null,
            createdAt: now.toISOString(),
            expiresAt: new Date(now.getTime() + IDEMPOTENCY_TTL_MS).toISOString(),
          },
          new Date(now.getTime() - STALE_PENDING_MS).toISOString(),
        );
        if (!holder) return { kind: 'run' };
        if (holder.fingerprint !== request.fingerprint) throw mismatch(request.key);
        if (holder.state === 'done' && holder.response) {
          return { kind: 'replay', response: holder.response };
        }
        if (Date.now() - started >= waitMs) {
          throw new ConflictError(
            `a request with Idempotency-Key "${request.key}" is still being processed`,
            {
              errors: [
                {
                  field: 'Idempotency-Key',
                  message: 'its first request has not finished',
                  fix: 'retry the same request later with the same key',
                },
              ],
            },
          );
        }
        await new Promise((resolve) => setTimeout(resolve, pollMs));
      }
    },

    async complete(request, response) {
      await store.idempotency.complete(request.scope, request.key, response);
    },

    async abandon(request) {
      await store.idempotency.release(request.scope, request.key, request.fingerprint);
    },
  };
}
