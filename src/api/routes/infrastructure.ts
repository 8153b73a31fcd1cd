import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { ChangeMode, changeSchemaOf, type Platform } from '../../platform/index.js';
import { principalOf } from '../auth.js';
import {
  EnvironmentStatusSchema,
  Limit,
  Page,
  RequestAcceptedSchema,
  commonErrors,
  conflict,
  notFound,
  unavailable,
} from '../schemas.js';
import { sendAccepted } from '../accepted.js';

const Nullable = <T extends ReturnType<typeof Type.String>>(s: T) => Type.Union([s, Type.Null()]);

export const ResourceSchema = Type.Object({
  kind: Type.String(),
  name: Type.String(),
  status: EnvironmentStatusSchema,
  team: Nullable(Type.String()),
  inputs: Type.Record(Type.String(), Type.Unknown(), { description: 'The request as validated.' }),
  outputs: Type.Record(Type.String(), Type.Unknown(), {
    description: 'Terraform outputs of its last apply.',
  }),
  lastRequestId: Nullable(Type.String()),
  message: Nullable(Type.String()),
  createdBy: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

const ListQuery = Type.Object(
  {
    team: Type.Optional(Type.String()),
    status: Type.Optional(EnvironmentStatusSchema),
    limit: Type.Optional(Limit),
    cursor: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
const AllQuery = Type.Composite([ListQuery, Type.Object({ kind: Type.Optional(Type.String()) })], {
  additionalProperties: false,
});
const KindParams = Type.Object({ kind: Type.String() });
const NameParams = Type.Object({ name: Type.String() });
const KindNameParams = Type.Object({ kind: Type.String(), name: Type.String() });

const tags = ['infrastructure'];
const security = [{ bearer: [] }];
const accepted = {
  description: 'Accepted; follow it at the `Location` header (the request).',
  headers: { Location: { type: 'string', description: '/api/v1/requests/{id}' } },
  ...RequestAcceptedSchema,
};

/**
 * `/infrastructure/{kind}` for each request kind of the catalog, registered
 * from the catalog so that OpenAPI shows each kind's own input schema; an
 * unknown kind answers 404 naming the kinds there are.
 */
export function infrastructureRoutes(app: FastifyInstance, platform: Platform): void {
  app.get<{ Querystring: Static<typeof AllQuery> }>(
    '/infrastructure',
    {
      schema: {
        tags,
        security,
        summary: 'List provisioned resources of every kind, newest first',
        querystring: AllQuery,
        response: { 200: Page(ResourceSchema), ...commonErrors, 404: notFound },
      },
    },
    async (request) => platform.infrastructure.list(request.query),
  );

  for (const kind of platform.catalog.resourceKinds()) {
    const path = `/infrastructure/${kind.name}`;
    app.post(
      path,
      {
        schema: {
          tags,
          security,
          summary: `Request a new ${kind.title.toLowerCase()} (${kind.name})`,
          description: `${kind.description} Runs WorkflowTemplate \`${kind.workflowTemplate}\`${kind.module ? ` over the Terraform module \`${kind.module}\`` : ''}${kind.approval ? ', after an approval' : ''}; the resource is \`Provisioning\` until its run ends.`,
          body: kind.schema,
          response: { 202: accepted, ...commonErrors, 409: conflict, 503: unavailable },
        },
      },
      async (request, reply) => {
        const result = await platform.infrastructure.create(
          kind.name,
          request.body,
          principalOf(request),
        );
        request.auditNote = { target: `infrastructure/${kind.name}/${result.target}` };
        return sendAccepted(reply, result);
      },
    );

    app.get<{ Querystring: Static<typeof ListQuery> }>(
      path,
      {
        schema: {
          tags,
          security,
          summary: `List ${kind.name} resources, newest first`,
          querystring: ListQuery,
          response: { 200: Page(ResourceSchema), ...commonErrors },
        },
      },
      async (request) => platform.infrastructure.list({ ...request.query, kind: kind.name }),
    );

    app.get<{ Params: Static<typeof NameParams> }>(
      `${path}/:name`,
      {
        schema: {
          tags,
          security,
          summary: `Get a ${kind.name} resource: its status and outputs`,
          params: NameParams,
          response: { 200: ResourceSchema, ...commonErrors, 404: notFound },
        },
      },
      async (request) => platform.infrastructure.get(kind.name, request.params.name),
    );

    for (const [method, mode, body, summary] of [
      ['PUT', ChangeMode.Replace, kind.schema, 'with all of its inputs'],
      [
        'PATCH',
        ChangeMode.Merge,
        changeSchemaOf(kind.schema, ['name']),
        'with the inputs to change',
      ],
    ] as const) {
      app.route<{ Params: Static<typeof NameParams> }>({
        method,
        url: `${path}/:name`,
        schema: {
          tags,
          security,
          summary: `Change a ${kind.name} resource ${summary}`,
          description:
            'Its run plans the change, waits for an approval that shows the plan (when the kind asks for one) and applies it; the resource is `Provisioning` until the run ends. The request holds the proposed inputs; the resource takes them when the apply succeeds, and keeps its inputs, outputs and former status when the change is rejected or fails.',
          params: NameParams,
          body,
          response: {
            202: accepted,
            ...commonErrors,
            404: notFound,
            409: conflict,
            503: unavailable,
          },
        },
        handler: async (request, reply) => {
          const result = await platform.infrastructure.update(
            kind.name,
            request.params.name,
            request.body,
            mode,
            principalOf(request),
          );
          return sendAccepted(reply, result);
        },
      });
    }

    app.delete<{ Params: Static<typeof NameParams> }>(
      `${path}/:name`,
      {
        schema: {
          tags,
          security,
          summary: `Request the destruction of a ${kind.name} resource`,
          description: 'Its run destroys what was created; the resource ends `Destroyed`.',
          params: NameParams,
          response: {
            202: accepted,
            ...commonErrors,
            404: notFound,
            409: conflict,
            503: unavailable,
          },
        },
      },
      async (request, reply) => {
        const result = await platform.infrastructure.delete(
          kind.name,
          request.params.name,
          principalOf(request),
        );
        return sendAccepted(reply, result);
      },
    );
  }

  // Any other kind: the platform answers 404 naming the kinds of the catalog.
  const unknown = { schema: { hide: true, params: KindParams } };
  app.post<{ Params: Static<typeof KindParams> }>(
    '/infrastructure/:kind',
    unknown,
    async (request) =>
      platform.infrastructure.create(request.params.kind, request.body, principalOf(request)),
  );
  app.get<{ Params: Static<typeof KindParams> }>(
    '/infrastructure/:kind',
    unknown,
    async (request) => platform.infrastructure.list({ kind: request.params.kind }),
  );
  app.get<{ Params: Static<typeof KindNameParams> }>(
    '/infrastructure/:kind/:name',
    { schema: { hide: true, params: KindNameParams } },
    async (request) => platform.infrastructure.get(request.params.kind, request.params.name),
  );
}
