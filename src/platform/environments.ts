import { randomUUID } from 'node:crypto';
import type { Logger } from '../logging/index.js';
import {
  ConflictError,
  InputError,
  NotFoundError,
  PlinthError,
  isPlinthError,
  type FieldProblem,
} from '../errors/index.js';
import type { EnvironmentRecord, RequestRecord, Store } from '../store/index.js';
import { Permission, authorize } from './authorization.js';
import { acceptedOf } from './requests.js';
import {
  EnvironmentStatus,
  RequestStatus,
  type CreateEnvironmentInput,
  type Dispatcher,
  type EnvironmentService,
  type EnvironmentView,
  type Principal,
  type RequestAccepted,
} from './types.js';

/** The event name (webhook endpoint) environment requests are posted to. */
export const ENVIRONMENT_EVENT = 'environments';
export const ENVIRONMENT_KIND = 'environment';

/** A DNS label (RFC 1123), so the name can become a namespace, hostname or resource name. */
export const ENVIRONMENT_NAME_PATTERN = '^[a-z]([-a-z0-9]*[a-z0-9])?$';
const namePattern = new RegExp(ENVIRONMENT_NAME_PATTERN);
export const ENVIRONMENT_FIELDS = ['name', 'region', 'team', 'tier'] as const;
/** An environment's tier decides its policy (who may approve); `development` when not given. */
export const EnvironmentTier = {
  Development: 'development',
  Staging: 'staging',
  Production: 'production',
} as const;
export type EnvironmentTier = (typeof EnvironmentTier)[keyof typeof EnvironmentTier];
const tiers = Object.values(EnvironmentTier) as string[];

/** The tier an environment was created with (kept in its inputs). */
export function tierOf(record: EnvironmentRecord): EnvironmentTier {
  const tier = record.inputs['tier'];
  return typeof tier === 'string' && tiers.includes(tier)
    ? (tier as EnvironmentTier)
    : EnvironmentTier.Development;
}
const NAME_FIX =
  'use 1 to 63 lowercase letters, digits and "-", starting with a letter and ending with a letter or digit';

function requiredString(
  body: Record<string, unknown>,
  field: string,
  problems: FieldProblem[],
  optional = false,
): string | undefined {
  const value = body[field];
  if (value === undefined) {
    if (!optional) problems.push({ field, message: 'is required', fix: `add "${field}"` });
    return undefined;
  }
  if (typeof value !== 'string' || value.trim() === '') {
    problems.push({ field, message: 'must be a non-empty string', fix: `give "${field}" as text` });
    return undefined;
  }
  return value;
}

/** Checks a create body; throws InputError naming every bad field and its fix. */
export function validateCreateEnvironment(input: unknown): CreateEnvironmentInput {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new InputError('the body must be a JSON object', {
      errors: [
        { field: '', message: 'is not an object', fix: 'send {"name": ..., "region": ...}' },
      ],
    });
  }
  const body = input as Record<string, unknown>;
  const problems: FieldProblem[] = [];
  for (const key of Object.keys(body)) {
    if (!(ENVIRONMENT_FIELDS as readonly string[]).includes(key)) {
      problems.push({
        field: key,
        message: 'is not a known field',
        fix: `remove it; allowed fields are ${ENVIRONMENT_FIELDS.join(', ')}`,
      });
    }
  }
  const name = requiredString(body, 'name', problems);
  if (name !== undefined && (name.length > 63 || !namePattern.test(name))) {
    problems.push({ field: 'name', message: 'is not a DNS label', fix: NAME_FIX });
  }
  const region = requiredString(body, 'region', problems);
  const team = requiredString(body, 'team', problems, true);
  const tier = requiredString(body, 'tier', problems, true);
  if (tier !== undefined && !tiers.includes(tier)) {
    problems.push({
      field: 'tier',
      message: 'is not a known tier',
      fix: `use one of ${tiers.join(', ')}`,
    });
  }
  if (problems.length > 0 || name === undefined || region === undefined) {
    const summary = problems.map((p) => `${p.field} ${p.message}`).join('; ');
    throw new InputError(`invalid environment: ${summary}`, { errors: problems });
  }
  return {
    name,
    region,
    ...(team === undefined ? {} : { team }),
    tier: (tier ?? EnvironmentTier.Development) as EnvironmentTier,
  };
}

export function environmentViewOf(record: EnvironmentRecord): EnvironmentView {
  const region = record.inputs['region'];
  return {
    name: record.name,
    status: record.status,
    region: typeof region === 'string' ? region : null,
    team: record.team,
    tier: tierOf(record),
    outputs: record.outputs,
    lastRequestId: record.lastRequestId,
    message: record.message,
    createdBy: record.createdBy,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}

export function createEnvironmentService(deps: {
  store: Store;
  dispatcher: Dispatcher;
  logger: Logger;
  clock: () => Date;
}): EnvironmentService {
  const { store, dispatcher, logger, clock } = deps;

  /** Names the run acting on an environment, for a 409 the caller can follow. */
  async function currentActivity(env: EnvironmentRecord): Promise<string> {
    if (!env.lastRequestId) return `it is ${env.status}`;
    const runs = await store.workflows.list({ requestId: env.lastRequestId, limit: 1 });
    const run = runs.items[0];
    return run
      ? `it is ${env.status}, run ${run.name} (request ${env.lastRequestId})`
      : `it is ${env.status}, request ${env.lastRequestId}`;
  }

  async function conflict(name: string): Promise<ConflictError> {
    const env = await store.environments.get(name);
    const activity = env ? await currentActivity(env) : 'it is being changed';
    return new ConflictError(`environment "${name}" already exists: ${activity}`, {
      details: {
        name,
        ...(env ? { status: env.status, lastRequestId: env.lastRequestId } : {}),
      },
    });
  }

  /** A Failed environment whose last request never reached a run (dispatch failed) may be requested again. */
  async function retakeUndispatched(
    name: string,
    patch: Partial<EnvironmentRecord>,
  ): Promise<boolean> {
    const env = await store.environments.get(name);
    if (!env || env.status !== EnvironmentStatus.Failed || !env.lastRequestId) return false;
    const last = await store.requests.get(env.lastRequestId);
    if (!last || last.action !== 'create') return false;
    const runs = await store.workflows.list({ requestId: env.lastRequestId, limit: 1 });
    if (runs.items.length > 0) return false;
    return store.environments.update(name, patch, [EnvironmentStatus.Failed]);
  }

  async function dispatchOrFail(
    request: RequestRecord,
    body: Record<string, unknown>,
    onFailure: () => Promise<void>,
  ): Promise<void> {
    try {
      await dispatcher.dispatch(ENVIRONMENT_EVENT, body);
    } catch (err) {
      const message = isPlinthError(err) ? err.message : 'the event source cannot be reached';
      logger.warn({ err, requestId: request.id }, 'dispatching a request failed');
      await store.requests.update(request.id, { status: RequestStatus.Failed, message });
      await onFailure().catch((e: unknown) =>
        logger.error({ err: e, requestId: request.id }, 'recording a failed dispatch failed'),
      );
      throw new PlinthError(
        'UNAVAILABLE',
        `request ${request.id} was not accepted: ${message}; try again`,
        { cause: err, details: { requestId: request.id } },
      );
    }
  }

  return {
    async create(input, actor: Principal): Promise<RequestAccepted> {
      const { name, region, team: givenTeam, tier } = validateCreateEnvironment(input);
      const team = givenTeam ?? actor.team;
      authorize(actor, Permission.EnvironmentsWrite, {
        kind: 'environment',
        name,
        team: team ?? null,
        tier,
      });
      const now = clock().toISOString();
      const id = randomUUID();
      const record: EnvironmentRecord = {
        name,
        team: team ?? null,
        status: EnvironmentStatus.Provisioning,
        inputs: { region, tier },
        outputs: {},
        lastRequestId: id,
        message: null,
        createdBy: actor.name,
        createdAt: now,
        updatedAt: now,
      };
      try {
        await store.environments.insert(record);
      } catch (err) {
        if (!isPlinthError(err, 'CONFLICT')) throw err;
        const { name: _n, createdAt: _c, ...patch } = record;
        if (!(await retakeUndispatched(name, patch))) throw await conflict(name);
      }
      const request: RequestRecord = {
        id,
        kind: ENVIRONMENT_KIND,
        action: 'create',
        target: name,
        status: RequestStatus.Pending,
        requester: actor.name,
        body: { name, region, tier, ...(team ? { team } : {}) },
        message: null,
        createdAt: now,
        updatedAt: now,
      };
      await store.requests.insert(request);
      await dispatchOrFail(
        request,
        { action: 'create', name, region, team: team ?? '', request_id: id, requester: actor.name },
        async () => {
          await store.environments.update(
            name,
            {
              status: EnvironmentStatus.Failed,
              message: 'the request could not be dispatched',
              updatedAt: clock().toISOString(),
            },
            [EnvironmentStatus.Provisioning],
          );
        },
      );
      return acceptedOf(request);
    },

    async delete(name, actor) {
      const env = await store.environments.get(name);
      if (!env)
        throw new NotFoundError(`environment "${name}" does not exist`, { details: { name } });
      authorize(actor, Permission.EnvironmentsWrite, {
        kind: 'environment',
        name,
        team: env.team,
        tier: tierOf(env),
      });
      if (
        env.status === EnvironmentStatus.Provisioning ||
        env.status === EnvironmentStatus.Destroying ||
        env.status === EnvironmentStatus.Destroyed
      ) {
        throw new ConflictError(
          `environment "${name}" cannot be deleted now: ${await currentActivity(env)}`,
          { details: { name, status: env.status, lastRequestId: env.lastRequestId } },
        );
      }
      const now = clock().toISOString();
      const id = randomUUID();
      const previous = {
        status: env.status,
        lastRequestId: env.lastRequestId,
        message: env.message,
      };
      const taken = await store.environments.update(
        name,
        { status: EnvironmentStatus.Destroying, lastRequestId: id, message: null, updatedAt: now },
        [env.status],
      );
      if (!taken) throw await conflict(name);
      const region = typeof env.inputs['region'] === 'string' ? env.inputs['region'] : '';
      const request: RequestRecord = {
        id,
        kind: ENVIRONMENT_KIND,
        action: 'delete',
        target: name,
        status: RequestStatus.Pending,
        requester: actor.name,
        body: { name },
        message: null,
        createdAt: now,
        updatedAt: now,
      };
      await store.requests.insert(request);
      await dispatchOrFail(
        request,
        {
          action: 'delete',
          name,
          region,
          team: env.team ?? '',
          request_id: id,
          requester: actor.name,
        },
        async () => {
          // Nothing was destroyed: the environment is as it was before.
          await store.environments.update(name, { ...previous, updatedAt: clock().toISOString() }, [
            EnvironmentStatus.Destroying,
          ]);
        },
      );
      return acceptedOf(request);
    },

    async get(name) {
      const env = await store.environments.get(name);
      if (!env)
        throw new NotFoundError(`environment "${name}" does not exist`, { details: { name } });
      return environmentViewOf(env);
    },

    async list(filter = {}) {
      const page = await store.environments.list(filter);
      return {
        items: page.items.map(environmentViewOf),
        ...(page.nextCursor === undefined ? {} : { nextCursor: page.nextCursor }),
      };
    },
  };
}
