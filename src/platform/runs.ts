import { InputError, NotFoundError, PlinthError } from '../errors/index.js';
import type { Store, WorkflowRecord } from '../store/index.js';
import type { WorkflowEngine } from '../workflows/index.js';
import { Permission, authorize, type AuthzResource } from './authorization.js';
import { RESOURCE_LABEL } from './infrastructure.js';
import { tierOf } from './environments.js';
import {
  Labels,
  type DecisionInput,
  type Principal,
  type RunListFilter,
  type RunService,
  type RunSummary,
  type RunView,
} from './types.js';
import {
  byStart,
  displayPhase,
  factsFromRecord,
  factsFromWorkflow,
  globalOutputs,
  planSummaryOf,
  str,
  waitingNode,
  type WorkflowFacts,
} from './workflow-facts.js';

function summaryOf(facts: WorkflowFacts): RunSummary {
  return {
    id: facts.name,
    name: facts.name,
    namespace: facts.namespace,
    requestId: facts.labels[Labels.requestId] ?? null,
    kind: facts.labels[Labels.kind] ?? null,
    environment: facts.labels[Labels.environment] ?? null,
    action: facts.labels[Labels.action] ?? null,
    phase: displayPhase(facts.phase),
    message: str(facts.status['message']),
    startedAt: str(facts.status['startedAt']) ?? facts.createdAt,
    finishedAt: str(facts.status['finishedAt']),
    progress: str(facts.status['progress']),
  };
}

/** The run as the API shows it, from whatever source the Workflow came. */
export function runViewOf(facts: WorkflowFacts): RunView {
  const waiting = waitingNode(facts);
  const plan = planSummaryOf(facts);
  return {
    ...summaryOf(facts),
    waitingForApproval: waiting !== undefined,
    approval: waiting ? { node: waiting.displayName || waiting.name, planSummary: plan } : null,
    plan,
    outputs: globalOutputs(facts),
    nodes: byStart(facts.nodes).map((n) => ({
      id: n.id,
      name: n.name,
      displayName: n.displayName,
      type: n.type,
      templateName: n.templateName ?? n.templateRef?.template ?? null,
      phase: n.phase,
      message: str(n.message),
      startedAt: str(n.startedAt),
      finishedAt: str(n.finishedAt),
      outputs: n.outputs ? { ...n.outputs } : null,
    })),
  };
}

/** An RFC 3339 time, normalized to UTC so it compares with stored times. */
function timeFilter(field: 'since' | 'until', value: string): string {
  const time = Date.parse(value);
  if (Number.isNaN(time)) {
    throw new InputError(`${field} is not a time`, {
      errors: [
        {
          field,
          message: 'is not an RFC 3339 time',
          fix: 'give e.g. 2026-03-01T10:00:00Z',
        },
      ],
    });
  }
  return new Date(time).toISOString();
}

function summaryOfRecord(record: WorkflowRecord): RunSummary {
  return summaryOf(factsFromRecord(record, []));
}

export function createRunService(deps: { store: Store; engine: WorkflowEngine }): RunService {
  const { store, engine } = deps;

  /** Run ids are Workflow names; when a name exists in several namespaces the newest wins. */
  async function find(id: string): Promise<WorkflowRecord> {
    const found = await store.workflows.findByName(id);
    const newest = [...found].sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1))[0];
    if (!newest) throw new NotFoundError(`run "${id}" does not exist`, { details: { run: id } });
    return newest;
  }

  async function load(id: string): Promise<WorkflowFacts> {
    const record = await find(id);
    return factsFromRecord(record, await store.workflows.nodes(record.uid));
  }

  /**
   * A run belongs to the team of its environment, or of the catalog resource it
   * provisions (whose tier is that of the environment it names); without
   * either, only admins decide on it.
   */
  async function runResource(facts: WorkflowFacts): Promise<AuthzResource> {
    const kind = facts.labels[Labels.kind];
    const resourceName = facts.labels[RESOURCE_LABEL];
    const resource =
      kind !== undefined && resourceName !== undefined
        ? await store.resources.get(kind, resourceName)
        : undefined;
    const resourceEnv = resource?.inputs['environment'];
    const envName =
      facts.labels[Labels.environment] ??
      (typeof resourceEnv === 'string' ? resourceEnv : undefined);
    const env = envName === undefined ? undefined : await store.environments.get(envName);
    const requestId = facts.labels[Labels.requestId];
    const request = requestId === undefined ? undefined : await store.requests.get(requestId);
    return {
      kind: 'run',
      name: facts.name,
      team: resource ? resource.team : (env?.team ?? null),
      tier: env ? tierOf(env) : null,
      requester: request?.requester ?? null,
    };
  }

  async function decide(id: string, input: DecisionInput, verb: 'approve' | 'reject') {
    const facts = await load(id);
    if (!waitingNode(facts)) {
      throw new PlinthError(
        'NOT_WAITING',
        `run "${id}" is not waiting for approval (its phase is ${displayPhase(facts.phase)})`,
        { details: { run: id, phase: displayPhase(facts.phase) } },
      );
    }
    const resource = await runResource(facts);
    // Rejecting one's own production request withdraws it; only approving it is barred.
    authorize(
      input.actor,
      Permission.RunsApprove,
      verb === 'approve' ? resource : { ...resource, requester: null },
    );
    const options = {
      actor: input.actor.name,
      ...(input.comment === undefined ? {} : { message: input.comment }),
    };
    const wf =
      verb === 'approve'
        ? await engine.resume(facts.namespace, facts.name, options)
        : await engine.reject(facts.namespace, facts.name, options);
    return runViewOf(factsFromWorkflow(wf));
  }

  /** Retry and cancel: whoever may request work for the run's team. */
  async function operate(id: string, actor: Principal, verb: 'retry' | 'cancel') {
    const facts = await load(id);
    authorize(actor, Permission.RunsWrite, { ...(await runResource(facts)), requester: null });
    const wf =
      verb === 'retry'
        ? await engine.retry(facts.namespace, facts.name)
        : await engine.terminate(facts.namespace, facts.name);
    return runViewOf(factsFromWorkflow(wf));
  }

  return {
    retry: (id, actor) => operate(id, actor, 'retry'),
    cancel: (id, actor) => operate(id, actor, 'cancel'),

    async list(filter: RunListFilter = {}) {
      const labels: Record<string, string> = {};
      if (filter.kind !== undefined) labels[Labels.kind] = filter.kind;
      if (filter.environment !== undefined) labels[Labels.environment] = filter.environment;
      const page = await store.workflows.list({
        labels,
        ...(filter.phase === undefined
          ? {}
          : { phases: filter.phase === 'Pending' ? ['Pending', ''] : [filter.phase] }),
        ...(filter.requestId === undefined ? {} : { requestId: filter.requestId }),
        ...(filter.requester === undefined ? {} : { requester: filter.requester }),
        ...(filter.since === undefined ? {} : { since: timeFilter('since', filter.since) }),
        ...(filter.until === undefined ? {} : { until: timeFilter('until', filter.until) }),
        ...(filter.limit === undefined ? {} : { limit: filter.limit }),
        ...(filter.cursor === undefined ? {} : { cursor: filter.cursor }),
      });
      return {
        items: page.items.map(summaryOfRecord),
        ...(page.nextCursor === undefined ? {} : { nextCursor: page.nextCursor }),
      };
    },

    async get(id) {
      return runViewOf(await load(id));
    },

    async logs(id, options = {}) {
      const facts = await load(id);
      if (options.nodeId !== undefined && !facts.nodes.some((n) => n.id === options.nodeId)) {
        throw new NotFoundError(`run "${id}" has no node "${options.nodeId}"`, {
          details: { run: id, node: options.nodeId },
        });
      }
      return engine.logs(facts.namespace, facts.name, {
        ...(options.nodeId === undefined ? {} : { nodeId: options.nodeId }),
        ...(options.afterSeq === undefined ? {} : { afterSeq: options.afterSeq }),
        follow: options.follow ?? false,
      });
    },

    approve: (id, input) => decide(id, input, 'approve'),
    reject: (id, input) => decide(id, input, 'reject'),
  };
}
