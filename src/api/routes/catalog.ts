import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Platform } from '../../platform/index.js';
import { commonErrors, notFound } from '../schemas.js';

const KindParams = Type.Object({ kind: Type.String() });

export const KindSummarySchema = Type.Object({
  name: Type.String(),
  title: Type.String(),
  description: Type.String(),
  approval: Type.Boolean({ description: 'Whether its runs wait for an approval before applying.' }),
  links: Type.Object({
    self: Type.String(),
    requests: Type.String({ description: 'Where requests of this kind are made.' }),
  }),
});

const KindSchema = Type.Composite([
  KindSummarySchema,
  Type.Object({
    schema: Type.Record(Type.String(), Type.Unknown(), {
      description: 'The JSON Schema a request of this kind is validated against.',
    }),
    runs: Type.Object({
      eventSourceName: Type.String(),
      eventName: Type.String(),
      workflowTemplate: Type.String(),
      module: Type.Union([Type.String(), Type.Null()]),
    }),
  }),
]);

const tags = ['catalog'];
const security = [{ bearer: [] }];

/** `GET /catalog` and `GET /catalog/{kind}`: the request kinds and their input schemas. */
export function catalogRoutes(app: FastifyInstance, platform: Platform): void {
  app.get(
    '/catalog',
    {
      schema: {
        tags,
        security,
        summary: 'List the request kinds of the catalog',
        response: { 200: Type.Object({ items: Type.Array(KindSummarySchema) }), ...commonErrors },
      },
    },
    async () => ({ items: platform.catalog.list() }),
  );

  app.get<{ Params: Static<typeof KindParams> }>(
    '/catalog/:kind',
    {
      schema: {
        tags,
        security,
        summary: 'Get a request kind: its input schema and what a request runs',
        params: KindParams,
        response: { 200: KindSchema, ...commonErrors, 404: notFound },
      },
    },
    async (request) => platform.catalog.get(request.params.kind),
  );
}
