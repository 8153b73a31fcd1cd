import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Platform } from '../../platform/index.js';
import { principalOf } from '../auth.js';
import { Limit, Page, commonErrors } from '../schemas.js';

const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) =>
  Type.Union([schema, Type.Null()]);

export const AuditEntrySchema = Type.Object({
  seq: Type.Integer({ description: 'Grows with each entry.' }),
  time: Type.String({ format: 'date-time' }),
  actor: Type.String({ description: "The token's name, or `system`." }),
  tokenId: Nullable(Type.String()),
  role: Nullable(Type.String()),
  team: Nullable(Type.String()),
  action: Type.String({ description: 'e.g. environments.create, runs.approve, token.use.' }),
  target: Type.String({ description: 'e.g. environments/dev-1, runs/env-abc.' }),
  requestId: Nullable(Type.String({ description: 'The x-request-id of the HTTP request.' })),
  outcome: Type.Unsafe<'succeeded' | 'denied' | 'failed'>({
    type: 'string',
    enum: ['succeeded', 'denied', 'failed'],
  }),
  status: Type.Union([Type.Integer(), Type.Null()]),
  details: Type.Record(Type.String(), Type.Unknown()),
});

const AuditQuery = Type.Object(
  {
    actor: Type.Optional(Type.String()),
    action: Type.Optional(Type.String()),
    target: Type.Optional(Type.String()),
    since: Type.Optional(
      Type.String({ format: 'date-time', description: 'Entries at or after this time.' }),
    ),
    limit: Type.Optional(Limit),
    cursor: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

export function auditRoutes(app: FastifyInstance, platform: Platform): void {
  app.get<{ Querystring: Static<typeof AuditQuery> }>(
    '/audit',
    {
      schema: {
        tags: ['access'],
        security: [{ bearer: [] }],
        summary: 'The audit log, newest first (admins only)',
        description:
          'Every write, approval, rejection and token use (at most once a minute per token), append-only.',
        querystring: AuditQuery,
        response: { 200: Page(AuditEntrySchema), ...commonErrors },
      },
    },
    async (request) => {
      const { since, ...rest } = request.query;
      return platform.audit.list(
        { ...rest, ...(since === undefined ? {} : { since: new Date(since).toISOString() }) },
        principalOf(request),
      );
    },
  );
}
