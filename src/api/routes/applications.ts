import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { DomainKind, type Platform } from '../../platform/index.js';
import { principalOf } from '../auth.js';
import {
  RequestAcceptedSchema,
  commonErrors,
  conflict,
  notFound,
  unavailable,
} from '../schemas.js';
import { sendAccepted } from '../accepted.js';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

const RollbackBody = Type.Object(
  { version: Type.String({ minLength: 1, description: 'An earlier version of the application.' }) },
  { additionalProperties: false },
);
const ConfigRollbackBody = Type.Object(
  { version: Type.Integer({ minimum: 1, description: 'An earlier configuration version.' }) },
  { additionalProperties: false },
);

const DeploymentSchema = Type.Object({
  id: Type.String({ description: 'The request that made it.' }),
  action: Type.String({ description: 'deploy, rollback or configure' }),
  version: Type.String(),
  image: Type.String(),
  replicas: Type.Integer(),
  port: Type.Integer(),
  configVersion: Nullable(Type.Integer()),
  status: Type.String({ description: 'Pending, Deploying, Deployed or Failed' }),
  revision: Nullable(
    Type.String({ description: 'The GitOps commit (or kubectl apply) that delivered it.' }),
  ),
  message: Nullable(Type.String()),
  requester: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
const applicationFields = {
  name: Type.String(),
  environment: Type.String(),
  team: Nullable(Type.String()),
  version: Type.String(),
  status: Type.String({
    description: 'Of its current deployment: Pending, Deploying, Deployed or Failed',
  }),
  revision: Nullable(Type.String()),
  image: Type.String(),
  replicas: Type.Integer(),
  port: Type.Integer(),
  configVersion: Nullable(Type.Integer()),
  message: Nullable(Type.String()),
  lastRequestId: Type.String(),
  createdBy: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
};
const ApplicationSchema = Type.Object({
  ...applicationFields,
  history: Type.Optional(Type.Array(DeploymentSchema)),
});
const ConfigurationSchema = Type.Object({
  environment: Type.String(),
  application: Type.String(),
  version: Type.Integer(),
  values: Type.Record(Type.String(), Type.String()),
  secrets: Type.Array(Type.String(), { description: "The secrets' names; never their values." }),
  createdBy: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
});
const ConfigurationChangeSchema = Type.Object({
  configuration: ConfigurationSchema,
  request: Nullable(RequestAcceptedSchema),
});
const DiffSchema = Type.Object({
  environment: Type.String(),
  application: Type.String(),
  from: Type.Integer(),
  to: Type.Integer(),
  values: Type.Object({
    added: Type.Record(Type.String(), Type.String()),
    removed: Type.Record(Type.String(), Type.String()),
    changed: Type.Record(Type.String(), Type.Object({ from: Type.String(), to: Type.String() })),
  }),
  secrets: Type.Object(
    {
      added: Type.Array(Type.String()),
      removed: Type.Array(Type.String()),
      changed: Type.Array(Type.String()),
    },
    { description: 'Names only: a secret that changed, never its values.' },
  ),
});

const EnvParams = Type.Object({ env: Type.String() });
const AppParams = Type.Object({ env: Type.String(), name: Type.String() });
const VersionQuery = Type.Object(
  { version: Type.Optional(Type.Integer({ minimum: 1 })) },
  { additionalProperties: false },
);
const DiffQuery = Type.Object(
  { from: Type.Integer({ minimum: 1 }), to: Type.Integer({ minimum: 1 }) },
  { additionalProperties: false },
);

const tags = ['applications'];
const security = [{ bearer: [] }];
const accepted = {
  description: 'Accepted; follow it at the `Location` header (the request).',
  headers: { Location: { type: 'string', description: '/api/v1/requests/{id}' } },
  ...RequestAcceptedSchema,
};
const writeErrors = { ...commonErrors, 404: notFound, 409: conflict, 503: unavailable };
const appPath = '/environments/:env/applications/:name';

/** Applications (deploy, history, rollback) and their configuration. */
/** What `POST /applications` takes: the catalog's application kind (its schema is the body's). */
interface DeployBody {
  environment: string;
  name: string;
  version: string;
  [field: string]: unknown;
}

export function applicationRoutes(app: FastifyInstance, platform: Platform): void {
  const deploySchema = platform.catalog.kind(DomainKind.Application).schema;
  const configSchema = platform.catalog.kind(DomainKind.Configuration).schema;
  app.post<{ Body: DeployBody }>(
    '/applications',
    {
      schema: {
        tags,
        security,
        summary: 'Deploy a version of an application to an environment',
        description:
          'The environment must be Ready. Its run renders the Deployment, Service and ConfigMap and delivers them to the environment’s deploy target (a GitOps repository by default).',
        body: deploySchema,
        response: { 202: accepted, ...writeErrors },
      },
    },
    async (request, reply) => {
      const result = await platform.applications.deploy(request.body, principalOf(request));
      request.auditNote = {
        target: `environments/${request.body.environment}/applications/${request.body.name}`,
        details: { version: request.body.version },
      };
      return sendAccepted(reply, result);
    },
  );

  app.get<{ Params: Static<typeof EnvParams> }>(
    '/environments/:env/applications',
    {
      schema: {
        tags,
        security,
        summary: 'List the applications of an environment',
        params: EnvParams,
        response: { 200: Type.Object({ items: Type.Array(ApplicationSchema) }), ...commonErrors },
      },
    },
    async (request) => platform.applications.list(request.params.env),
  );

  app.get<{ Params: Static<typeof AppParams> }>(
    appPath,
    {
      schema: {
        tags,
        security,
        summary: 'Get an application: its current version, status, revision and history',
        params: AppParams,
        response: { 200: ApplicationSchema, ...commonErrors, 404: notFound },
      },
    },
    async (request) => platform.applications.get(request.params.env, request.params.name),
  );

  app.get<{ Params: Static<typeof AppParams> }>(
    `${appPath}/history`,
    {
      schema: {
        tags,
        security,
        summary: 'The deployments of an application, newest first',
        params: AppParams,
        response: {
          200: Type.Object({ items: Type.Array(DeploymentSchema) }),
          ...commonErrors,
          404: notFound,
        },
      },
    },
    async (request) => platform.applications.history(request.params.env, request.params.name),
  );

  app.post<{ Params: Static<typeof AppParams>; Body: Static<typeof RollbackBody> }>(
    `${appPath}/rollback`,
    {
      schema: {
        tags,
        security,
        summary: 'Deploy an earlier version again (its image, replicas, port and configuration)',
        params: AppParams,
        body: RollbackBody,
        response: { 202: accepted, ...writeErrors },
      },
    },
    async (request, reply) => {
      const { env, name } = request.params;
      const result = await platform.applications.rollback(
        env,
        name,
        request.body,
        principalOf(request),
      );
      request.auditNote = { details: { version: request.body.version } };
      return sendAccepted(reply, result);
    },
  );

  app.put<{ Params: Static<typeof AppParams>; Body: Record<string, unknown> }>(
    `${appPath}/configuration`,
    {
      schema: {
        tags,
        security,
        summary: 'Make a new configuration version and deliver it',
        description:
          'Each key given is set (null removes it); keys not given are kept. Answers 202 with the request that delivers it when the application is deployed, else 201 (its next deployment carries it). Secret values are never shown again.',
        params: AppParams,
        body: configSchema,
        response: {
          201: ConfigurationChangeSchema,
          202: ConfigurationChangeSchema,
          ...writeErrors,
        },
      },
    },
    async (request, reply) => {
      const { env, name } = request.params;
      const change = await platform.configuration.set(
        env,
        name,
        request.body,
        principalOf(request),
      );
      request.auditNote = {
        details: {
          configVersion: change.configuration.version,
          keys: Object.keys(request.body.values ?? {}),
          secrets: Object.keys(request.body.secrets ?? {}),
        },
      };
      if (change.request) reply.header('location', change.request.links.self);
      return reply.code(change.request ? 202 : 201).send(change);
    },
  );

  app.get<{ Params: Static<typeof AppParams>; Querystring: Static<typeof VersionQuery> }>(
    `${appPath}/configuration`,
    {
      schema: {
        tags,
        security,
        summary: 'The current configuration (or `?version=N`): values, and the secrets’ names',
        params: AppParams,
        querystring: VersionQuery,
        response: { 200: ConfigurationSchema, ...commonErrors, 404: notFound },
      },
    },
    async (request) =>
      platform.configuration.get(request.params.env, request.params.name, request.query.version),
  );

  app.get<{ Params: Static<typeof AppParams> }>(
    `${appPath}/configuration/versions`,
    {
      schema: {
        tags,
        security,
        summary: 'Every configuration version, oldest first',
        params: AppParams,
        response: { 200: Type.Object({ items: Type.Array(ConfigurationSchema) }), ...commonErrors },
      },
    },
    async (request) => platform.configuration.versions(request.params.env, request.params.name),
  );

  app.get<{ Params: Static<typeof AppParams>; Querystring: Static<typeof DiffQuery> }>(
    `${appPath}/configuration/diff`,
    {
      schema: {
        tags,
        security,
        summary: 'What changed between two configuration versions (secrets by name only)',
        params: AppParams,
        querystring: DiffQuery,
        response: { 200: DiffSchema, ...commonErrors, 404: notFound },
      },
    },
    async (request) =>
      platform.configuration.diff(
        request.params.env,
        request.params.name,
        request.query.from,
        request.query.to,
      ),
  );

  app.post<{ Params: Static<typeof AppParams>; Body: Static<typeof ConfigRollbackBody> }>(
    `${appPath}/configuration/rollback`,
    {
      schema: {
        tags,
        security,
        summary: 'Make a new configuration version equal to an earlier one, and deliver it',
        params: AppParams,
        body: ConfigRollbackBody,
        response: {
          201: ConfigurationChangeSchema,
          202: ConfigurationChangeSchema,
          ...writeErrors,
        },
      },
    },
    async (request, reply) => {
      const { env, name } = request.params;
      const change = await platform.configuration.rollback(
        env,
        name,
        request.body,
        principalOf(request),
      );
      request.auditNote = {
        details: { rollbackTo: request.body.version, configVersion: change.configuration.version },
      };
      if (change.request) reply.header('location', change.request.links.self);
      return reply.code(change.request ? 202 : 201).send(change);
    },
  );
}
