import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Platform, SubmitWorkflowInput, WorkflowOperation } from '../../platform/index.js';
import type { NodeLogLine, Workflow } from '../../workflows/index.js';
import { principalOf } from '../auth.js';
import {
  Limit,
  LogLineSchema,
  Page,
  PhaseSchema,
  commonErrors,
  conflict,
  notFound,
} from '../schemas.js';
import { streamLogEvents } from '../sse.js';

/** An Argo Workflow object, as Argo's API answers it. */
const WorkflowSchema = Type.Object(
  {
    apiVersion: Type.String(),
    kind: Type.String(),
    metadata: Type.Unknown(),
    spec: Type.Unknown(),
    status: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: true, description: 'An Argo Workflow (argoproj.io/v1alpha1).' },
);
const Parameters = Type.Union(
  [Type.Array(Type.String()), Type.Record(Type.String(), Type.String())],
  { description: '`["NAME=VALUE"]` as Argo sends them, or `{NAME: VALUE}`.' },
);
const SubmitBody = Type.Object(
  {
    workflow: Type.Optional(Type.Unknown({ description: 'The Workflow to submit.' })),
    workflowTemplate: Type.Optional(
      Type.String({ description: 'Submit a Workflow that runs this WorkflowTemplate.' }),
    ),
    namespace: Type.Optional(Type.String()),
    parameters: Type.Optional(Parameters),
    labels: Type.Optional(Type.Record(Type.String(), Type.String())),
  },
  {
    additionalProperties: true,
    description:
      'A Workflow object itself (`kind: Workflow`), or `{workflow, parameters}`, or `{workflowTemplate, parameters}`.',
  },
);
const OperationBody = Type.Object(
  {
    nodeFieldSelector: Type.Optional(Type.String()),
    message: Type.Optional(Type.String()),
    restartSuccessful: Type.Optional(Type.Boolean()),
    memoized: Type.Optional(Type.Boolean()),
    parameters: Type.Optional(Parameters),
  },
  { additionalProperties: true },
);
const NameParams = Type.Object({ namespace: Type.String(), name: Type.String() });
const NamespaceParams = Type.Object({ namespace: Type.String() });
const ListQuery = Type.Object(
  {
    namespace: Type.Optional(Type.String()),
    labels: Type.Optional(Type.String({ description: '`key=value[,key=value]`.' })),
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
    follow: Type.Optional(Type.Boolean({ default: false })),
    nodeId: Type.Optional(Type.String()),
    afterSeq: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);

const tags = ['workflows'];
const security = [{ bearer: [] }];

const OPERATIONS: Record<WorkflowOperation, string> = {
  suspend: 'Suspend: running steps go on, no new step starts until resumed',
  resume: 'Resume a suspended Workflow or its suspend nodes',
  stop: "Stop: running steps end, exit handlers run (`Stopped with strategy 'Stop'`)",
  terminate:
    "Terminate: running steps end, exit handlers do not run (`Stopped with strategy 'Terminate'`)",
  retry: 'Retry a Failed or Error Workflow from its failed nodes',
  resubmit: "Resubmit: a new Workflow from this one's spec (`memoized` reuses succeeded steps)",
};

function submitInput(body: unknown, namespace?: string): SubmitWorkflowInput {
  const b = (body ?? {}) as Record<string, unknown>;
  const input: SubmitWorkflowInput =
    b['kind'] === 'Workflow'
      ? { workflow: b as unknown as Workflow }
      : (b as unknown as SubmitWorkflowInput);
  return namespace === undefined ? input : { ...input, namespace };
}

function lastEventId(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value);
}

/** Argo Workflows through Plinth's API, in the shapes of Argo's server API where it has them. */
export function workflowRoutes(app: FastifyInstance, platform: Platform): void {
  const submit = async (request: FastifyRequest, reply: FastifyReply, namespace?: string) => {
    const wf = await platform.workflows.submit(
      submitInput(request.body, namespace),
      principalOf(request),
    );
    request.auditNote = { target: `workflows/${wf.metadata.namespace}/${wf.metadata.name}` };
    return reply.code(201).send(wf);
  };
  const submitSchema = {
    tags,
    security,
    summary: 'Submit a Workflow',
    body: SubmitBody,
    response: { 201: WorkflowSchema, ...commonErrors },
  };
  app.post('/workflows', { schema: submitSchema }, (request, reply) => submit(request, reply));
  app.post<{ Params: Static<typeof NamespaceParams> }>(
    '/workflows/:namespace',
    { schema: { ...submitSchema, params: NamespaceParams } },
    (request, reply) => submit(request, reply, request.params.namespace),
  );

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/workflows',
    {
      schema: {
        tags,
        security,
        summary: 'List Workflows, newest first (without their node trees)',
        querystring: ListQuery,
        response: { 200: Page(WorkflowSchema), ...commonErrors },
      },
    },
    async (request) => platform.workflows.list(request.query),
  );

  app.get<{ Params: Static<typeof NameParams> }>(
    '/workflows/:namespace/:name',
    {
      schema: {
        tags,
        security,
        summary: 'Get a Workflow with its node tree',
        params: NameParams,
        response: { 200: WorkflowSchema, ...commonErrors, 404: notFound },
      },
    },
    async (request) => platform.workflows.get(request.params.namespace, request.params.name),
  );

  app.get<{ Params: Static<typeof NameParams>; Querystring: Static<typeof LogQuery> }>(
    '/workflows/:namespace/:name/log',
    {
      schema: {
        tags,
        security,
        summary: "A Workflow's logs: text, JSON, or Server-Sent Events with follow=true",
        params: NameParams,
        querystring: LogQuery,
        response: {
          200: {
            description: 'The log lines.',
            content: {
              'text/plain': { schema: Type.String() },
              'application/json': { schema: Type.Object({ items: Type.Array(LogLineSchema) }) },
              'text/event-stream': { schema: Type.String() },
            },
          },
          ...commonErrors,
          404: notFound,
        },
      },
    },
    async (request, reply) => {
      const { namespace, name } = request.params;
      const afterSeq = request.query.afterSeq ?? lastEventId(request.headers['last-event-id']);
      const lines = await platform.workflows.logs(namespace, name, {
        ...(request.query.nodeId === undefined ? {} : { nodeId: request.query.nodeId }),
        ...(afterSeq === undefined ? {} : { afterSeq }),
        follow: request.query.follow === true,
      });
      if (request.query.follow === true) {
        await streamLogEvents(request, reply, lines, async () => {
          const wf = await platform.workflows.get(namespace, name);
          return { phase: wf.status?.phase ?? 'Pending' };
        });
        return reply;
      }
      const collected: NodeLogLine[] = [];
      for await (const line of lines) collected.push(line);
      if (request.query.format === 'json') {
        return reply.type('application/json').send({
          items: collected.map((l) => ({
            seq: l.seq,
            nodeId: l.nodeId,
            node: l.podName,
            stream: l.stream,
            time: l.time,
            text: l.text,
          })),
        });
      }
      return reply
        .type('text/plain; charset=utf-8')
        .send(collected.map((l) => `${l.podName}: ${l.text}\n`).join(''));
    },
  );

  for (const [operation, summary] of Object.entries(OPERATIONS) as [WorkflowOperation, string][]) {
    app.put<{ Params: Static<typeof NameParams>; Body: Static<typeof OperationBody> | undefined }>(
      `/workflows/:namespace/:name/${operation}`,
      {
        schema: {
          tags,
          security,
          summary,
          params: NameParams,
          body: OperationBody,
          response: {
            200: WorkflowSchema,
            ...commonErrors,
            404: notFound,
            409: conflict,
          },
        },
        config: { auditAction: `workflows.${operation}` },
        preValidation: async (request) => {
          request.body ??= {};
        },
      },
      async (request) =>
        platform.workflows.operate(
          operation,
          request.params.namespace,
          request.params.name,
          request.body ?? {},
          principalOf(request),
        ),
    );
  }

  app.delete<{ Params: Static<typeof NameParams> }>(
    '/workflows/:namespace/:name',
    {
      schema: {
        tags,
        security,
        summary: 'Delete a Workflow, ending what still runs',
        params: NameParams,
        response: { 204: Type.Null(), ...commonErrors, 404: notFound },
      },
    },
    async (request, reply) => {
      await platform.workflows.delete(
        request.params.namespace,
        request.params.name,
        principalOf(request),
      );
      return reply.code(204).send();
    },
  );
}
