import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Platform } from '../../platform/index.js';
import { principalOf } from '../auth.js';
import { commonErrors, conflict, notFound } from '../schemas.js';

const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) =>
  Type.Union([schema, Type.Null()]);
const Timestamp = Type.String({ format: 'date-time' });
const RoleSchema = Type.Unsafe<'viewer' | 'developer' | 'approver' | 'admin'>({
  type: 'string',
  enum: ['viewer', 'developer', 'approver', 'admin'],
  description:
    'viewer reads; developer also requests within its team; approver also approves within its team; admin does everything.',
});

export const CreateTokenBody = Type.Object(
  {
    name: Type.String({
      minLength: 1,
      maxLength: 100,
      description: 'Who will use it: a person or a system. Requests and approvals carry it.',
      examples: ['alice'],
    }),
    role: RoleSchema,
    team: Type.Optional(
      Nullable(
        Type.String({
          minLength: 1,
          description:
            'The team whose environments it may change (required for developer and approver).',
          examples: ['payments'],
        }),
      ),
    ),
    expiresIn: Type.Optional(
      Type.String({
        pattern: '^\\d{1,6}[mhdw]$',
        description: 'Lifetime: a number and m, h, d or w (default 90d, at most 366d).',
        examples: ['30d', '12h'],
      }),
    ),
  },
  { additionalProperties: false },
);

const tokenFields = {
  id: Type.String(),
  name: Type.String(),
  role: RoleSchema,
  team: Nullable(Type.String()),
  expiresAt: Nullable(Timestamp),
  createdAt: Timestamp,
};

export const CreatedTokenSchema = Type.Object({
  token: Type.String({ description: 'The secret, shown this once; send it as a bearer token.' }),
  ...tokenFields,
});

export const TokenSchema = Type.Object({
  ...tokenFields,
  revokedAt: Nullable(Timestamp),
  lastUsedAt: Nullable(Timestamp),
});

export const TeamSchema = Type.Object({
  name: Type.String(),
  tokens: Type.Integer({ description: 'Active tokens of the team.' }),
  environments: Type.Integer({ description: 'Environments it owns that are not destroyed.' }),
});

const IdParams = Type.Object({ id: Type.String() });
const security = [{ bearer: [] }];
const tags = ['access'];

export function tokenRoutes(app: FastifyInstance, platform: Platform): void {
  app.post<{ Body: Static<typeof CreateTokenBody> }>(
    '/tokens',
    {
      schema: {
        tags,
        security,
        summary: 'Issue a token (admins only)',
        description: 'The answer holds the secret once; Plinth keeps only its SHA-256 hash.',
        body: CreateTokenBody,
        response: { 201: CreatedTokenSchema, ...commonErrors },
      },
    },
    async (request, reply) => {
      const created = await platform.access.createToken(request.body, principalOf(request));
      request.auditNote = {
        target: `tokens/${created.id}`,
        details: { name: created.name, role: created.role, team: created.team },
      };
      return reply
        .code(201)
        .header('location', `/api/v1/tokens/${created.id}`)
        .header('cache-control', 'no-store')
        .send(created);
    },
  );

  app.get(
    '/tokens',
    {
      schema: {
        tags,
        security,
        summary: 'List tokens, never their secrets (admins only)',
        response: { 200: Type.Object({ items: Type.Array(TokenSchema) }), ...commonErrors },
      },
    },
    async (request) => ({ items: await platform.access.listTokens(principalOf(request)) }),
  );

  app.delete<{ Params: Static<typeof IdParams> }>(
    '/tokens/:id',
    {
      config: { auditAction: 'tokens.revoke' },
      schema: {
        tags,
        security,
        summary: 'Revoke a token (admins only); it stops working at once',
        params: IdParams,
        response: { 200: TokenSchema, ...commonErrors, 404: notFound, 409: conflict },
      },
    },
    async (request) => platform.access.revokeToken(request.params.id, principalOf(request)),
  );

  app.get(
    '/teams',
    {
      schema: {
        tags,
        security,
        summary: 'List teams, as active tokens and environments name them',
        response: { 200: Type.Object({ items: Type.Array(TeamSchema) }), ...commonErrors },
      },
    },
    async (request) => ({ items: await platform.access.listTeams(principalOf(request)) }),
  );
}
