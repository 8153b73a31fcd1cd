import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Platform } from '../../platform/index.js';
import { RequestSchema, commonErrors, notFound } from '../schemas.js';

const IdParams = Type.Object({ id: Type.String() });

export function requestRoutes(app: FastifyInstance, platform: Platform): void {
  app.get<{ Params: Static<typeof IdParams> }>(
    '/requests/:id',
    {
      schema: {
        tags: ['requests'],
        security: [{ bearer: [] }],
        summary: 'Get a request and the runs it caused',
        params: IdParams,
        response: { 200: RequestSchema, ...commonErrors, 404: notFound },
      },
    },
    async (request) => platform.requests.get(request.params.id),
  );
}
