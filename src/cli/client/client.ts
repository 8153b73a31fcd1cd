import { ErrorCodes, PlinthError, type ErrorCode } from '../../errors/index.js';
import { parseEventStream } from './sse.js';
import type {
  ArgoWorkflow,
  SubmitWorkflowRequest,
  WorkflowOperationName,
  AcceptedRequest,
  AuditEntry,
  AuditFilter,
  CreatedToken,
  Team,
  Token,
  TokenRole,
  Environment,
  EnvironmentChange,
  EventDetail,
  EventFilter,
  EventSummary,
  Kind,
  KindSummary,
  List,
  LogEntry,
  PlatformRequest,
  Problem,
  ReplayedEvent,
  Resource,
  Run,
  RunSummary,
} from './types.js';

/** How to reach the API. */
export interface PlinthClientOptions {
  /** Base URL of the Plinth server, e.g. `http://127.0.0.1:8000`. */
  server: string;
  /** Bearer token. */
  token?: string | undefined;
  /** The fetch to use; default the global one. */
  fetch?: typeof fetch;
}

/** Query values; `undefined` ones are left out. */
export type Query = Record<string, string | number | boolean | undefined>;

/** Options of one raw call. */
export interface CallOptions {
  query?: Query;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** The typed client of Plinth's HTTP API, shared by the CLI and the portal. */
export interface PlinthClient {
  readonly server: string;
  /** Any JSON call; throws a PlinthError built from the problem+json answer. */
  call<T>(method: string, path: string, opts?: CallOptions): Promise<T>;
  createEnvironment(
    input: {
      name: string;
      region: string;
      team?: string | undefined;
      tier?: string | undefined;
      ttl?: string | undefined;
      protected?: boolean | undefined;
    },
    opts?: { idempotencyKey?: string },
  ): Promise<AcceptedRequest>;
  /** A request when the infrastructure changes (region, team), else the environment as changed. */
  updateEnvironment(
    name: string,
    input: EnvironmentChange,
    opts?: { idempotencyKey?: string },
  ): Promise<{ request: AcceptedRequest } | { environment: Environment }>;
  extendEnvironment(name: string, ttl: string): Promise<Environment>;
  checkEnvironmentDrift(name: string): Promise<AcceptedRequest>;
  reconcileEnvironment(name: string): Promise<AcceptedRequest>;
  listEnvironments(filter?: { team?: string; status?: string }): Promise<List<Environment>>;
  getEnvironment(name: string): Promise<Environment>;
  deleteEnvironment(name: string, opts?: { idempotencyKey?: string }): Promise<AcceptedRequest>;
  getRequest(id: string): Promise<PlatformRequest>;
  listKinds(): Promise<{ items: KindSummary[] }>;
  getKind(kind: string): Promise<Kind>;
  createResource(
    kind: string,
    input: Record<string, unknown>,
    opts?: { idempotencyKey?: string },
  ): Promise<AcceptedRequest>;
  listResources(filter?: {
    kind?: string;
    team?: string;
    status?: string;
    cursor?: string;
  }): Promise<List<Resource>>;
  getResource(kind: string, name: string): Promise<Resource>;
  /** New inputs for a resource: all of them (`replace`, PUT) or the fields to change (PATCH). */
  updateResource(
    kind: string,
    name: string,
    input: Record<string, unknown>,
    opts?: { replace?: boolean; idempotencyKey?: string },
  ): Promise<AcceptedRequest>;
  deleteResource(
    kind: string,
    name: string,
    opts?: { idempotencyKey?: string },
  ): Promise<AcceptedRequest>;
  listRuns(filter?: {
    kind?: string;
    environment?: string;
    phase?: string;
    requestId?: string;
    requester?: string;
    since?: string;
    until?: string;
    limit?: number;
    cursor?: string;
  }): Promise<List<RunSummary>>;
  getRun(id: string): Promise<Run>;
  /** The logs so far, as the server formats them for people. */
  getRunLogs(id: string): Promise<string>;
  /** The logs so far, then each new line until the run ends or `signal` aborts. */
  followRunLogs(id: string, opts?: { signal?: AbortSignal }): AsyncGenerator<LogEntry>;
  approveRun(id: string, opts?: { comment?: string | undefined }): Promise<Run>;
  rejectRun(id: string, opts?: { comment?: string | undefined }): Promise<Run>;
  /** Issues a token (admins only); the answer holds its secret, once. */
  createToken(
    input: {
      name: string;
      role: TokenRole;
      team?: string | undefined;
      expiresIn?: string | undefined;
    },
    opts?: { idempotencyKey?: string },
  ): Promise<CreatedToken>;
  listTokens(): Promise<List<Token>>;
  revokeToken(id: string): Promise<Token>;
  listTeams(): Promise<List<Team>>;
  /** The audit log, newest first. */
  listAudit(filter?: AuditFilter): Promise<List<AuditEntry>>;
  /** Events newest first, each with every sensor's decision about it. */
  listEvents(filter?: EventFilter): Promise<List<EventSummary>>;
  /** One event with its payload and decisions. */
  getEvent(id: string): Promise<EventDetail>;
  /** Delivers a stored event to the sensors again, as a new event. */
  replayEvent(id: string): Promise<ReplayedEvent>;
  /** Retries a Failed or Error run from its failed node. */
  retryRun(id: string): Promise<Run>;
  /** Cancels a run (Argo's terminate). */
  cancelRun(id: string): Promise<Run>;
  submitWorkflow(
    input: SubmitWorkflowRequest,
    opts?: { idempotencyKey?: string },
  ): Promise<ArgoWorkflow>;
  listWorkflows(filter?: {
    namespace?: string;
    labels?: string;
    phase?: string;
    cursor?: string;
  }): Promise<List<ArgoWorkflow>>;
  getWorkflow(namespace: string, name: string): Promise<ArgoWorkflow>;
  /** The logs so far, as `node: text` lines. */
  getWorkflowLogs(namespace: string, name: string): Promise<string>;
  /** The logs so far, then each new line until the Workflow ends or `signal` aborts. */
  followWorkflowLogs(
    namespace: string,
    name: string,
    opts?: { signal?: AbortSignal },
  ): AsyncGenerator<LogEntry>;
  /** suspend, resume, stop, terminate, retry or resubmit (which answers the new Workflow). */
  operateWorkflow(
    operation: WorkflowOperationName,
    namespace: string,
    name: string,
    body?: Record<string, unknown>,
  ): Promise<ArgoWorkflow>;
  deleteWorkflow(namespace: string, name: string): Promise<void>;
}

const codeForStatus: Record<number, ErrorCode> = {
  400: 'INVALID_INPUT',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  422: 'IDEMPOTENCY_MISMATCH',
  503: 'UNAVAILABLE',
};

function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ErrorCodes, code);
}

/** Turns an error answer into a PlinthError carrying the server's code, detail and field problems. */
async function problemError(res: Response): Promise<PlinthError> {
  const text = await res.text().catch(() => '');
  let problem: Problem = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object') problem = parsed as Problem;
  } catch {
    problem = { detail: text.trim() || undefined };
  }
  const code = isErrorCode(problem.code) ? problem.code : (codeForStatus[res.status] ?? 'INTERNAL');
  const detail = problem.detail || problem.title || `${res.status} ${res.statusText}`.trim();
  return new PlinthError(code, detail, {
    errors: Array.isArray(problem.errors) ? problem.errors : [],
    details: {
      httpStatus: res.status,
      ...(problem.code === undefined ? {} : { serverCode: problem.code }),
      ...(problem.type === undefined ? {} : { type: problem.type }),
    },
  });
}

const enc = encodeURIComponent;

/** Creates a client of the Plinth API at `opts.server`. Works wherever `fetch` does. */
export function createPlinthClient(opts: PlinthClientOptions): PlinthClient {
  const server = opts.server.replace(/\/+$/, '');
  const doFetch = opts.fetch ?? ((input, init) => fetch(input, init));

  function url(path: string, query?: Query): string {
    const u = new URL(server + path);
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v !== undefined && v !== '') u.searchParams.set(k, String(v));
    }
    return u.toString();
  }

  async function send(
    method: string,
    path: string,
    o: CallOptions,
    accept: string,
  ): Promise<Response> {
    const headers: Record<string, string> = { accept, ...o.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let body: string | undefined;
    if (o.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(o.body);
    }
    let res: Response;
    try {
      res = await doFetch(url(path, o.query), {
        method,
        headers,
        ...(body === undefined ? {} : { body }),
        ...(o.signal ? { signal: o.signal } : {}),
      });
    } catch (err) {
      if (o.signal?.aborted) throw err;
      throw new PlinthError(
        'UNAVAILABLE',
        `cannot reach Plinth at ${server} (is \`plinth up\` running?)`,
        { cause: err },
      );
    }
    if (!res.ok) throw await problemError(res);
    return res;
  }

  async function call<T>(method: string, path: string, o: CallOptions = {}): Promise<T> {
    const res = await send(method, path, o, 'application/json');
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  async function accepted(method: string, path: string, o: CallOptions): Promise<AcceptedRequest> {
    const res = await send(method, path, o, 'application/json');
    const body = (await res.json()) as AcceptedRequest;
    const location = res.headers.get('location');
    return location ? { ...body, location } : body;
  }

  function idempotency(key: string | undefined): Record<string, string> {
    return key ? { 'idempotency-key': key } : {};
  }

  function followRunLogs(id: string, o: { signal?: AbortSignal } = {}) {
    return followLogs(`/api/v1/runs/${enc(id)}/logs`, o);
  }

  async function* followLogs(
    path: string,
    o: { signal?: AbortSignal } = {},
  ): AsyncGenerator<LogEntry> {
    let lastId: string | undefined;
    let reconnects = 0;
    for (;;) {
      const res = await send(
        'GET',
        path,
        {
          query: { follow: true },
          headers: lastId === undefined ? {} : { 'last-event-id': lastId },
          ...(o.signal ? { signal: o.signal } : {}),
        },
        'text/event-stream',
      );
      if (!res.body) return;
      let progressed = false;
      for await (const ev of parseEventStream(res.body)) {
        if (ev.event === 'end') return;
        if (ev.id !== undefined) lastId = ev.id;
        // The API names its line events `log`; unnamed ones are lines too.
        if (ev.event !== 'log' && ev.event !== 'message') continue;
        progressed = true;
        const entry = JSON.parse(ev.data) as LogEntry;
        yield ev.id === undefined ? entry : { ...entry, seq: ev.id };
      }
      // The stream dropped before `end`: resume after the last line seen, a few times.
      reconnects = progressed ? 0 : reconnects + 1;
      if (reconnects > 3 || o.signal?.aborted) return;
    }
  }

  return {
    server,
    call,
    createEnvironment: (input, o = {}) =>
      accepted('POST', '/api/v1/environments', {
        body: Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)),
        headers: idempotency(o.idempotencyKey),
      }),
    async updateEnvironment(name, input, o = {}) {
      const res = await send(
        'PATCH',
        `/api/v1/environments/${enc(name)}`,
        {
          body: Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)),
          headers: idempotency(o.idempotencyKey),
        },
        'application/json',
      );
      if (res.status === 202) {
        const body = (await res.json()) as AcceptedRequest;
        const location = res.headers.get('location');
        return { request: location ? { ...body, location } : body };
      }
      return { environment: (await res.json()) as Environment };
    },
    extendEnvironment: (name, ttl) =>
      call('POST', `/api/v1/environments/${enc(name)}/extend`, { body: { ttl } }),
    checkEnvironmentDrift: (name) =>
      accepted('POST', `/api/v1/environments/${enc(name)}/drift-check`, {}),
    reconcileEnvironment: (name) =>
      accepted('POST', `/api/v1/environments/${enc(name)}/reconcile`, {}),
    listEnvironments: (filter = {}) => call('GET', '/api/v1/environments', { query: filter }),
    getEnvironment: (name) => call('GET', `/api/v1/environments/${enc(name)}`),
    deleteEnvironment: (name, o = {}) =>
      accepted('DELETE', `/api/v1/environments/${enc(name)}`, {
        headers: idempotency(o.idempotencyKey),
      }),
    getRequest: (id) => call('GET', `/api/v1/requests/${enc(id)}`),
    listKinds: () => call('GET', '/api/v1/catalog'),
    getKind: (kind) => call('GET', `/api/v1/catalog/${enc(kind)}`),
    createResource: (kind, input, o = {}) =>
      accepted('POST', `/api/v1/infrastructure/${enc(kind)}`, {
        body: input,
        headers: idempotency(o.idempotencyKey),
      }),
    listResources: (filter = {}) => call('GET', '/api/v1/infrastructure', { query: filter }),
    getResource: (kind, name) => call('GET', `/api/v1/infrastructure/${enc(kind)}/${enc(name)}`),
    updateResource: (kind, name, input, o = {}) =>
      accepted(o.replace ? 'PUT' : 'PATCH', `/api/v1/infrastructure/${enc(kind)}/${enc(name)}`, {
        body: input,
        headers: idempotency(o.idempotencyKey),
      }),
    deleteResource: (kind, name, o = {}) =>
      accepted('DELETE', `/api/v1/infrastructure/${enc(kind)}/${enc(name)}`, {
        headers: idempotency(o.idempotencyKey),
      }),
    listRuns: (filter = {}) => call('GET', '/api/v1/runs', { query: filter }),
    getRun: (id) => call('GET', `/api/v1/runs/${enc(id)}`),
    getRunLogs: async (id) =>
      (await send('GET', `/api/v1/runs/${enc(id)}/logs`, {}, 'text/plain')).text(),
    followRunLogs,
    approveRun: (id, o = {}) =>
      call('POST', `/api/v1/runs/${enc(id)}/approve`, { body: commentBody(o.comment) }),
    rejectRun: (id, o = {}) =>
      call('POST', `/api/v1/runs/${enc(id)}/reject`, { body: commentBody(o.comment) }),
    createToken: (input, o = {}) =>
      call('POST', '/api/v1/tokens', {
        body: Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)),
        headers: idempotency(o.idempotencyKey),
      }),
    listTokens: () => call('GET', '/api/v1/tokens'),
    revokeToken: (id) => call('DELETE', `/api/v1/tokens/${enc(id)}`),
    listTeams: () => call('GET', '/api/v1/teams'),
    listAudit: (filter = {}) => call('GET', '/api/v1/audit', { query: { ...filter } }),
    listEvents: (filter = {}) => call('GET', '/api/v1/events', { query: { ...filter } }),
    getEvent: (id) => call('GET', `/api/v1/events/${enc(id)}`),
    retryRun: (id) => call('POST', `/api/v1/runs/${enc(id)}/retry`),
    cancelRun: (id) => call('POST', `/api/v1/runs/${enc(id)}/cancel`),
    submitWorkflow: (input, o = {}) =>
      call('POST', '/api/v1/workflows', { body: input, headers: idempotency(o.idempotencyKey) }),
    listWorkflows: (filter = {}) => call('GET', '/api/v1/workflows', { query: { ...filter } }),
    getWorkflow: (ns, name) => call('GET', `/api/v1/workflows/${enc(ns)}/${enc(name)}`),
    getWorkflowLogs: async (ns, name) =>
      (await send('GET', `/api/v1/workflows/${enc(ns)}/${enc(name)}/log`, {}, 'text/plain')).text(),
    followWorkflowLogs: (ns, name, o = {}) =>
      followLogs(`/api/v1/workflows/${enc(ns)}/${enc(name)}/log`, o),
    operateWorkflow: (op, ns, name, body = {}) =>
      call('PUT', `/api/v1/workflows/${enc(ns)}/${enc(name)}/${op}`, { body }),
    deleteWorkflow: (ns, name) => call('DELETE', `/api/v1/workflows/${enc(ns)}/${enc(name)}`),
    replayEvent: async (id) => {
      const res = await send('POST', `/api/v1/events/${enc(id)}/replay`, {}, 'application/json');
      const body = (await res.json()) as ReplayedEvent;
      const location = res.headers.get('location');
      return location ? { ...body, location } : body;
    },
  };
}

function commentBody(comment: string | undefined): { comment?: string } {
  return comment === undefined ? {} : { comment };
}
