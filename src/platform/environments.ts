import { randomUUID } from 'node:crypto';
import {
  ConflictError,
  InputError,
  NotFoundError,
  isPlinthError,
  type FieldProblem,
} from '../errors/index.js';
import type { EnvironmentRecord, Store } from '../store/index.js';
import { Permission, authorize } from './authorization.js';
import type { KindRequests } from './kind-requests.js';
import { DomainKind, type CatalogService } from './kinds.js';
import {
  DEFAULT_TIER_POLICY,
  EnvironmentAction,
  approvalRequired,
  tierRule,
  type TierPolicy,
} from '../catalog/index.js';
import { DNS_LABEL_PATTERN } from './names.js';
import { parseLifetime } from './tokens.js';
import {
  EnvironmentStatus,
  type CreateEnvironmentInput,
  type EnvironmentService,
  type EnvironmentView,
  type Principal,
  type RequestAccepted,
  type UpdateEnvironmentInput,
} from './types.js';

export const ENVIRONMENT_KIND = DomainKind.Environment;

/** A DNS label (RFC 1123), so the name can become a namespace, hostname or resource name. */
export const ENVIRONMENT_NAME_PATTERN = DNS_LABEL_PATTERN;
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

/** The fields of an environment that a change never takes. */
const IMMUTABLE = ['name'] as const;

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

/** The checks the kind's schema cannot make: the TTL's length, and who may expire. */
function lifetimeProblems(body: Record<string, unknown>): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (body['ttl'] !== undefined && parseTtl(body['ttl']) === undefined) {
    problems.push({ field: 'ttl', message: 'is not a lifetime', fix: TTL_FIX });
  }
  return problems;
}

/**
 * Checks a create body against the catalog's `environment` kind, then the
 * rules of tiers and TTL; throws InputError naming every bad field and its fix.
 */
export function validateCreateEnvironment(
  catalog: CatalogService,
  input: unknown,
): CreateEnvironmentInput {
  const body = catalog.validate(ENVIRONMENT_KIND, input);
  const problems = lifetimeProblems(body);
  const tier = body['tier'] as EnvironmentTier | undefined;
  const isProtected = body['protected'] as boolean | undefined;
  if (body['ttl'] !== undefined && (isProtected || tier === EnvironmentTier.Production)) {
    problems.push({
      field: 'ttl',
      message: isProtected
        ? 'cannot be given to a protected environment'
        : 'cannot be given to a production environment (production never expires)',
      fix: 'remove "ttl", or create an unprotected development or staging environment',
    });
  }
  if (problems.length > 0) throw invalid(problems);
  return {
    name: body['name'] as string,
    region: body['region'] as string,
    ...(body['team'] === undefined ? {} : { team: body['team'] as string }),
    tier: tier ?? EnvironmentTier.Development,
    ...(body['ttl'] === undefined ? {} : { ttl: body['ttl'] as string }),
    ...(isProtected === undefined ? {} : { protected: isProtected }),
  };
}

/** Checks a PATCH body: any of the kind's fields but `name`; throws InputError naming every bad field. */
export function validateUpdateEnvironment(
  catalog: CatalogService,
  input: unknown,
): UpdateEnvironmentInput {
  const body = catalog.validateChange(ENVIRONMENT_KIND, input, IMMUTABLE);
  const problems = lifetimeProblems(body);
  if (problems.length > 0) throw invalid(problems);
  return body as UpdateEnvironmentInput;
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
  catalog: CatalogService;
  requests: KindRequests;
  clock: () => Date;
  /** The tier policy (catalog/policies/tiers.json); the default policy when absent. */
  policy?: TierPolicy;
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
  const { store, catalog, requests, clock } = deps;
  const policy = deps.policy ?? DEFAULT_TIER_POLICY;

  /** Names the run acting on an environment, for a 409 the caller can follow. */
  /** The run of the environment's last request, when one has started. */
  async function currentRun(env: EnvironmentRecord): Promise<string | undefined> {
    if (!env.lastRequestId) return undefined;
    const runs = await store.workflows.list({ requestId: env.lastRequestId, limit: 1 });
    return runs.items[0]?.name;
  }

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
      {
        details: {
          name: env.name,
          status: env.status,
          lastRequestId: env.lastRequestId,
          run: (await currentRun(env)) ?? null,
        },
      },
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

  /** Records the request and posts it to the environment kind's event. */
  function submit(
    id: string,
    action: string,
    name: string,
    requester: string,
    record: Record<string, unknown>,
    event: Record<string, unknown>,
    now: string,
    undo: () => Promise<unknown>,
    priorStatus?: string,
  ): Promise<RequestAccepted> {
    return requests.submit({
      id,
      kind: ENVIRONMENT_KIND,
      action,
      target: name,
      requester,
      record,
      event,
      targetLink: `/api/v1/environments/${encodeURIComponent(name)}`,
      now,
      undo,
      environment: name,
      ...(priorStatus === undefined ? {} : { priorStatus }),
    });
  }

  /** The event body the catalog's Sensor maps into the environment Workflow. */
  function eventBody(
    action: string,
    env: { name: string; region: string; team: string | null; tier: string },
    approvalTier = env.tier,
    approvalAction = action,
  ): Record<string, unknown> {
    return {
      action,
      name: env.name,
      region: env.region,
      team: env.team ?? '',
      approval_required: String(approvalRequired(policy, approvalTier, approvalAction)),
    };
  }

  function expiryOf(ttl: string | undefined, from: Date): string | null {
    const ms = parseTtl(ttl);
    return ms === undefined ? null : new Date(from.getTime() + ms).toISOString();
  }

  /**
   * Takes a Ready or Failed environment for a request that changes its
   * infrastructure. `meta` (expiry, protection) applies at once; the proposed
   * team and inputs stay on the request until its apply succeeds (the status
   * follower then writes them), so a rejected or failed change leaves the
   * environment with the inputs of its last apply.
   */
  async function startChange(
    env: EnvironmentRecord,
    action: 'update' | 'reconcile',
    requester: string,
    meta: Partial<EnvironmentRecord>,
    proposed: Pick<EnvironmentRecord, 'team' | 'inputs'> | undefined,
    approvalTier: string,
  ): Promise<RequestAccepted> {
    if (busy.includes(env.status)) throw await busyConflict(env, `${action}d`);
    const now = clock().toISOString();
    const id = randomUUID();
    const previous = {
      status: env.status,
      lastRequestId: env.lastRequestId,
      message: env.message,
    };
    const next = { ...env, ...proposed };
    const taken = await store.environments.update(
      env.name,
      {
        ...meta,
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
    return submit(
      id,
      action,
      env.name,
      requester,
      proposed ? { name: env.name, ...proposed.inputs, team: proposed.team } : { name: env.name },
      eventBody(action, target, approvalTier),
      now,
      () =>
        store.environments.update(env.name, { ...previous, updatedAt: clock().toISOString() }, [
          EnvironmentStatus.Provisioning,
        ]),
      env.status,
    );
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
    return submit(
      id,
      'delete',
      name,
      requester,
      { name },
      eventBody(
        EnvironmentAction.Delete,
        { name, region: stringInput(env, 'region'), team: env.team, tier: tierOf(env) },
        tierOf(env),
        requester === TTL_REQUESTER ? EnvironmentAction.Expire : EnvironmentAction.Delete,
      ),
      now,
      // Nothing was destroyed: the environment is as it was before.
      () =>
        store.environments.update(name, { ...previous, updatedAt: clock().toISOString() }, [
          EnvironmentStatus.Destroying,
        ]),
      env.status,
    );
  }

  return {
    async create(input, actor: Principal): Promise<RequestAccepted> {
      const valid = validateCreateEnvironment(catalog, input);
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
      return submit(
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
        eventBody('create', { name, region, team: team ?? null, tier }),
        now,
        () =>
          store.environments.update(
            name,
            {
              status: EnvironmentStatus.Failed,
              message: 'the request could not be dispatched',
              updatedAt: clock().toISOString(),
            },
            [EnvironmentStatus.Provisioning],
          ),
      );
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
      const change = validateUpdateEnvironment(catalog, input);
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
        meta,
        { team: newTeam, inputs: { ...env.inputs, region, tier: newTier } },
        strictest ?? newTier,
      );
      return { request: accepted };
    },

    async reconcile(name, actor) {
      const env = await mustGet(name);
      authorizeWrite(actor, env);
      return startChange(env, 'reconcile', actor.name, {}, undefined, tierOf(env));
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
