import { Type, type TSchema } from '@sinclair/typebox';

/** Nullable in the JSON Schema 2020-12 way that OpenAPI 3.1 uses. */
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
/** Any JSON value; serialized as it is. */
const AnyValue = Type.Unknown();
const Timestamp = Type.String({ format: 'date-time' });

export const FieldProblemSchema = Type.Object({
  field: Type.String({ description: 'The field, as a dotted path (empty for the whole body).' }),
  message: Type.String(),
  fix: Type.Optional(Type.String()),
});

/** RFC 9457 problem details, with Plinth's stable `code`. */
export const ProblemSchema = Type.Object(
  {
    type: Type.String({ description: 'A URI naming the kind of problem.' }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    instance: Type.String({ description: 'The path that was requested.' }),
    code: Type.String({ description: 'Stable error code; branch on it, never on `detail`.' }),
    requestId: Type.String(),
    retryable: Type.Boolean(),
    errors: Type.Optional(Type.Array(FieldProblemSchema)),
    details: Type.Optional(Type.Record(Type.String(), AnyValue)),
  },
  { additionalProperties: true },
);

export const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ProblemSchema } },
});

/** Error answers every authenticated route can give. */
export const commonErrors = {
  400: problemResponse('The request is invalid; `errors` names each field and its fix.'),
  401: problemResponse('No valid bearer token.'),
  403: problemResponse('The token may not do this.'),
  500: problemResponse('Plinth failed; the request id helps find out why.'),
};

export const notFound = problemResponse('It does not exist.');
export const conflict = problemResponse('It conflicts with the current state.');
export const unavailable = problemResponse('A dependency is down; retrying can help.');

const StringEnum = (values: string[], description?: string) =>
  Type.Unsafe<string>({
    type: 'string',
    enum: values,
    ...(description === undefined ? {} : { description }),
  });

export const EnvironmentStatusSchema = StringEnum([
  'Provisioning',
  'Ready',
  'Failed',
  'Destroying',
  'Destroyed',
]);
export const PhaseSchema = StringEnum(
  ['Pending', 'Running', 'Succeeded', 'Failed', 'Error'],
  "Spelled as Argo's phases.",
);

export const TierSchema = StringEnum(
  ['development', 'staging', 'production'],
  'Its policy: nobody approves their own request for a production environment. Default development.',
);

export const TtlSchema = Type.String({
  pattern: '^\\d{1,6}[mhdw]$',
  description:
    'A lifetime: a number and a unit (m, h, d, w), at most 90d. The environment is destroyed when it ends (not for production or protected environments).',
  examples: ['8h', '3d'],
});

export const ExtendEnvironmentBody = Type.Object(
  { ttl: TtlSchema },
  { additionalProperties: false },
);

export const RequestAcceptedSchema = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  action: Type.String(),
  status: Type.String(),
  target: Type.String(),
  links: Type.Object({ self: Type.String(), target: Type.String(), runs: Type.String() }),
});

export const EnvironmentSchema = Type.Object({
  name: Type.String(),
  status: EnvironmentStatusSchema,
  region: Nullable(Type.String()),
  team: Nullable(Type.String()),
  tier: TierSchema,
  protected: Type.Boolean(),
  expiresAt: Nullable(Timestamp),
  drifted: Type.Boolean({ description: 'The last drift check found changes made outside Plinth.' }),
  drift: Nullable(
    Type.Object(
      {
        checkedAt: Type.Optional(Type.String()),
        drifted: Type.Optional(Type.Boolean()),
        changes: Type.Optional(Type.Array(AnyValue)),
        runId: Type.Optional(Type.String()),
      },
      { additionalProperties: true },
    ),
  ),
  outputs: Type.Record(Type.String(), AnyValue, {
    description: 'Terraform outputs of its last apply.',
  }),
  lastRequestId: Nullable(Type.String()),
  message: Nullable(Type.String()),
  createdBy: Type.String(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const Page = <T extends TSchema>(item: T) =>
  Type.Object({
    items: Type.Array(item),
    nextCursor: Type.Optional(Type.String({ description: 'Pass as `cursor` for the next page.' })),
  });

export const Limit = Type.Integer({ minimum: 1, maximum: 500, default: 50 });

export const RunRefSchema = Type.Object({ id: Type.String(), phase: Type.String() });

export const RequestSchema = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  action: Type.String(),
  target: Type.String(),
  status: PhaseSchema,
  requester: Type.String(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  message: Nullable(Type.String()),
  inputs: Type.Record(Type.String(), AnyValue, {
    description:
      'What was asked. For a change, the inputs it proposes: its target keeps the inputs of its last apply until this request applies.',
  }),
  runs: Type.Array(RunRefSchema),
});

export const PlanSummarySchema = Type.Object({
  add: Type.Integer(),
  change: Type.Integer(),
  destroy: Type.Integer(),
  resources: Type.Array(AnyValue),
});

const runSummaryFields = {
  id: Type.String({ description: "The Workflow's name." }),
  name: Type.String(),
  namespace: Type.String(),
  requestId: Nullable(Type.String()),
  kind: Nullable(Type.String()),
  environment: Nullable(Type.String()),
  action: Nullable(Type.String()),
  phase: Type.String({ description: "Argo's Workflow phase." }),
  message: Nullable(Type.String()),
  startedAt: Nullable(Type.String()),
  finishedAt: Nullable(Type.String()),
  progress: Nullable(Type.String()),
};

export const RunSummarySchema = Type.Object(runSummaryFields);

export const RunNodeSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  displayName: Type.String(),
  type: Type.String({ description: "Argo's node type (Pod, Steps, Suspend, ...)." }),
  templateName: Nullable(Type.String()),
  phase: Type.String(),
  message: Nullable(Type.String()),
  startedAt: Nullable(Type.String()),
  finishedAt: Nullable(Type.String()),
  outputs: AnyValue,
});

export const RunSchema = Type.Object({
  ...runSummaryFields,
  waitingForApproval: Type.Boolean(),
  approval: Nullable(
    Type.Object({ node: Type.String(), planSummary: Nullable(PlanSummarySchema) }),
  ),
  plan: Nullable(PlanSummarySchema),
  outputs: Type.Record(Type.String(), Type.String(), {
    description: "The Workflow's global output parameters.",
  }),
  nodes: Type.Array(RunNodeSchema, { description: 'Ordered by start time.' }),
});

export const DecisionBody = Type.Object(
  { comment: Type.Optional(Type.String({ maxLength: 2000 })) },
  { additionalProperties: false },
);

export const LogLineSchema = Type.Object({
  seq: Type.Integer(),
  nodeId: Type.String(),
  node: Type.String(),
  stream: Type.String(),
  time: Type.String(),
  text: Type.String(),
});
