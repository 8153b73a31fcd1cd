import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { RequestKind } from '../catalog/index.js';
import { InputError, NotFoundError, type FieldProblem } from '../errors/index.js';

// ajv-formats is CommonJS: under NodeNext its function is the default export's `default`.
type FormatsPlugin = (ajv: Ajv) => Ajv;
const addFormats: FormatsPlugin =
  (addFormatsModule as unknown as { default?: FormatsPlugin }).default ??
  (addFormatsModule as unknown as FormatsPlugin);

/**
 * The kinds whose requests Plinth layers domain behaviour on (tiers, TTL and
 * drift; versions and rollback), each with the API path its requests are made
 * at. Every other kind of the catalog is a resource under `/infrastructure`.
 */
export const DomainKind = {
  Environment: 'environment',
  Application: 'application',
  Configuration: 'configuration',
} as const;
export type DomainKind = (typeof DomainKind)[keyof typeof DomainKind];

const domainPaths: Record<DomainKind, string> = {
  environment: '/api/v1/environments',
  application: '/api/v1/applications',
  configuration: '/api/v1/environments/{environment}/applications/{name}/configuration',
};

export function isDomainKind(name: string): name is DomainKind {
  return Object.hasOwn(domainPaths, name);
}

/** Where a resource of a catalog kind (not a domain kind) is read. */
export function resourcePath(kind: string, name?: string): string {
  const base = `/api/v1/infrastructure/${encodeURIComponent(kind)}`;
  return name === undefined ? base : `${base}/${encodeURIComponent(name)}`;
}

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

/** The catalog's request kinds, read when the platform was built, and their validators. */
export interface CatalogService {
  /** Every kind, in name order; synchronous so the API can register routes per kind. */
  kinds(): RequestKind[];
  /** The kinds served as resources under `/api/v1/infrastructure/{kind}`. */
  resourceKinds(): RequestKind[];
  list(): KindSummary[];
  /** Throws NotFoundError naming the kinds there are. */
  get(kind: string): KindView;
  /** The kind's entry; throws NotFoundError naming the kinds there are. */
  kind(name: string): RequestKind;
  /**
   * Checks an input against the kind's schema and answers a copy with the
   * schema's defaults filled in; throws InputError naming each field and its fix.
   */
  validate(kind: string, input: unknown): Record<string, unknown>;
  /** Like `validate`, for a change: any subset of the fields but `immutable`, at least one. */
  validateChange(
    kind: string,
    input: unknown,
    immutable: readonly string[],
  ): Record<string, unknown>;
}

/**
 * The schema of a change to a resource of `schema`: the same fields, none
 * required, none of `immutable`, and no defaults (a field left out keeps its value).
 */
export function changeSchemaOf(
  schema: Record<string, unknown>,
  immutable: readonly string[],
): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(schema['properties'] as Record<string, unknown>)) {
    if (immutable.includes(name)) continue;
    const { default: _default, ...rest } = field as Record<string, unknown>;
    properties[name] = rest;
  }
  const { required: _required, ...base } = schema;
  return { ...base, additionalProperties: false, minProperties: 1, properties };
}

function fixOf(e: ErrorObject, field: string): string {
  const description = (e.parentSchema as { description?: unknown } | undefined)?.description;
  return typeof description === 'string' && description !== ''
    ? `give ${description[0]?.toLowerCase()}${description.slice(1)}`
    : `correct "${field}"`;
}

function problemOf(e: ErrorObject): FieldProblem | undefined {
  const base = e.instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
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
    case 'minProperties':
      return {
        field: base,
        message: 'changes nothing',
        fix: `give at least one of ${Object.keys(((e.parentSchema as Record<string, unknown> | undefined)?.['properties'] ?? {}) as object).join(', ')}`,
      };
    case 'propertyNames':
      // The name's own error (below) says which key and why.
      return undefined;
    default: {
      const field = e.propertyName === undefined ? base : join(e.propertyName);
      return { field, message: e.message ?? `fails ${e.keyword}`, fix: fixOf(e, field) };
    }
  }
}

function checked(
  kind: string,
  validate: ValidateFunction,
  input: unknown,
): Record<string, unknown> {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new InputError(`a ${kind} request must be a JSON object`, {
      errors: [
        {
          field: '',
          message: 'is not an object',
          fix: `send the fields of GET /api/v1/catalog/${kind}`,
        },
      ],
    });
  }
  const body = structuredClone(input) as Record<string, unknown>;
  if (!validate(body)) {
    const seen = new Set<string>();
    const problems: FieldProblem[] = [];
    for (const e of validate.errors ?? []) {
      const p = problemOf(e);
      if (!p || seen.has(`${p.field}\0${p.message}`)) continue;
      seen.add(`${p.field}\0${p.message}`);
      problems.push(p);
    }
    const summary = problems.map((p) => `${p.field} ${p.message}`).join('; ');
    throw new InputError(`invalid ${kind} request: ${summary}`, { errors: problems });
  }
  return body;
}

export function createCatalogService(kinds: readonly RequestKind[]): CatalogService {
  const sorted = [...kinds].sort((a, b) => a.name.localeCompare(b.name));
  const byName = new Map(sorted.map((k) => [k.name, k]));
  const ajv = new Ajv({ allErrors: true, verbose: true, useDefaults: true, strict: false });
  addFormats(ajv);
  const validators = new Map<string, ValidateFunction>();
  const changeValidators = new Map<string, ValidateFunction>();

  function kindOf(name: string): RequestKind {
    const kind = byName.get(name);
    if (!kind) {
      throw new NotFoundError(
        `there is no request kind "${name}" in the catalog (there are: ${sorted.map((k) => k.name).join(', ') || 'none'})`,
        { details: { kind: name } },
      );
    }
    return kind;
  }

  function summaryOf(kind: RequestKind): KindSummary {
    const requests = isDomainKind(kind.name) ? domainPaths[kind.name] : resourcePath(kind.name);
    return {
      name: kind.name,
      title: kind.title,
      description: kind.description,
      approval: kind.approval,
      links: { self: `/api/v1/catalog/${kind.name}`, requests },
    };
  }

  return {
    kinds: () => [...sorted],
    resourceKinds: () => sorted.filter((k) => !isDomainKind(k.name)),
    list: () => sorted.map(summaryOf),
    kind: kindOf,
    get(name) {
      const kind = kindOf(name);
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
    validate(name, input) {
      const kind = kindOf(name);
      let validate = validators.get(name);
      if (!validate) {
        validate = ajv.compile(kind.schema);
        validators.set(name, validate);
      }
      return checked(name, validate, input);
    },
    validateChange(name, input, immutable) {
      const kind = kindOf(name);
      const key = `${name}\0${immutable.join(',')}`;
      let validate = changeValidators.get(key);
      if (!validate) {
        validate = ajv.compile(changeSchemaOf(kind.schema, immutable));
        changeValidators.set(key, validate);
      }
      return checked(name, validate, input);
    },
  };
}
