import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Platform } from '../../platform/index.js';
import type { NodeLogLine } from '../../workflows/index.js';
import { principalOf } from '../auth.js';
import {
  DecisionBody,
  Limit,
  LogLineSchema,
  Page,
  PhaseSchema,
  RunSchema,
  RunSummarySchema,
  commonErrors,
  notFound,
  problemResponse,
} from '../schemas.js';
import { streamLogEvents } from '../sse.js';

const IdParams = Type.Object({
  id: Type.String({ description: "The run's id (its Workflow's name)." }),
});
const ListQuery = Type.Object(
  {
    kind: Type.Optional(Type.String({ description: 'Label plinth.dev/kind, e.g. environment.' })),
    environment: Type.Optional(Type.String({ description: 'Label plinth.dev/environment.' })),
    requestId: Type.Optional(Type.String()),
    requester: Type.Optional(Type.String({ description: "The requester's token name." })),
    since: Type.Optional(
      Type.String({ format: 'date-time', description: 'Created at or after (RFC 3339).' }),
    ),
    until: Type.Optional(
      Type.String({ format: 'date-time', description: 'Created before (RFC 3339).' }),
    ),
    phase: Type.Optional(PhaseSchema),
    limit: Type.Optional(Limit),
    cursor: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
const LogQuery = Type.Object(
  {
    format: Type.Optional(
      Type.Unsafe<'text' | 'json'>({ type: 'string', enum: ['text', 'json'], default: 'text' }),
    ),
    follow: Type.Optional(
      Type.Boolean({
        default: false,
        description:
          "Stream as Server-Sent Events until the run ends; each event id is the line's seq, and `Last-Event-ID` resumes after it.",
      }),
    ),
    nodeId: Type.Optional(Type.String()),
    afterSeq: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);

const tags = ['runs'];
const security = [{ bearer: [] }];

function lineJson(line: NodeLogLine) {
  return {
    seq: line.seq,
    nodeId: line.nodeId,
    node: line.podName,
    stream: line.stream,
    time: line.time,
    text: line.text,
  };
}

function lastEventId(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value);
}

export function runRoutes(app: FastifyInstance, platform: Platform): void {
  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/runs',
    {
      schema: {
        tags,
        security,
        summary: 'List runs (Workflows), newest first',
        querystring: ListQuery,
        response: { 200: Page(RunSummarySchema), ...commonErrors },
      },
    },
    async (request) => platform.runs.list(request.query),
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/runs/:id',
    {
      schema: {
        tags,
        security,
        summary: 'Get a run with its nodes, plan and approval state',
        params: IdParams,
        response: { 200: RunSchema, ...commonErrors, 404: notFound },
      },
    },
    async (request) => platform.runs.get(request.params.id),
  );

  app.get<{ Params: Static<typeof IdParams>; Querystring: Static<typeof LogQuery> }>(
    '/runs/:id/logs',
    {
      schema: {
        tags,
        security,
        summary: "A run's logs",
        description:
          'Lines as `node: text` (text/plain), as JSON with `format=json`, or streamed as Server-Sent Events with `follow=true`.',
        params: IdParams,
        querystring: LogQuery,
        response: {
          200: {
            description: 'The log lines.',
            content: {
              'text/plain': { schema: Type.String() },
              'application/json': { schema: Type.Object({ items: Type.Array(LogLineSchema) }) },
              'text/event-stream': {
                schema: Type.String({
                  description: 'Events `log` (data: a log line as JSON) and `end`.',
                }),
              },
            },
          },
          ...commonErrors,
          404: notFound,
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const afterSeq = request.query.afterSeq ?? lastEventId(request.headers['last-event-id']);
      const lines = await platform.runs.logs(id, {
        ...(request.query.nodeId === undefined ? {} : { nodeId: request.query.nodeId }),
        ...(afterSeq === undefined ? {} : { afterSeq }),
        follow: request.query.follow === true,
      });
      if (request.query.follow === true) {
        await streamLogEvents(request, reply, lines, async () => {
          const run = await platform.runs.get(id);
          return { phase: run.phase };
        });
        return reply;
      }
      const collected: NodeLogLine[] = [];
      for await (const line of lines) collected.push(line);
      if (request.query.format === 'json') {
        return reply.type('application/json').send({ items: collected.map(lineJson) });
      }
      const text = collected.map((l) => `${l.podName}: ${l.text}\n`).join('');
      return reply.type('text/plain; charset=utf-8').send(text);
    },
  );

  for (const verb of ['retry', 'cancel'] as const) {
    app.post<{ Params: Static<typeof IdParams> }>(
      `/runs/:id/${verb}`,
      {
        schema: {
          tags,
          security,
          summary:
            verb === 'retry'
              ? 'Retry a Failed or Error run from its failed node (succeeded steps keep their results)'
              : 'Cancel a run: its running steps end, nothing new starts (Argo terminate)',
          params: IdParams,
          response: {
            200: RunSchema,
            ...commonErrors,
            404: notFound,
            409: problemResponse('The run cannot be retried in its phase.'),
          },
        },
      },
      async (request) =>
        verb === 'retry'
          ? platform.runs.retry(request.params.id, principalOf(request))
          : platform.runs.cancel(request.params.id, principalOf(request)),
    );
  }

  for (const verb of ['approve', 'reject'] as const) {
    app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof DecisionBody> | undefined }>(
      `/runs/:id/${verb}`,
      {
        schema: {
          tags,
          security,
          summary:
            verb === 'approve'
              ? 'Approve a run waiting at its approval step (it resumes)'
              : 'Reject a run waiting at its approval step (it fails there)',
          params: IdParams,
          body: DecisionBody,
          response: {
            200: RunSchema,
            ...commonErrors,
            404: notFound,
            409: problemResponse('The run is not waiting for approval (code NOT_WAITING).'),
          },
        },
        // The body is optional: a bare POST approves without a comment.
        preValidation: async (request) => {
          request.body ??= {};
        },
      },
      async (request) => {
        const input = {
          actor: principalOf(request),
          ...(request.body?.comment === undefined ? {} : { comment: request.body.comment }),
        };
        if (input.comment !== undefined)
          request.auditNote = { details: { comment: input.comment } };
        return verb === 'approve'
          ? platform.runs.approve(request.params.id, input)
          : platform.runs.reject(request.params.id, input);
      },
    );
  }
}
