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
  /** Only runs of requests made by this requester (the token's name). */
  requester?: string;
  /** Created at or after (RFC 3339). */
  since?: string;
  /** Created before (RFC 3339). */
  until?: string;
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
  /**
   * A run's progress in one transaction: its changed nodes inserted or
   * replaced, and phase, finishedAt, status (and manifest when given) set.
   * Everything is serialised when called, so callers need not copy.
   */
  saveProgress(
    uid: string,
    nodes: WorkflowNodeRecord[],
    patch: Partial<Pick<WorkflowRecord, 'phase' | 'finishedAt' | 'status' | 'manifest'>>,
  ): Promise<void>;
  nodes(workflowUid: string): Promise<WorkflowNodeRecord[]>;
  /** Removes nodes (a retry drops the failed ones), in one transaction. */
  deleteNodes(workflowUid: string, nodeIds: string[]): Promise<void>;
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
  /** What was asked: for a change, the inputs it proposes (its target keeps its own until applied). */
  body: Record<string, unknown>;
  message: string | null;
  createdAt: string;
  updatedAt: string;
  /** The status its target had when the request took it; a change not applied puts it back. */
  priorStatus?: string | null;
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
  /** When a TTL ends it (RFC 3339); null or absent: it never expires. */
  expiresAt?: string | null;
  /** When the warning before expiry was sent, for the current `expiresAt`. */
  expiryWarnedAt?: string | null;
  /** Protected environments never expire. */
  protected?: boolean;
  /** The last drift check: `{checkedAt, drifted, changes, runId}`; null before any. */
  drift?: Record<string, unknown> | null;
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
  /** Environments with an `expiresAt` at or before `before` in one of `statuses`, soonest first. */
  listExpiring(before: string, statuses: string[], limit?: number): Promise<EnvironmentRecord[]>;
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
  /**
   * Sets `lastUsedAt` to `at` unless it is already after `notAfter`; answers
   * whether it did, so one caller per interval wins.
   */
  touch(id: string, at: string, notAfter?: string): Promise<boolean>;
  revoke(id: string, at: string): Promise<void>;
  count(): Promise<number>;
}

/**
 * A CloudEvent as the event log keeps it: its context, its payload as parsed
 * JSON (text when the payload is not JSON), and when Plinth received it.
 */
export interface EventRecord {
  id: string;
  source: string;
  subject: string;
  type: string;
  time: string | null;
  datacontenttype: string | null;
  data: unknown;
  /** The id of the event this one replays (extension `plinthreplayof`), if any. */
  replayOf: string | null;
  receivedAt: string;
}

/** An event without its payload, as lists show it. */
export type EventSummaryRecord = Omit<EventRecord, 'data' | 'datacontenttype'>;

/** One decision of one sensor about one event, as it was made; never rewritten. */
export interface EventDecisionRecord {
  /** Grows across the whole store: the order decisions were made in. */
  seq: number;
  eventId: string;
  /** `<namespace>/<name>`. */
  sensor: string;
  /** Whether any trigger fired. */
  fired: boolean;
  /** The sensor's decision as it reported it (dependencies, triggers). */
  decision: Record<string, unknown>;
  decidedAt: string;
}

export interface EventListFilter {
  source?: string;
  subject?: string;
  type?: string;
  /** Received at or after this time (ISO-8601). */
  since?: string;
  /** Received before this time (ISO-8601). */
  until?: string;
  /** Only events this sensor decided about: `<namespace>/<name>`, or a bare name in any namespace. */
  sensor?: string;
  /**
   * `true`: events a trigger fired for (of `sensor`, when given); `false`:
   * events no trigger fired for, including those no sensor decided about.
   */
  fired?: boolean;
  limit?: number;
  cursor?: string;
}

export interface EventRepository {
  /** Keeps an event; answers false (and changes nothing) when one with its id is kept already. */
  insert(record: EventRecord): Promise<boolean>;
  /** Inserts many in one transaction; ids already kept are left as they are. */
  insertMany(records: EventRecord[]): Promise<void>;
  get(id: string): Promise<EventRecord | undefined>;
  /** Newest received first. */
  list(filter?: EventListFilter): Promise<Page<EventSummaryRecord>>;
  /** Appends a decision; answers its seq. */
  appendDecision(record: Omit<EventDecisionRecord, 'seq'>): Promise<number>;
  /** The decisions about these events, oldest first. */
  decisions(eventIds: readonly string[]): Promise<EventDecisionRecord[]>;
}

/** What an audit entry says about how the action ended. */
export type AuditOutcome = 'succeeded' | 'denied' | 'failed';

/** One audit log entry as written: who did what to what, when, and how it ended. */
export interface AuditEntry {
  time: string;
  /** The token's name (the person or system), or `system`. */
  actor: string;
  tokenId: string | null;
  role: string | null;
  team: string | null;
  /** e.g. `environments.create`, `runs.approve`, `token.use`. */
  action: string;
  /** e.g. `environments/dev-1`, `runs/env-abc`. */
  target: string;
  /** The HTTP request's id (`x-request-id`), when it came through the API. */
  requestId: string | null;
  outcome: AuditOutcome;
  /** The HTTP status of the answer, when there was one. */
  status: number | null;
  /** Non-secret facts worth keeping (a comment, an error code). */
  details: Record<string, unknown>;
}

/** A stored audit entry; `seq` grows with each append and is the page cursor. */
export interface StoredAuditEntry extends AuditEntry {
  seq: number;
}

export interface AuditListFilter {
  actor?: string;
  action?: string;
  target?: string;
  /** Entries at or after this ISO-8601 time. */
  since?: string;
  limit?: number;
  cursor?: string;
}

/** Append-only: there is no way to change or remove an entry. */
export interface AuditRepository {
  append(entry: AuditEntry): Promise<StoredAuditEntry>;
  /** Newest first. */
  list(filter?: AuditListFilter): Promise<Page<StoredAuditEntry>>;
}

/** The first answer to a write made with an `Idempotency-Key`. */
export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** One idempotency key of one caller (`scope`, the token id). */
export interface IdempotencyRecord {
  scope: string;
  key: string;
  /** Hash of what the first request asked (method, route, body). */
  fingerprint: string;
  /** `pending` while the first request runs, `done` once its answer is kept. */
  state: 'pending' | 'done';
  response: StoredResponse | null;
  createdAt: string;
  expiresAt: string;
}

export interface IdempotencyRepository {
  /**
   * Takes the key for a new request: inserts it as pending, or takes over an
   * expired record or a pending one created before `staleBefore` (its request
   * died). Answers undefined when taken, else the record that holds the key.
   */
  claim(record: IdempotencyRecord, staleBefore: string): Promise<IdempotencyRecord | undefined>;
  get(scope: string, key: string): Promise<IdempotencyRecord | undefined>;
  /** Keeps the answer of the request holding the key. */
  complete(scope: string, key: string, response: StoredResponse): Promise<void>;
  /** Gives the key up (the request failed in a way a retry may fix). */
  release(scope: string, key: string, fingerprint: string): Promise<void>;
  /** Deletes records that expired before `now`; answers how many. */
  purgeExpired(now: string): Promise<number>;
}

/** A team as the store knows it: named by tokens and environments. */
export interface TeamRecord {
  name: string;
  tokens: number;
  environments: number;
}

/** Counts for metrics and listings, computed by the database. */
export interface StatsRepository {
  /** Every team named by an active token or a not yet destroyed environment, by name. */
  teams(now: string): Promise<TeamRecord[]>;
  /** Workflows by phase (an empty phase counts as `Pending`). */
  workflowsByPhase(): Promise<Record<string, number>>;
}

/** An application in an environment; its state is that of its current deployment. */
export interface ApplicationRecord {
  environment: string;
  name: string;
  /** The team of the environment it runs in. */
  team: string | null;
  /** The deployment now acting on it, or the last one that did. */
  deploymentId: string;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

/** One deployment of an application: what was delivered, and how it went. */
export interface DeploymentRecord {
  /** The request's id. */
  id: string;
  environment: string;
  application: string;
  /** `deploy`, `rollback` or `configure`. */
  action: string;
  version: string;
  image: string;
  replicas: number;
  port: number;
  /** The configuration version delivered with it (none before the first is set). */
  configVersion: number | null;
  /** `Pending`, `Deploying`, `Deployed`, `Failed`. */
  status: string;
  /** The commit (GitOps) or the apply that delivered it. */
  revision: string | null;
  message: string | null;
  requester: string;
  createdAt: string;
  updatedAt: string;
}

/** One immutable version of an application's configuration; secrets stay sealed. */
export interface ConfigVersionRecord {
  environment: string;
  application: string;
  version: number;
  values: Record<string, string>;
  /** Secret name to its sealed (encrypted) value. */
  sealedSecrets: Record<string, string>;
  createdBy: string;
  createdAt: string;
}

export interface ApplicationRepository {
  /** Inserts the application or points it at a new deployment; and inserts the deployment, in one transaction. */
  recordDeployment(app: ApplicationRecord, deployment: DeploymentRecord): Promise<void>;
  get(environment: string, name: string): Promise<ApplicationRecord | undefined>;
  /** Ordered by name. */
  list(environment: string): Promise<ApplicationRecord[]>;
  getDeployment(id: string): Promise<DeploymentRecord | undefined>;
  /** Newest first. */
  deployments(environment: string, name: string, limit?: number): Promise<DeploymentRecord[]>;
  updateDeployment(
    id: string,
    patch: Partial<Pick<DeploymentRecord, 'status' | 'revision' | 'message' | 'updatedAt'>>,
  ): Promise<void>;
  /**
   * Adds the next version (the highest plus one) and answers it; concurrent
   * writers each get their own number.
   */
  addConfigVersion(record: Omit<ConfigVersionRecord, 'version'>): Promise<ConfigVersionRecord>;
  getConfigVersion(
    environment: string,
    name: string,
    version: number,
  ): Promise<ConfigVersionRecord | undefined>;
  latestConfigVersion(environment: string, name: string): Promise<ConfigVersionRecord | undefined>;
  /** Oldest first. */
  configVersions(environment: string, name: string): Promise<ConfigVersionRecord[]>;
}

/** A saved result of a memoized template (`memoize`), keyed by namespace, cache name and key. */
export interface MemoEntry {
  namespace: string;
  /** The cache's name (`memoize.cache.configMap.name`). */
  cacheName: string;
  key: string;
  /** The node whose outputs were saved. */
  nodeId: string;
  /** The node's outputs (Argo's Outputs object). */
  outputs: Record<string, unknown>;
  createdAt: string;
  lastHitAt: string | null;
}

/** The memoization caches of templates. */
export interface MemoRepository {
  get(namespace: string, cacheName: string, key: string): Promise<MemoEntry | undefined>;
  /** Inserts or replaces an entry. */
  save(entry: Omit<MemoEntry, 'lastHitAt'>): Promise<void>;
  /** Records that an entry was used. */
  hit(namespace: string, cacheName: string, key: string, time: string): Promise<void>;
  /** Deletes a cache's entries (all of them when no key is given); answers how many. */
  delete(namespace: string, cacheName: string, key?: string): Promise<number>;
}

/** The whole store. One per process; `close()` when done. */
export interface Store {
  readonly dialect: 'sqlite' | 'postgres';
  readonly workflows: WorkflowRepository;
  readonly logs: LogRepository;
  readonly requests: RequestRepository;
  readonly environments: EnvironmentRepository;
  readonly tokens: TokenRepository;
  readonly audit: AuditRepository;
  readonly idempotency: IdempotencyRepository;
  readonly stats: StatsRepository;
  readonly events: EventRepository;
  readonly memos: MemoRepository;
  readonly applications: ApplicationRepository;
  readonly resources: ResourceRepository;
  readonly claims: ClaimRepository;
  readonly runOperations: RunOperationRepository;
  readonly syncLocks: SyncLockRepository;
  readonly sensorState: SensorStateRepository;
  readonly notifications: NotificationRepository;
  close(): Promise<void>;
}

/** A resource provisioned through a catalog request kind (compute, storage, ...). */
export interface ResourceRecord {
  /** The request kind, e.g. `compute`. */
  kind: string;
  /** Unique within its kind; also its Terraform workspace. */
  name: string;
  team: string | null;
  /** `Provisioning`, `Ready`, `Failed`, `Destroying`, `Destroyed`. */
  status: string;
  /** The request's input, as validated against the kind's schema. */
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

export interface ResourceRepository {
  /** Inserts; throws ConflictError when the kind and name exist. */
  insert(record: ResourceRecord): Promise<void>;
  /** Updates when the current status is one of `ifStatus` (any when omitted); answers whether a row changed. */
  update(
    kind: string,
    name: string,
    patch: Partial<Omit<ResourceRecord, 'kind' | 'name' | 'createdAt' | 'createdBy'>>,
    ifStatus?: string[],
  ): Promise<boolean>;
  get(kind: string, name: string): Promise<ResourceRecord | undefined>;
  /** Newest first. */
  list(filter?: {
    kind?: string;
    team?: string;
    status?: string;
    limit?: number;
    cursor?: string;
  }): Promise<Page<ResourceRecord>>;
}

/** A request for a lease on one piece of work. */
export interface ClaimRequest {
  /** What sort of work, e.g. `workflow`. */
  kind: string;
  id: string;
  /** The claiming process, unique per process start. */
  owner: string;
  /** ISO-8601 UTC; a lease whose `expiresAt` is before it is free to take. */
  now: string;
  expiresAt: string;
}

/** Leases that let N processes sharing one store split work without doing any of it twice. */
export interface ClaimRepository {
  /** Takes the lease when it is free, expired or already the owner's; false when another owner holds it. */
  claim(request: ClaimRequest): Promise<boolean>;
  /** Extends every lease of that kind the owner still holds; answers their ids (the others were taken over). */
  renew(kind: string, owner: string, expiresAt: string): Promise<string[]>;
  /** Gives a lease up; a no-op unless the owner holds it. */
  release(kind: string, id: string, owner: string): Promise<void>;
  releaseAll(kind: string, owner: string): Promise<void>;
  /** Who holds the lease, if anyone has (expired or not). */
  owner(kind: string, id: string): Promise<{ owner: string; expiresAt: string } | undefined>;
}

/** One request for a slot of a lock, by a holder (`<ns>/<workflow>[/<nodeId>]`). */
export interface SyncSlotRequest {
  lock: string;
  /** A mutex holds 1, a semaphore its ConfigMap limit. */
  limit: number;
  holder: string;
  /** `<namespace>/<name>` of the holder's Workflow. */
  workflow: string;
  now: string;
}

/** Mutexes and semaphores shared by the processes of one store. */
export interface SyncLockRepository {
  /**
   * Takes a free slot unless the limit is reached or an earlier waiter is
   * queued; true when `holder` holds the lock (already did, or now). Slots are
   * rows with a primary key, so two processes never take the same one.
   */
  take(request: SyncSlotRequest): Promise<boolean>;
  /** Queues `holder` for the lock (a no-op when it is queued already). */
  wait(request: Omit<SyncSlotRequest, 'limit'>): Promise<void>;
  /** Who holds the lock now. */
  holders(lock: string): Promise<string[]>;
  /** Gives up the holder's slots and places in queues (of every lock, or those named). */
  release(holder: string, locks?: readonly string[]): Promise<void>;
  /** The same for every holder that is `prefix` or starts with `prefix/` (a whole Workflow). */
  releaseAllOf(prefix: string): Promise<void>;
  /** Drops slots and places of Workflows that are no longer Pending or Running (ended, deleted). */
  purge(): Promise<number>;
}

/** An operation on a run asked of one process for the process that runs it. */
export interface RunOperationRecord {
  id: string;
  workflowUid: string;
  /** The process asked to apply it (the claim's owner when it was asked). */
  owner: string;
  /** `resume`, `reject`, `stop`, `terminate`, `suspend`. */
  operation: string;
  args: Record<string, unknown>;
  /** `pending` (asked), `taken` (the owner is applying it), `done` (answered). */
  state: 'pending' | 'taken' | 'done';
  /** When it failed: the error, as `{code, message, errors?, details?}`. */
  error: Record<string, unknown> | null;
  requestedAt: string;
  answeredAt: string | null;
}

/** The requests of one process to another to operate on a run it holds. */
export interface RunOperationRepository {
  request(record: Omit<RunOperationRecord, 'state' | 'error' | 'answeredAt'>): Promise<void>;
  get(id: string): Promise<RunOperationRecord | undefined>;
  /** The owner's pending requests, oldest first. */
  pending(owner: string): Promise<RunOperationRecord[]>;
  /** pending → taken; false when it was taken, answered or withdrawn already. */
  take(id: string): Promise<boolean>;
  /** taken → done, with the error when it failed. */
  answer(id: string, error: Record<string, unknown> | null, at: string): Promise<void>;
  /** Deletes a request still pending (its owner went away); false when the owner took it. */
  withdraw(id: string): Promise<boolean>;
  /** Deletes it whatever its state (the asker has read the answer). */
  remove(id: string): Promise<void>;
  /** Deletes requests asked before `before` (their askers went away). */
  prune(before: string): Promise<number>;
}

/** An event a sensor's trigger holds while its conditions wait for more. */
export interface SensorHeldRecord {
  trigger: string;
  dependency: string;
  /** The CloudEvent (structured JSON). */
  event: Record<string, unknown>;
  /** When the trigger received it (epoch ms), for `conditionsReset`. */
  receivedAt: number;
}

/** What sensors keep across restarts (held events, handled event ids, trigger firings). */
export interface SensorStateRepository {
  /** Every event the sensor's triggers hold. */
  held(sensor: string): Promise<SensorHeldRecord[]>;
  isHandled(sensor: string, eventId: string): Promise<boolean>;
  /**
   * In one transaction: replaces what each listed trigger holds with `held`
   * (its records for those triggers) and marks the event handled.
   */
  commit(
    sensor: string,
    eventId: string,
    triggers: readonly string[],
    held: readonly SensorHeldRecord[],
    now: number,
  ): Promise<void>;
  /** What the trigger's firing with these events returned, when it already fired. */
  firing(sensor: string, trigger: string, key: string): Promise<{ result: unknown } | undefined>;
  /** Records a firing; recording the same one again keeps the first. */
  recordFiring(
    sensor: string,
    trigger: string,
    key: string,
    result: unknown,
    now: number,
  ): Promise<void>;
  /** Forgets handled event ids and firings older than `before` (epoch ms); returns how many. */
  purge(before: number): Promise<number>;
}

/** Where an outgoing notification is: waiting to be delivered, delivered, or given up. */
export type NotificationDeliveryState = 'pending' | 'delivered' | 'failed';

/** One notification to one target. */
export interface NotificationDeliveryRecord {
  /** The same fact reported twice has the same key. */
  dedupeKey: string;
  /** The target's name (or URL). */
  target: string;
  /** The notification as sent (JSON), so a restart sends exactly it. */
  notification: Record<string, unknown>;
  state: NotificationDeliveryState;
  attempts: number;
  /** Epoch ms. */
  createdAt: number;
  updatedAt: number;
}

/** Outgoing notifications, kept so that a restart neither resends nor loses one. */
export interface NotificationRepository {
  /** Records a pending delivery; false when one with this key and target exists already. */
  add(record: NotificationDeliveryRecord): Promise<boolean>;
  /** Sets a delivery's end state (or its attempts so far, still `pending`). */
  update(
    dedupeKey: string,
    target: string,
    change: { state: NotificationDeliveryState; attempts: number; updatedAt: number },
  ): Promise<void>;
  /** Deliveries still pending, oldest first. */
  pending(limit?: number): Promise<NotificationDeliveryRecord[]>;
  /** Forgets delivered and failed deliveries older than `before` (epoch ms); returns how many. */
  purge(before: number): Promise<number>;
}
