/**
 * The persistence port. SQLite (embedded) implements it now; PostgreSQL
 * (clustered) implements the same interface beside it. Records are plain
 * data: JSON columns come back parsed, times are ISO-8601 strings.
 */

/** A page of results and the cursor for the next one (absent on the last page). */
export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

/** A Workflow as stored: its manifest and status, without the node map. */
export interface WorkflowRecord {
  uid: string;
  name: string;
  namespace: string;
  labels: Record<string, string>;
  phase: string;
  /** The request that caused it (label `plinth.dev/request-id`), if any. */
  requestId: string | null;
  createdAt: string;
  finishedAt: string | null;
  /** The whole Workflow object without `status` (metadata, spec). */
  manifest: Record<string, unknown>;
  /** `status` without `nodes`. */
  status: Record<string, unknown>;
}

export interface WorkflowListFilter {
  namespace?: string;
  /** Every label given must match. */
  labels?: Record<string, string>;
  phases?: string[];
  requestId?: string;
  limit?: number;
  cursor?: string;
}

/** One node of a Workflow's node tree (Argo's NodeStatus), keyed by its id. */
export interface WorkflowNodeRecord {
  workflowUid: string;
  nodeId: string;
  node: Record<string, unknown>;
}

export interface WorkflowRepository {
  /** Inserts a new Workflow; throws ConflictError when the name is taken in its namespace. */
  insert(record: WorkflowRecord): Promise<void>;
  /** Replaces phase, finishedAt, labels and status (and manifest when given). */
  update(
    uid: string,
    patch: Partial<Pick<WorkflowRecord, 'phase' | 'finishedAt' | 'status' | 'labels' | 'manifest'>>,
  ): Promise<void>;
  get(uid: string): Promise<WorkflowRecord | undefined>;
  getByName(namespace: string, name: string): Promise<WorkflowRecord | undefined>;
  /** Every Workflow of that name, in any namespace (run ids are Workflow names). */
  findByName(name: string): Promise<WorkflowRecord[]>;
  /** Newest first. */
  list(filter?: WorkflowListFilter): Promise<Page<WorkflowRecord>>;
  /** Inserts or replaces nodes, in one transaction. */
  upsertNodes(nodes: WorkflowNodeRecord[]): Promise<void>;
  nodes(workflowUid: string): Promise<WorkflowNodeRecord[]>;
  delete(uid: string): Promise<void>;
}

export type LogStream = 'stdout' | 'stderr';

export interface LogLine {
  workflowUid: string;
  nodeId: string;
  stream: LogStream;
  time: string;
  text: string;
}

/** A stored log line; `seq` grows across the whole store and is the stream cursor. */
export interface StoredLogLine extends LogLine {
  seq: number;
}

export interface LogRepository {
  append(lines: LogLine[]): Promise<void>;
  /** Lines with seq > afterSeq, oldest first. */
  read(
    workflowUid: string,
    opts?: { nodeId?: string; afterSeq?: number; limit?: number },
  ): Promise<StoredLogLine[]>;
}

/** What a user asked for, through the API. */
export interface RequestRecord {
  id: string;
  /** Request kind, e.g. `environment`. */
  kind: string;
  /** `create`, `delete`, ... */
  action: string;
  /** What it acts on, e.g. the environment's name. */
  target: string;
  /** `Pending`, `Running`, `Succeeded`, `Failed`, `Error`. */
  status: string;
  requester: string;
  body: Record<string, unknown>;
  message: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface RequestRepository {
  insert(record: RequestRecord): Promise<void>;
  update(id: string, patch: Partial<Pick<RequestRecord, 'status' | 'message'>>): Promise<void>;
  get(id: string): Promise<RequestRecord | undefined>;
  list(filter?: {
    kind?: string;
    target?: string;
    limit?: number;
    cursor?: string;
  }): Promise<Page<RequestRecord>>;
}

export interface EnvironmentRecord {
  name: string;
  team: string | null;
  /** `Provisioning`, `Ready`, `Failed`, `Destroying`, `Destroyed`. */
  status: string;
  /** The inputs it was created with (region, ...). */
  inputs: Record<string, unknown>;
  /** Terraform outputs of its last apply. */
  outputs: Record<string, unknown>;
  /** The request now acting on it, or the last one that did. */
  lastRequestId: string | null;
  message: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface EnvironmentRepository {
  /** Inserts; throws ConflictError when the name exists and is not Destroyed. */
  insert(record: EnvironmentRecord): Promise<void>;
  /**
   * Updates when the current status is one of `ifStatus` (any when omitted);
   * answers whether a row changed, so callers can compare-and-set.
   */
  update(
    name: string,
    patch: Partial<Omit<EnvironmentRecord, 'name' | 'createdAt'>>,
    ifStatus?: string[],
  ): Promise<boolean>;
  get(name: string): Promise<EnvironmentRecord | undefined>;
  list(filter?: {
    team?: string;
    status?: string;
    limit?: number;
    cursor?: string;
  }): Promise<Page<EnvironmentRecord>>;
  /** Removes a Destroyed record so the name can be used again. */
  delete(name: string): Promise<void>;
}

export interface TokenRecord {
  id: string;
  name: string;
  role: string;
  team: string | null;
  /** SHA-256 of the secret, hex; the secret itself is never stored. */
  hash: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

export interface TokenRepository {
  insert(record: TokenRecord): Promise<void>;
  findByHash(hash: string): Promise<TokenRecord | undefined>;
  get(id: string): Promise<TokenRecord | undefined>;
  list(): Promise<TokenRecord[]>;
  touch(id: string, at: string): Promise<void>;
  revoke(id: string, at: string): Promise<void>;
  count(): Promise<number>;
}

/** The whole store. One per process; `close()` when done. */
export interface Store {
  readonly dialect: 'sqlite' | 'postgres';
  readonly workflows: WorkflowRepository;
  readonly logs: LogRepository;
  readonly requests: RequestRepository;
  readonly environments: EnvironmentRepository;
  readonly tokens: TokenRepository;
  close(): Promise<void>;
}
