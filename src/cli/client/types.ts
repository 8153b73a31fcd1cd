/** Run phases, spelled as Argo spells a Workflow's. */
export const RunPhase = {
  Pending: 'Pending',
  Running: 'Running',
  Succeeded: 'Succeeded',
  Failed: 'Failed',
  Error: 'Error',
} as const;
/** A run's phase. */
export type RunPhase = (typeof RunPhase)[keyof typeof RunPhase];

/** Node phases, spelled as Argo spells them. */
export const NodePhase = {
  ...RunPhase,
  Skipped: 'Skipped',
  Omitted: 'Omitted',
} as const;
/** A node's phase. */
export type NodePhase = (typeof NodePhase)[keyof typeof NodePhase];

/** The phases after which a run or node changes no more. */
export const finishedPhases: readonly string[] = [
  NodePhase.Succeeded,
  NodePhase.Failed,
  NodePhase.Error,
  NodePhase.Skipped,
  NodePhase.Omitted,
];

/** An environment's status. */
export const EnvironmentStatus = {
  Provisioning: 'Provisioning',
  Ready: 'Ready',
  Failed: 'Failed',
  Destroying: 'Destroying',
  Destroyed: 'Destroyed',
} as const;
/** An environment's status. */
export type EnvironmentStatus = (typeof EnvironmentStatus)[keyof typeof EnvironmentStatus];

/** The answer to a write that became a request (HTTP 202). */
export interface AcceptedRequest {
  id: string;
  kind: string;
  action: string;
  status: string;
  target: string;
  /** The `Location` header: where the request's status is followed. */
  location?: string;
}

/** A request and the runs it caused. */
export interface PlatformRequest {
  id: string;
  kind: string;
  action?: string;
  target?: string;
  status: string;
  message?: string | null;
  runs: { id: string; phase: NodePhase }[];
  [key: string]: unknown;
}

/** An environment. */
export interface Environment {
  name: string;
  status: EnvironmentStatus;
  region: string;
  team: string | null;
  tier?: string;
  protected?: boolean;
  /** When its TTL ends it; null when it never expires. */
  expiresAt?: string | null;
  drifted?: boolean;
  drift?: { checkedAt?: string; drifted?: boolean; changes?: unknown[]; runId?: string } | null;
  outputs: Record<string, unknown>;
  lastRequestId: string | null;
  message: string | null;
  createdAt: string;
  updatedAt: string;
}

/** What `PATCH /environments/{name}` changes. */
export interface EnvironmentChange {
  region?: string | undefined;
  team?: string | undefined;
  tier?: string | undefined;
  ttl?: string | undefined;
  protected?: boolean | undefined;
}

/** A page of a list. */
export interface List<T> {
  items: T[];
  nextCursor?: string | null;
}

/** What `terraform plan` would do. */
export interface PlanSummary {
  add: number;
  change: number;
  destroy: number;
  resources?: unknown[];
}

/** One node of a run, as in an Argo Workflow's `status.nodes`. */
export interface RunNode {
  id: string;
  name: string;
  displayName: string;
  type: string;
  templateName?: string | null;
  phase: NodePhase;
  message?: string | null;
  startedAt?: string | null;
  finishedAt?: string | null;
  boundaryID?: string | null;
  children?: string[] | null;
}

/** A run as lists show it. */
export interface RunSummary {
  id: string;
  requestId?: string | null;
  phase: RunPhase;
  message?: string | null;
  waitingForApproval?: boolean;
  startedAt?: string | null;
  finishedAt?: string | null;
  [key: string]: unknown;
}

/** A run with its nodes. */
export interface Run extends RunSummary {
  plan: PlanSummary | null;
  outputs?: Record<string, unknown> | null;
  nodes: RunNode[];
}

/** One line of a step's output. */
export interface LogEntry {
  nodeId: string;
  podName?: string | null;
  stream?: 'stdout' | 'stderr' | string;
  text: string;
  time?: string;
  /** The stream position, when the entry came from the follow stream. */
  seq?: string;
}

/** An `application/problem+json` body (RFC 9457) as the API sends it. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  errors?: { field: string; message: string; fix?: string }[];
}

/** What a sensor decided about one dependency for an event. */
export interface EventDependencyDecision {
  name: string;
  matched: boolean;
  /** Why the event did not resolve it. */
  reason?: string;
}

/** What a sensor decided about one trigger for an event. */
export interface EventTriggerDecision {
  name: string;
  fired: boolean;
  /** What it created (for a Workflow trigger, the Workflow). */
  created?: { kind: string | null; namespace: string | null; name: string | null };
  /** The resolved resource, on a single event only. */
  resource?: unknown;
  error?: string;
  code?: string;
  reason?: string;
  events?: Record<string, string>;
}

/** One decision of one sensor about an event. */
export interface EventDecision {
  sensor: string;
  dependencies: EventDependencyDecision[];
  triggers: EventTriggerDecision[];
  decidedAt: string;
}

/** An event as lists show it. */
export interface EventSummary {
  id: string;
  source: string;
  subject: string;
  type: string;
  time: string | null;
  receivedAt: string;
  replayOf: string | null;
  decisions: EventDecision[];
}

/** An event with its payload. */
export interface EventDetail extends EventSummary {
  datacontenttype: string | null;
  data: unknown;
}

/** The answer to a replay: the new event. */
export interface ReplayedEvent {
  id: string;
  replayOf: string;
  location?: string;
}

/** Filters of the event list. */
export interface EventFilter {
  source?: string | undefined;
  subject?: string | undefined;
  type?: string | undefined;
  sensor?: string | undefined;
  fired?: boolean | undefined;
  since?: string | undefined;
  until?: string | undefined;
  limit?: number | undefined;
  cursor?: string | undefined;
}

/** A token's role: viewer reads; developer requests in its team; approver also approves; admin does everything. */
export const TokenRole = {
  Viewer: 'viewer',
  Developer: 'developer',
  Approver: 'approver',
  Admin: 'admin',
} as const;
/** A token's role. */
export type TokenRole = (typeof TokenRole)[keyof typeof TokenRole];

/** A token as listed (never its secret). */
export interface Token {
  id: string;
  name: string;
  role: TokenRole;
  team: string | null;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

/** A token just issued, with its secret (shown once). */
export interface CreatedToken {
  token: string;
  id: string;
  name: string;
  role: TokenRole;
  team: string | null;
  expiresAt: string | null;
  createdAt: string;
}

/** A team, as tokens and environments name it. */
export interface Team {
  name: string;
  tokens: number;
  environments: number;
}

/** One audit log entry. */
export interface AuditEntry {
  seq: number;
  time: string;
  actor: string;
  tokenId: string | null;
  role: string | null;
  team: string | null;
  action: string;
  target: string;
  requestId: string | null;
  outcome: 'succeeded' | 'denied' | 'failed';
  status: number | null;
  details: Record<string, unknown>;
}

/** Filters of the audit log. */
export interface AuditFilter {
  actor?: string;
  action?: string;
  target?: string;
  /** ISO-8601 time. */
  since?: string;
  limit?: number;
  cursor?: string;
}

/** An Argo Workflow as `/api/v1/workflows` answers it (Argo's own shape). */
export interface ArgoWorkflow {
  apiVersion: string;
  kind: string;
  metadata: {
    name?: string;
    generateName?: string;
    namespace?: string;
    uid?: string;
    labels?: Record<string, string>;
    creationTimestamp?: string;
  };
  spec: Record<string, unknown>;
  status?: {
    phase?: string;
    message?: string;
    startedAt?: string;
    finishedAt?: string;
    progress?: string;
    nodes?: Record<string, RunNode & { templateRef?: { template?: string } }>;
    outputs?: { parameters?: { name: string; value?: string }[] };
  };
}

/** What `submitWorkflow` sends: a Workflow, or the name of a WorkflowTemplate to run. */
export interface SubmitWorkflowRequest {
  workflow?: unknown;
  workflowTemplate?: string;
  namespace?: string;
  /** `NAME=VALUE` each. */
  parameters?: string[];
}

/** The Workflow operations of `PUT /api/v1/workflows/{namespace}/{name}/{operation}`. */
export type WorkflowOperationName =
  'suspend' | 'resume' | 'stop' | 'terminate' | 'retry' | 'resubmit';

/** A request kind of the catalog, as `GET /api/v1/catalog` lists it. */
export interface KindSummary {
  name: string;
  title: string;
  description: string;
  approval: boolean;
  links: { self: string; requests: string };
}

/** A request kind with the JSON Schema of its input and what it runs. */
export interface Kind extends KindSummary {
  schema: Record<string, unknown>;
  runs: {
    eventSourceName: string;
    eventName: string;
    workflowTemplate: string;
    module: string | null;
  };
}

/** A resource provisioned through a catalog kind. */
export interface Resource {
  kind: string;
  name: string;
  status: string;
  team: string | null;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
  lastRequestId: string | null;
  message: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}
