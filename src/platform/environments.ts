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
import type { Notifier } from './notifications.js';
import { NotificationEvent } from './notifications.js';
import { acceptedOf } from './requests.js';
import {
  DEFAULT_TIER_POLICY,
  EnvironmentAction,
  approvalRequired,
  tierRule,
  type TierPolicy,
} from './tiers.js';
import { DNS_LABEL_PATTERN } from './names.js';
import { parseLifetime } from './tokens.js';
import {
  EnvironmentStatus,
  RequestStatus,
  type CreateEnvironmentInput,
  type Dispatcher,
  type EnvironmentService,
  type EnvironmentView,
  type Principal,
  type RequestAccepted,
  type UpdateEnvironmentInput,
} from './types.js';

/** The event name (webhook endpoint) environment requests are posted to. */
export const ENVIRONMENT_EVENT = 'environments';
export const ENVIRONMENT_KIND = 'environment';

/** A DNS label (RFC 1123), so the name can become a namespace, hostname or resource name. */
export const ENVIRONMENT_NAME_PATTERN = DNS_LABEL_PATTERN;
const namePattern = new RegExp(ENVIRONMENT_NAME_PATTERN);
export const ENVIRONMENT_FIELDS = ['name', 'region', 'team', 'tier', 'ttl', 'protected'] as const;
/** What `PATCH /environments/{name}` may change. */
export const ENVIRONMENT_UPDATE_FIELDS = ['region', 'team', 'tier', 'ttl', 'protected'] as const;
/** The requester of the delete requests that end expired environments. */
export const TTL_REQUESTER = 'plinth-ttl';
/** The longest TTL or extension (90 days). */
const MAX_TTL_MS = 90 * 24 * 3600 * 1000;
const TTL_FIX = 'give a number and a unit: m, h, d or w (e.g. 8h, 3d), at most 90d';
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
    throw nonObject('{"name": ..., "region": ...}');
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
  const ttlMs = ttlOf(body, problems);
  const isProtected = protectedOf(body, problems);
  if (ttlMs !== undefined && (isProtected || tier === EnvironmentTier.Production)) {
    problems.push({
      field: 'ttl',
      message: isProtected
        ? 'cannot be given to a protected environment'
        : 'cannot be given to a production environment (production never expires)',
      fix: 'remove "ttl", or create an unprotected development or staging environment',
    });
  }
  if (problems.length > 0 || name === undefined || region === undefined) {
    throw invalid(problems);
  }
  return {
    name,
    region,
    ...(team === undefined ? {} : { team }),
    tier: (tier ?? EnvironmentTier.Development) as EnvironmentTier,
    ...(ttlMs === undefined ? {} : { ttl: body['ttl'] as string }),
    ...(isProtected === undefined ? {} : { protected: isProtected }),
  };
}

function invalid(problems: FieldProblem[]): InputError {
  const summary = problems.map((p) => `${p.field} ${p.message}`).join('; ');
  return new InputError(`invalid environment: ${summary}`, { errors: problems });
}

/** A TTL such as `8h` or `3d`, in milliseconds. */
export function parseTtl(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const ms = parseLifetime(value);
  return ms !== undefined && ms <= MAX_TTL_MS ? ms : undefined;
}

function ttlOf(body: Record<string, unknown>, problems: FieldProblem[]): number | undefined {
  if (body['ttl'] === undefined) return undefined;
  const ms = parseTtl(body['ttl']);
  if (ms === undefined) problems.push({ field: 'ttl', message: 'is not a lifetime', fix: TTL_FIX });
  return ms;
}

function protectedOf(body: Record<string, unknown>, problems: FieldProblem[]): boolean | undefined {
  const value = body['protected'];
  if (value === undefined || typeof value === 'boolean') return value;
  problems.push({ field: 'protected', message: 'must be true or false', fix: 'give a boolean' });
  return undefined;
}

function nonObject(what: string): InputError {
  return new InputError('the body must be a JSON object', {
    errors: [{ field: '', message: 'is not an object', fix: `send ${what}` }],
  });
}

/** Checks a PATCH body; throws InputError naming every bad field and its fix. */
export function validateUpdateEnvironment(input: unknown): UpdateEnvironmentInput {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw nonObject('{"region": ...} or other fields to change');
  }
  const body = input as Record<string, unknown>;
  const problems: FieldProblem[] = [];
  for (const key of Object.keys(body)) {
    if (!(ENVIRONMENT_UPDATE_FIELDS as readonly string[]).includes(key)) {
      problems.push({
        field: key,
        message: key === 'name' ? 'cannot be changed' : 'is not a known field',
        fix: `remove it; fields that can change are ${ENVIRONMENT_UPDATE_FIELDS.join(', ')}`,
      });
    }
  }
  const region = requiredString(body, 'region', problems, true);
  const team = requiredString(body, 'team', problems, true);
  const tier = requiredString(body, 'tier', problems, true);
  if (tier !== undefined && !tiers.includes(tier)) {
    problems.push({
      field: 'tier',
      message: 'is not a known tier',
      fix: `use one of ${tiers.join(', ')}`,
    });
  }
  const ttlMs = ttlOf(body, problems);
  const isProtected = protectedOf(body, problems);
  if (problems.length === 0 && Object.keys(body).length === 0) {
    problems.push({
      field: '',
      message: 'changes nothing',
      fix: `give at least one of ${ENVIRONMENT_UPDATE_FIELDS.join(', ')}`,
    });
  }
  if (problems.length > 0) throw invalid(problems);
  return {
    ...(region === undefined ? {} : { region }),
    ...(team === undefined ? {} : { team }),
    ...(tier === undefined ? {} : { tier: tier as EnvironmentTier }),
    ...(ttlMs === undefined ? {} : { ttl: body['ttl'] as string }),
    ...(isProtected === undefined ? {} : { protected: isProtected }),
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
    protected: record.protected ?? false,
    expiresAt: record.expiresAt ?? null,
    drifted: record.drift?.['drifted'] === true,
    drift: record.drift ?? null,
    outputs: record.outputs,
    lastRequestId: record.lastRequestId,
    message: record.message,
    createdBy: record.createdBy,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}

/** What the environment service needs. */
export interface EnvironmentServiceDeps {
  store: Store;
  dispatcher: Dispatcher;
  logger: Logger;
  clock: () => Date;
  /** The tier policy (catalog/policies/tiers.json); the default policy when absent. */
  policy?: TierPolicy;
  notifier?: Notifier;
}

/** The environment service, with the entry points the TTL keeper uses. */
export interface EnvironmentServiceInternal extends Omit<EnvironmentService, 'driftCheck'> {
  /** Ends an expired environment through the normal delete request, requested by `plinth-ttl`. */
  expire(name: string): Promise<RequestAccepted>;
}

const busy: readonly string[] = [
  EnvironmentStatus.Provisioning,
  EnvironmentStatus.Destroying,
  EnvironmentStatus.Destroyed,
];

function stringInput(env: EnvironmentRecord, key: string): string {
  const value = env.inputs[key];
  return typeof value === 'string' ? value : '';
}

export function createEnvironmentService(deps: EnvironmentServiceDeps): EnvironmentServiceInternal {
  const { store, dispatcher, logger, clock } = deps;
  const policy = deps.policy ?? DEFAULT_TIER_POLICY;

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

  async function busyConflict(env: EnvironmentRecord, what: string): Promise<ConflictError> {
    return new ConflictError(
      `environment "${env.name}" cannot be ${what} now: ${await currentActivity(env)}`,
      { details: { name: env.name, status: env.status, lastRequestId: env.lastRequestId } },
    );
  }

  async function mustGet(name: string): Promise<EnvironmentRecord> {
    const env = await store.environments.get(name);
    if (!env)
      throw new NotFoundError(`environment "${name}" does not exist`, { details: { name } });
    return env;
  }

  function authorizeWrite(actor: Principal, env: EnvironmentRecord): void {
    authorize(actor, Permission.EnvironmentsWrite, {
      kind: 'environment',
      name: env.name,
      team: env.team,
      tier: tierOf(env),
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
    deps.notifier?.notify({
      event: NotificationEvent.RequestAccepted,
      summary: `Request accepted: ${request.action} environment ${request.target} (requested by ${request.requester})`,
      environment: request.target,
      requestId: request.id,
      requester: request.requester,
      action: request.action,
    });
  }

  function newRequest(
    id: string,
    action: string,
    target: string,
    requester: string,
    body: Record<string, unknown>,
    now: string,
  ): RequestRecord {
    return {
      id,
      kind: ENVIRONMENT_KIND,
      action,
      target,
      status: RequestStatus.Pending,
      requester,
      body,
      message: null,
      createdAt: now,
      updatedAt: now,
    };
  }

  /** The event body the catalog's Sensor maps into the environment Workflow. */
  function eventBody(
    action: string,
    env: { name: string; region: string; team: string | null; tier: string },
    id: string,
    requester: string,
    approvalTier = env.tier,
    approvalAction = action,
  ): Record<string, unknown> {
    return {
      action,
      name: env.name,
      region: env.region,
      team: env.team ?? '',
      request_id: id,
      requester,
      approval_required: String(approvalRequired(policy, approvalTier, approvalAction)),
    };
  }

  function expiryOf(ttl: string | undefined, from: Date): string | null {
    const ms = parseTtl(ttl);
    return ms === undefined ? null : new Date(from.getTime() + ms).toISOString();
  }

  /** Takes a Ready or Failed environment for a request that changes its infrastructure. */
  async function startChange(
    env: EnvironmentRecord,
    action: 'update' | 'reconcile',
    requester: string,
    patch: Partial<EnvironmentRecord>,
    approvalTier: string,
  ): Promise<RequestAccepted> {
    if (busy.includes(env.status)) throw await busyConflict(env, `${action}d`);
    const now = clock().toISOString();
    const id = randomUUID();
    const previous = {
      status: env.status,
      lastRequestId: env.lastRequestId,
      message: env.message,
      inputs: env.inputs,
      team: env.team,
    };
    const next = { ...env, ...patch };
    const taken = await store.environments.update(
      env.name,
      {
        ...patch,
        status: EnvironmentStatus.Provisioning,
        lastRequestId: id,
        message: null,
        updatedAt: now,
      },
      [env.status],
    );
    if (!taken)
      throw await busyConflict((await store.environments.get(env.name)) ?? env, `${action}d`);
    const target = {
      name: env.name,
      region: stringInput(next, 'region'),
      team: next.team,
      tier: tierOf(next),
    };
    const request = newRequest(
      id,
      action,
      env.name,
      requester,
      { name: env.name, ...patch.inputs },
      now,
    );
    await store.requests.insert(request);
    await dispatchOrFail(
      request,
      eventBody(action, target, id, requester, approvalTier),
      async () => {
        await store.environments.update(
          env.name,
          { ...previous, updatedAt: clock().toISOString() },
          [EnvironmentStatus.Provisioning],
        );
      },
    );
    return acceptedOf(request);
  }

  async function remove(env: EnvironmentRecord, requester: string): Promise<RequestAccepted> {
    const name = env.name;
    if (busy.includes(env.status)) throw await busyConflict(env, 'deleted');
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
    const request = newRequest(id, 'delete', name, requester, { name }, now);
    await store.requests.insert(request);
    await dispatchOrFail(
      request,
      eventBody(
        EnvironmentAction.Delete,
        { name, region: stringInput(env, 'region'), team: env.team, tier: tierOf(env) },
        id,
        requester,
        tierOf(env),
        requester === TTL_REQUESTER ? EnvironmentAction.Expire : EnvironmentAction.Delete,
      ),
      async () => {
        // Nothing was destroyed: the environment is as it was before.
        await store.environments.update(name, { ...previous, updatedAt: clock().toISOString() }, [
          EnvironmentStatus.Destroying,
        ]);
      },
    );
    return acceptedOf(request);
  }

  return {
    async create(input, actor: Principal): Promise<RequestAccepted> {
      const valid = validateCreateEnvironment(input);
      const { name, region, team: givenTeam, tier } = valid;
      const team = givenTeam ?? actor.team;
      authorize(actor, Permission.EnvironmentsWrite, {
        kind: 'environment',
        name,
        team: team ?? null,
        tier,
      });
      const when = clock();
      const now = when.toISOString();
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
        expiresAt: expiryOf(valid.ttl, when),
        expiryWarnedAt: null,
        protected: valid.protected ?? false,
        drift: null,
      };
      try {
        await store.environments.insert(record);
      } catch (err) {
        if (!isPlinthError(err, 'CONFLICT')) throw err;
        const { name: _n, createdAt: _c, ...patch } = record;
        if (!(await retakeUndispatched(name, patch))) throw await conflict(name);
      }
      const request = newRequest(
        id,
        'create',
        name,
        actor.name,
        {
          name,
          region,
          tier,
          ...(team ? { team } : {}),
          ...(valid.ttl === undefined ? {} : { ttl: valid.ttl }),
          ...(valid.protected === undefined ? {} : { protected: valid.protected }),
        },
        now,
      );
      await store.requests.insert(request);
      await dispatchOrFail(
        request,
        eventBody('create', { name, region, team: team ?? null, tier }, id, actor.name),
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
      const env = await mustGet(name);
      authorizeWrite(actor, env);
      return remove(env, actor.name);
    },

    async expire(name) {
      const env = await mustGet(name);
      return remove(env, TTL_REQUESTER);
    },

    async update(name, input, actor) {
      const change = validateUpdateEnvironment(input);
      const env = await mustGet(name);
      authorizeWrite(actor, env);
      const newTeam = change.team ?? env.team;
      const newTier = change.tier ?? tierOf(env);
      if (newTeam !== env.team || newTier !== tierOf(env)) {
        authorize(actor, Permission.EnvironmentsWrite, {
          kind: 'environment',
          name,
          team: newTeam,
          tier: newTier,
        });
      }
      const isProtected = change.protected ?? env.protected ?? false;
      const expires = tierRule(policy, newTier).expires && !isProtected;
      if (change.ttl !== undefined && !expires) {
        throw invalid([
          {
            field: 'ttl',
            message: isProtected
              ? 'cannot be given to a protected environment'
              : `cannot be given to a ${newTier} environment (it never expires)`,
            fix: 'remove "ttl", or set "protected": false on a development or staging environment',
          },
        ]);
      }
      const expiresAt = !expires
        ? null
        : change.ttl !== undefined
          ? expiryOf(change.ttl, clock())
          : (env.expiresAt ?? null);
      const meta: Partial<EnvironmentRecord> = {
        protected: isProtected,
        expiresAt,
        ...(expiresAt !== env.expiresAt ? { expiryWarnedAt: null } : {}),
      };
      const region = change.region ?? stringInput(env, 'region');
      const infraChanged = region !== stringInput(env, 'region') || newTeam !== env.team;
      const tierChanged = newTier !== tierOf(env);
      if (!infraChanged) {
        if (busy.includes(env.status) && tierChanged) throw await busyConflict(env, 'updated');
        await store.environments.update(name, {
          ...meta,
          ...(tierChanged ? { inputs: { ...env.inputs, tier: newTier } } : {}),
          updatedAt: clock().toISOString(),
        });
        return { environment: environmentViewOf(await mustGet(name)) };
      }
      // The stricter of the two tiers decides whether the change waits for approval.
      const strictest = [tierOf(env), newTier].find((t) => approvalRequired(policy, t, 'update'));
      const accepted = await startChange(
        env,
        'update',
        actor.name,
        { ...meta, team: newTeam, inputs: { ...env.inputs, region, tier: newTier } },
        strictest ?? newTier,
      );
      return { request: accepted };
    },

    async reconcile(name, actor) {
      const env = await mustGet(name);
      authorizeWrite(actor, env);
      return startChange(env, 'reconcile', actor.name, {}, tierOf(env));
    },

    async extend(name, input, actor) {
      const env = await mustGet(name);
      authorizeWrite(actor, env);
      const body = (input ?? {}) as Record<string, unknown>;
      const ms = parseTtl(body['ttl']);
      if (ms === undefined) {
        throw invalid([{ field: 'ttl', message: 'is not a lifetime', fix: TTL_FIX }]);
      }
      if (env.protected || !tierRule(policy, tierOf(env)).expires) {
        throw new ConflictError(
          `environment "${name}" never expires (${env.protected ? 'it is protected' : `${tierOf(env)} environments do not expire`}); there is nothing to extend`,
          { details: { name, tier: tierOf(env), protected: env.protected ?? false } },
        );
      }
      if (
        env.status === EnvironmentStatus.Destroying ||
        env.status === EnvironmentStatus.Destroyed
      ) {
        throw await busyConflict(env, 'extended');
      }
      const now = clock();
      const from = env.expiresAt && new Date(env.expiresAt) > now ? new Date(env.expiresAt) : now;
      const expiresAt = new Date(from.getTime() + ms).toISOString();
      await store.environments.update(name, {
        expiresAt,
        expiryWarnedAt: null,
        updatedAt: now.toISOString(),
      });
      return environmentViewOf(await mustGet(name));
    },

    async get(name) {
      return environmentViewOf(await mustGet(name));
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
