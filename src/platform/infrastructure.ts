import { randomBytes, randomUUID } from 'node:crypto';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { RequestKind } from '../catalog/index.js';
import {
  ConflictError,
  InputError,
  NotFoundError,
  PlinthError,
  isPlinthError,
  type FieldProblem,
} from '../errors/index.js';
import type { Logger } from '../logging/index.js';
import type { Page, RequestRecord, ResourceRecord, Store } from '../store/index.js';
import { Permission, authorize } from './authorization.js';
import { acceptedOf } from './requests.js';
import {
  EnvironmentStatus,
  RequestStatus,
  type Dispatcher,
  type Principal,
  type RequestAccepted,
} from './types.js';

// ajv-formats is CommonJS: under NodeNext its function is the default export's `default`.
type FormatsPlugin = (ajv: Ajv) => Ajv;
const addFormats: FormatsPlugin =
  (addFormatsModule as unknown as { default?: FormatsPlugin }).default ??
  (addFormatsModule as unknown as FormatsPlugin);

/** The label the kinds' Sensors put the resource's name in. */
export const RESOURCE_LABEL = 'plinth.dev/resource';

/** A request kind as `GET /api/v1/catalog` lists it. */
export interface KindSummary {
  name: string;
  title: string;
  description: string;
  approval: boolean;
  /** Where its requests are made. */
  links: { self: string; requests: string };
}

/** A request kind with its input schema and what a request runs. */
export interface KindView extends KindSummary {
  schema: Record<string, unknown>;
  runs: {
    eventSourceName: string;
    eventName: string;
    workflowTemplate: string;
    module: string | null;
  };
}

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

/** The catalog's request kinds, read when the platform was built. */
export interface CatalogService {
  /** The kinds, in name order; synchronous so the API can register a route per kind. */
  kinds(): RequestKind[];
  list(): KindSummary[];
  /** Throws NotFoundError naming the kinds there are. */
  get(kind: string): KindView;
}

/** Requests of the catalog's kinds and the resources they provision. */
export interface InfrastructureService {
  /** Validates against the kind's schema, records the request and dispatches it; 202 material. */
  create(kind: string, input: unknown, actor: Principal): Promise<RequestAccepted>;
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

export function resourcePath(kind: string, name?: string): string {
  const base = `/api/v1/infrastructure/${encodeURIComponent(kind)}`;
  return name === undefined ? base : `${base}/${encodeURIComponent(name)}`;
}

function summaryOf(kind: RequestKind): KindSummary {
  return {
    name: kind.name,
    title: kind.title,
    description: kind.description,
    approval: kind.approval,
    links: { self: `/api/v1/catalog/${kind.name}`, requests: resourcePath(kind.name) },
  };
}

export function createCatalogService(kinds: readonly RequestKind[]): CatalogService {
  const sorted = [...kinds].sort((a, b) => a.name.localeCompare(b.name));
  const byName = new Map(sorted.map((k) => [k.name, k]));
  return {
    kinds: () => [...sorted],
    list: () => sorted.map(summaryOf),
    get(name) {
      const kind = byName.get(name);
      if (!kind) {
        throw new NotFoundError(
          `there is no request kind "${name}" in the catalog (there are: ${sorted.map((k) => k.name).join(', ') || 'none'})`,
          { details: { kind: name } },
        );
      }
      return {
        ...summaryOf(kind),
        schema: kind.schema,
        runs: {
          eventSourceName: kind.eventSourceName,
          eventName: kind.eventName,
          workflowTemplate: kind.workflowTemplate,
          module: kind.module,
        },
      };
    },
  };
}

function problemOf(e: ErrorObject): FieldProblem {
  const base = e.instancePath.replace(/^\//, '').replaceAll('/', '.');
  const join = (child: string) => (base === '' ? child : `${base}.${child}`);
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required': {
      const field = join(String(params['missingProperty']));
      return { field, message: 'is required', fix: `add "${field}"` };
    }
    case 'additionalProperties': {
      const field = join(String(params['additionalProperty']));
      const allowed = Object.keys(
        ((e.parentSchema as Record<string, unknown> | undefined)?.['properties'] ?? {}) as object,
      );
      return {
        field,
        message: 'is not a known field',
        fix: `remove it; allowed fields are ${allowed.join(', ')}`,
      };
    }
    case 'enum': {
      const values = (params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v));
      return {
        field: base,
        message: 'is not one of the allowed values',
        fix: `use one of ${values.join(', ')}`,
      };
    }
    default:
      return { field: base, message: e.message ?? 'is invalid', fix: `correct "${base}"` };
  }
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

export function createInfrastructureService(deps: {
  store: Store;
  dispatcher: Dispatcher;
  catalog: CatalogService;
  logger: Logger;
  clock: () => Date;
}): InfrastructureService {
  const { store, dispatcher, catalog, logger, clock } = deps;
  const ajv = new Ajv({ allErrors: true, verbose: true, useDefaults: true, strict: false });
  addFormats(ajv);
  const validators = new Map<string, { kind: RequestKind; validate: ValidateFunction }>();
  for (const kind of catalog.kinds()) {
    validators.set(kind.name, { kind, validate: ajv.compile(kind.schema) });
  }

  function kindOf(name: string) {
    const found = validators.get(name);
    if (!found) catalog.get(name); // throws NotFoundError naming the kinds there are
    return found as { kind: RequestKind; validate: ValidateFunction };
  }

  function validate(name: string, input: unknown): Record<string, unknown> {
    const { validate: check } = kindOf(name);
    if (input === null || typeof input !== 'object' || Array.isArray(input)) {
      throw new InputError(`a ${name} request must be a JSON object`, {
        errors: [
          {
            field: '',
            message: 'is not an object',
            fix: `send the fields of GET /api/v1/catalog/${name}`,
          },
        ],
      });
    }
    const body = structuredClone(input) as Record<string, unknown>;
    if (!check(body)) {
      const problems = (check.errors ?? []).map(problemOf);
      const summary = problems.map((p) => `${p.field} ${p.message}`).join('; ');
      throw new InputError(`invalid ${name} request: ${summary}`, { errors: problems });
    }
    return body;
  }

  async function getRecord(kind: string, name: string): Promise<ResourceRecord> {
    kindOf(kind);
    const record = await store.resources.get(kind, name);
    if (!record) {
      throw new NotFoundError(`${kind} "${name}" does not exist`, { details: { kind, name } });
    }
    return record;
  }

  async function dispatchOrFail(
    kind: RequestKind,
    request: RequestRecord,
    body: Record<string, unknown>,
    onFailure: () => Promise<unknown>,
  ): Promise<void> {
    try {
      await dispatcher.dispatch(kind.eventName, body);
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

  function accepted(request: RequestRecord): RequestAccepted {
    const result = acceptedOf(request);
    return {
      ...result,
      links: { ...result.links, target: resourcePath(request.kind, request.target) },
    };
  }

  return {
    async create(kindName, input, actor) {
      const { kind } = kindOf(kindName);
      const inputs = validate(kindName, input);
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
      const request: RequestRecord = {
        id,
        kind: kind.name,
        action: 'create',
        target: name,
        status: RequestStatus.Pending,
        requester: actor.name,
        body: inputs,
        message: null,
        createdAt: now,
        updatedAt: now,
      };
      await store.requests.insert(request);
      await dispatchOrFail(
        kind,
        request,
        { ...inputs, name, action: 'create', request_id: id, requester: actor.name },
        () =>
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
      );
      return accepted(request);
    },

    async delete(kindName, name, actor) {
      const { kind } = kindOf(kindName);
      const record = await getRecord(kindName, name);
      authorize(actor, Permission.InfrastructureWrite, {
        kind: kind.name,
        name,
        team: record.team,
      });
      if (record.status !== EnvironmentStatus.Ready && record.status !== EnvironmentStatus.Failed) {
        throw new ConflictError(
          `${kind.name} "${name}" cannot be deleted now: it is ${record.status}${record.lastRequestId ? `, request ${record.lastRequestId}` : ''}`,
          {
            details: {
              kind: kind.name,
              name,
              status: record.status,
              lastRequestId: record.lastRequestId,
            },
          },
        );
      }
      const now = clock().toISOString();
      const id = randomUUID();
      const previous = {
        status: record.status,
        lastRequestId: record.lastRequestId,
        message: record.message,
      };
      const taken = await store.resources.update(
        kind.name,
        name,
        { status: EnvironmentStatus.Destroying, lastRequestId: id, message: null, updatedAt: now },
        [record.status],
      );
      if (!taken) {
        throw new ConflictError(`${kind.name} "${name}" is being changed by another request`, {
          details: { kind: kind.name, name },
        });
      }
      const request: RequestRecord = {
        id,
        kind: kind.name,
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
        kind,
        request,
        { ...record.inputs, name, action: 'delete', request_id: id, requester: actor.name },
        // Nothing was destroyed: the resource is as it was before.
        () =>
          store.resources.update(
            kind.name,
            name,
            { ...previous, updatedAt: clock().toISOString() },
            [EnvironmentStatus.Destroying],
          ),
      );
      return accepted(request);
    },

    async get(kind, name) {
      return viewOf(await getRecord(kind, name));
    },

    async list(filter = {}) {
      if (filter.kind !== undefined) kindOf(filter.kind);
      const page = await store.resources.list(filter);
      return {
        items: page.items.map(viewOf),
        ...(page.nextCursor === undefined ? {} : { nextCursor: page.nextCursor }),
      };
    },
  };
}
