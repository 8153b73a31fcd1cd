import { randomBytes, randomUUID } from 'node:crypto';
import { ConflictError, NotFoundError } from '../errors/index.js';
import type { Page, ResourceRecord, Store } from '../store/index.js';
import { Permission, authorize } from './authorization.js';
import type { KindRequests } from './kind-requests.js';
import { resourcePath, type CatalogService } from './kinds.js';
import { EnvironmentStatus, type Principal, type RequestAccepted } from './types.js';

/** The label the kinds' Sensors put the resource's name in. */
export const RESOURCE_LABEL = 'plinth.dev/resource';

/** The fields of every resource that a change never takes: the platform names it. */
const IMMUTABLE = ['name'] as const;

/** A provisioned resource, as the API shows it. */
export interface ResourceView {
  kind: string;
  name: string;
  /** `Provisioning`, `Ready`, `Failed`, `Destroying`, `Destroyed`. */
  status: string;
  team: string | null;
  inputs: Record<string, unknown>;
  /** Terraform outputs of its last apply. */
  outputs: Record<string, unknown>;
  lastRequestId: string | null;
  message: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

/** How a change gives the new inputs: all of them (PUT) or the fields to change (PATCH). */
export const ChangeMode = { Replace: 'replace', Merge: 'merge' } as const;
export type ChangeMode = (typeof ChangeMode)[keyof typeof ChangeMode];

/** Requests of the catalog's resource kinds and the resources they provision. */
export interface InfrastructureService {
  /** Validates against the kind's schema, records the request and dispatches it; 202 material. */
  create(kind: string, input: unknown, actor: Principal): Promise<RequestAccepted>;
  /**
   * New inputs for a Ready or Failed resource: its run plans, waits for approval (showing the plan),
   * applies. The request holds the proposed inputs; the resource takes them only when the apply
   * succeeds, and keeps its own (and its status) when the change is rejected or fails.
   */
  update(
    kind: string,
    name: string,
    input: unknown,
    mode: ChangeMode,
    actor: Principal,
  ): Promise<RequestAccepted>;
  delete(kind: string, name: string, actor: Principal): Promise<RequestAccepted>;
  get(kind: string, name: string): Promise<ResourceView>;
  list(filter?: {
    kind?: string;
    team?: string;
    status?: string;
    limit?: number;
    cursor?: string;
  }): Promise<Page<ResourceView>>;
}

/** A resource name: the kind, then a short random suffix (a DNS label, and a Terraform workspace). */
function newName(kind: string): string {
  return `${kind}-${randomBytes(4).toString('hex')}`;
}

function viewOf(r: ResourceRecord): ResourceView {
  return {
    kind: r.kind,
    name: r.name,
    status: r.status,
    team: r.team,
    inputs: r.inputs,
    outputs: r.outputs,
    lastRequestId: r.lastRequestId,
    message: r.message,
    createdBy: r.createdBy,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

const changeable: readonly string[] = [EnvironmentStatus.Ready, EnvironmentStatus.Failed];

export function createInfrastructureService(deps: {
  store: Store;
  catalog: CatalogService;
  requests: KindRequests;
  clock: () => Date;
}): InfrastructureService {
  const { store, catalog, requests, clock } = deps;

  /** The kind, when it is one served under /infrastructure; 404 otherwise. */
  function resourceKind(name: string) {
    const kind = catalog.resourceKinds().find((k) => k.name === name);
    if (!kind) {
      throw new NotFoundError(
        `there is no infrastructure kind "${name}" in the catalog (there are: ${
          catalog
            .resourceKinds()
            .map((k) => k.name)
            .join(', ') || 'none'
        })`,
        { details: { kind: name } },
      );
    }
    return kind;
  }

  async function getRecord(kind: string, name: string): Promise<ResourceRecord> {
    resourceKind(kind);
    const record = await store.resources.get(kind, name);
    if (!record) {
      throw new NotFoundError(`${kind} "${name}" does not exist`, { details: { kind, name } });
    }
    return record;
  }

  /** Takes a Ready or Failed resource for a request, by compare-and-set on its status. */
  async function take(
    record: ResourceRecord,
    what: string,
    patch: Partial<ResourceRecord>,
  ): Promise<() => Promise<unknown>> {
    const conflict = () =>
      new ConflictError(
        `${record.kind} "${record.name}" cannot be ${what} now: it is ${record.status}${record.lastRequestId ? `, request ${record.lastRequestId}` : ''}`,
        {
          details: {
            kind: record.kind,
            name: record.name,
            status: record.status,
            lastRequestId: record.lastRequestId,
          },
        },
      );
    if (!changeable.includes(record.status)) throw conflict();
    const taken = await store.resources.update(record.kind, record.name, patch, [record.status]);
    if (!taken) throw conflict();
    const previous = {
      status: record.status,
      lastRequestId: record.lastRequestId,
      message: record.message,
      inputs: record.inputs,
    };
    // Nothing was run: the resource is as it was before.
    return () =>
      store.resources.update(
        record.kind,
        record.name,
        { ...previous, updatedAt: clock().toISOString() },
        [patch.status ?? record.status],
      );
  }

  return {
    async create(kindName, input, actor) {
      const kind = resourceKind(kindName);
      const inputs = catalog.validate(kind.name, input);
      const team = actor.team;
      const name = newName(kind.name);
      authorize(actor, Permission.InfrastructureWrite, { kind: kind.name, name, team });
      const now = clock().toISOString();
      const id = randomUUID();
      await store.resources.insert({
        kind: kind.name,
        name,
        team,
        status: EnvironmentStatus.Provisioning,
        inputs,
        outputs: {},
        lastRequestId: id,
        message: null,
        createdBy: actor.name,
        createdAt: now,
        updatedAt: now,
      });
      return requests.submit({
        id,
        kind: kind.name,
        action: 'create',
        target: name,
        requester: actor.name,
        record: inputs,
        event: { ...inputs, name, action: 'create' },
        targetLink: resourcePath(kind.name, name),
        now,
        undo: () =>
          store.resources.update(
            kind.name,
            name,
            {
              status: EnvironmentStatus.Failed,
              message: 'the request could not be dispatched',
              updatedAt: clock().toISOString(),
            },
            [EnvironmentStatus.Provisioning],
          ),
      });
    },

    async update(kindName, name, input, mode, actor) {
      const kind = resourceKind(kindName);
      const record = await getRecord(kindName, name);
      authorize(actor, Permission.InfrastructureWrite, {
        kind: kind.name,
        name,
        team: record.team,
      });
      const inputs =
        mode === ChangeMode.Replace
          ? catalog.validate(kind.name, input)
          : catalog.validate(kind.name, {
              ...record.inputs,
              ...catalog.validateChange(kind.name, input, IMMUTABLE),
            });
      const now = clock().toISOString();
      const id = randomUUID();
      const undo = await take(record, 'updated', {
        status: EnvironmentStatus.Provisioning,
        lastRequestId: id,
        message: null,
        updatedAt: now,
      });
      return requests.submit({
        id,
        kind: kind.name,
        action: 'update',
        target: name,
        requester: actor.name,
        record: inputs,
        event: { ...inputs, name, action: 'update' },
        targetLink: resourcePath(kind.name, name),
        now,
        undo,
        priorStatus: record.status,
      });
    },

    async delete(kindName, name, actor) {
      const kind = resourceKind(kindName);
      const record = await getRecord(kindName, name);
      authorize(actor, Permission.InfrastructureWrite, {
        kind: kind.name,
        name,
        team: record.team,
      });
      const now = clock().toISOString();
      const id = randomUUID();
      const undo = await take(record, 'deleted', {
        status: EnvironmentStatus.Destroying,
        lastRequestId: id,
        message: null,
        updatedAt: now,
      });
      return requests.submit({
        id,
        kind: kind.name,
        action: 'delete',
        target: name,
        requester: actor.name,
        record: { name },
        event: { ...record.inputs, name, action: 'delete' },
        targetLink: resourcePath(kind.name, name),
        now,
        undo,
        priorStatus: record.status,
      });
    },

    async get(kind, name) {
      return viewOf(await getRecord(kind, name));
    },

    async list(filter = {}) {
      if (filter.kind !== undefined) resourceKind(filter.kind);
      const page = await store.resources.list(filter);
      return {
        items: page.items.map(viewOf),
        ...(page.nextCursor === undefined ? {} : { nextCursor: page.nextCursor }),
      };
    },
  };
}
