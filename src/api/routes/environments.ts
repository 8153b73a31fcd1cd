import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { DomainKind, changeSchemaOf, type Platform } from '../../platform/index.js';
import { principalOf } from '../auth.js';
import {
  EnvironmentSchema,
  ExtendEnvironmentBody,
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

const NameParams = Type.Object({ name: Type.String() });
const ListQuery = Type.Object(
  {
    team: Type.Optional(Type.String()),
    status: Type.Optional(EnvironmentStatusSchema),
    limit: Type.Optional(Limit),
    cursor: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

const tags = ['environments'];
const security = [{ bearer: [] }];
const accepted = {
  description: 'Accepted; follow it at the `Location` header (the request).',
  headers: { Location: { type: 'string', description: '/api/v1/requests/{id}' } },
  ...RequestAcceptedSchema,
};

/** The fields of an environment a change never takes. */
const IMMUTABLE = ['name'];

export function environmentRoutes(app: FastifyInstance, platform: Platform): void {
  // The catalog's environment kind is the body's schema, so OpenAPI shows what the platform checks.
  const kind = platform.catalog.kind(DomainKind.Environment);
  app.post<{ Body: Record<string, unknown> }>(
    '/environments',
    {
      schema: {
        tags,
        security,
        summary: 'Request a new environment',
        description:
          'Records the request and hands it to the event source; the environment is `Provisioning` until its run ends.',
        body: kind.schema,
        response: { 202: accepted, ...commonErrors, 409: conflict, 503: unavailable },
      },
    },
    async (request, reply) => {
      const result = await platform.environments.create(request.body, principalOf(request));
      return sendAccepted(reply, result);
    },
  );

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/environments',
    {
      schema: {
        tags,
        security,
        summary: 'List environments, newest first',
        querystring: ListQuery,
        response: { 200: Page(EnvironmentSchema), ...commonErrors },
      },
    },
    async (request) => platform.environments.list(request.query),
  );

  app.get<{ Params: Static<typeof NameParams> }>(
    '/environments/:name',
    {
      schema: {
        tags,
        security,
        summary: 'Get an environment',
        params: NameParams,
        response: { 200: EnvironmentSchema, ...commonErrors, 404: notFound },
      },
    },
    async (request) => platform.environments.get(request.params.name),
  );

  app.delete<{ Params: Static<typeof NameParams> }>(
    '/environments/:name',
    {
      schema: {
        tags,
        security,
        summary: 'Request the deletion of an environment',
        description: 'Its run destroys what was created; the environment ends `Destroyed`.',
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
      const result = await platform.environments.delete(request.params.name, principalOf(request));
      return sendAccepted(reply, result);
    },
  );

  app.patch<{ Params: Static<typeof NameParams>; Body: Record<string, unknown> }>(
    '/environments/:name',
    {
      schema: {
        tags,
        security,
        summary: 'Change an environment',
        description:
          'A new `region` or `team` runs plan, approval (per its tier) and apply: `202` with the request, whose run shows the plan at its approval. The request holds the proposed inputs; the environment takes them when the apply succeeds, and keeps its inputs, outputs and former status when the change is rejected or fails. Only `tier`, `ttl` or `protected`: applied at once, `200` with the environment.',
        params: NameParams,
        body: changeSchemaOf(kind.schema, IMMUTABLE),
        response: {
          200: EnvironmentSchema,
          202: accepted,
          ...commonErrors,
          404: notFound,
          409: conflict,
          503: unavailable,
        },
      },
    },
    async (request, reply) => {
      const result = await platform.environments.update(
        request.params.name,
        request.body,
        principalOf(request),
      );
      if (result.request) {
        return sendAccepted(reply, result.request);
      }
      return reply.code(200).send(result.environment);
    },
  );

  app.post<{ Params: Static<typeof NameParams>; Body: Static<typeof ExtendEnvironmentBody> }>(
    '/environments/:name/extend',
    {
      schema: {
        tags,
        security,
        summary: "Push an environment's expiry back",
        description:
          'Adds `ttl` to its current expiry (or to now when it has none or it has passed). Production and protected environments never expire: 409.',
        params: NameParams,
        body: ExtendEnvironmentBody,
        response: { 200: EnvironmentSchema, ...commonErrors, 404: notFound, 409: conflict },
      },
    },
    async (request) =>
      platform.environments.extend(request.params.name, request.body, principalOf(request)),
  );

  app.post<{ Params: Static<typeof NameParams> }>(
    '/environments/:name/drift-check',
    {
      schema: {
        tags,
        security,
        summary: 'Check an environment for drift',
        description:
          'Runs `terraform plan -detailed-exitcode` with the inputs of its last apply (a run of `environment-drift`); when it ends, the environment shows `drifted` and `drift: {checkedAt, changes}`.',
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
      const result = await platform.environments.driftCheck(
        request.params.name,
        principalOf(request),
      );
      return sendAccepted(reply, result);
    },
  );

  app.post<{ Params: Static<typeof NameParams> }>(
    '/environments/:name/reconcile',
    {
      schema: {
        tags,
        security,
        summary: 'Bring a drifted environment back to its approved inputs',
        description: 'Plan, approval (per its tier), apply, as any change.',
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
      const result = await platform.environments.reconcile(
        request.params.name,
        principalOf(request),
      );
      return sendAccepted(reply, result);
    },
  );
}
