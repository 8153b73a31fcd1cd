import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Platform } from '../../platform/index.js';
import { principalOf } from '../auth.js';
import { Limit, Page, commonErrors, notFound, unavailable } from '../schemas.js';
import { sendAccepted } from '../accepted.js';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Timestamp = Type.String({ format: 'date-time' });

const DependencyDecisionSchema = Type.Object({
  name: Type.String(),
  matched: Type.Boolean({ description: 'Whether the event resolved the dependency.' }),
  reason: Type.Optional(Type.String({ description: 'Why it did not (which filter rejected it).' })),
});

const CreatedSchema = Type.Object(
  {
    kind: Nullable(Type.String()),
    namespace: Nullable(Type.String()),
    name: Nullable(Type.String()),
  },
  { description: 'What the trigger created (for a Workflow trigger, the Workflow).' },
);

const TriggerDecisionSchema = Type.Object({
  name: Type.String(),
  fired: Type.Boolean(),
  created: Type.Optional(CreatedSchema),
  resource: Type.Optional(
    Type.Unknown({ description: 'The resolved resource, in full (only on a single event).' }),
  ),
  error: Type.Optional(Type.String({ description: 'Why the trigger failed.' })),
  code: Type.Optional(Type.String({ description: "The failure's error code." })),
  reason: Type.Optional(
    Type.String({ description: 'Why it did not fire, when nothing failed (e.g. waiting).' }),
  ),
  events: Type.Optional(
    Type.Record(Type.String(), Type.String(), {
      description: 'The event ids it fired with, by dependency.',
    }),
  ),
});

const DecisionSchema = Type.Object({
  sensor: Type.String({ description: '`<namespace>/<name>`.' }),
  dependencies: Type.Array(DependencyDecisionSchema),
  triggers: Type.Array(TriggerDecisionSchema),
  decidedAt: Timestamp,
});

const eventFields = {
  id: Type.String(),
  source: Type.String({ description: "The EventSource's name." }),
  subject: Type.String({ description: "The event's name within its EventSource." }),
  type: Type.String({ description: 'The EventSource type, e.g. webhook.' }),
  time: Nullable(Type.String()),
  receivedAt: Timestamp,
  replayOf: Nullable(Type.String({ description: 'The id of the event this one replays.' })),
  decisions: Type.Array(DecisionSchema, {
    description: 'Every decision a sensor made about it, oldest first; replays add, never rewrite.',
  }),
};

const EventSummarySchema = Type.Object(eventFields);
const EventSchema = Type.Object({
  ...eventFields,
  datacontenttype: Nullable(Type.String()),
  data: Type.Unknown({
    description: 'The payload (for webhooks `{header, body, metadata}`); secrets masked.',
  }),
});

const ReplayAcceptedSchema = Type.Object({
  id: Type.String({ description: 'The new event.' }),
  replayOf: Type.String(),
  links: Type.Object({ self: Type.String(), original: Type.String() }),
});

const IdParams = Type.Object({ id: Type.String({ description: "The event's CloudEvent id." }) });
const ListQuery = Type.Object(
  {
    source: Type.Optional(Type.String({ description: 'The EventSource, e.g. webhook.' })),
    subject: Type.Optional(Type.String({ description: 'The event name, e.g. environments.' })),
    type: Type.Optional(Type.String()),
    since: Type.Optional(
      Type.String({ format: 'date-time', description: 'Received at or after.' }),
    ),
    until: Type.Optional(Type.String({ format: 'date-time', description: 'Received before.' })),
    sensor: Type.Optional(
      Type.String({
        description: 'Only events this sensor decided about: `<namespace>/<name>` or a name.',
      }),
    ),
    fired: Type.Optional(
      Type.Boolean({
        description:
          'true: a trigger fired for the event (of `sensor`, when given); false: none did.',
      }),
    ),
    limit: Type.Optional(Limit),
    cursor: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

const tags = ['events'];
const security = [{ bearer: [] }];

export function eventRoutes(app: FastifyInstance, platform: Platform): void {
  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/events',
    {
      schema: {
        tags,
        security,
        summary: "List events with each sensor's decisions, newest first",
        querystring: ListQuery,
        response: { 200: Page(EventSummarySchema), ...commonErrors },
      },
    },
    async (request) => platform.events.list(request.query),
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/events/:id',
    {
      schema: {
        tags,
        security,
        summary: 'Get an event with its payload and every decision about it',
        params: IdParams,
        response: { 200: EventSchema, ...commonErrors, 404: notFound },
      },
    },
    async (request) => platform.events.get(request.params.id),
  );

  app.post<{ Params: Static<typeof IdParams> }>(
    '/events/:id/replay',
    {
      schema: {
        tags,
        security,
        summary: 'Deliver a stored event to the sensors again',
        description:
          'Publishes it as a new CloudEvent (a new id, extension `plinthreplayof` naming the original), so sensors decide about it afresh; its decisions are recorded under the new id.',
        params: IdParams,
        response: {
          202: {
            description: 'Published; the new event is at the `Location` header.',
            headers: { Location: { type: 'string', description: '/api/v1/events/{id}' } },
            ...ReplayAcceptedSchema,
          },
          ...commonErrors,
          404: notFound,
          503: unavailable,
        },
      },
    },
    async (request, reply) => {
      const result = await platform.events.replay(request.params.id, principalOf(request));
      return sendAccepted(reply, result);
    },
  );
}
