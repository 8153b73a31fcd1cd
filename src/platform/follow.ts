import type { Logger } from '../logging/index.js';
import { isPlinthError } from '../errors/index.js';
import type { EnvironmentRecord, RequestRecord, Store } from '../store/index.js';
import type { WorkflowEngine } from '../workflows/index.js';
import { ENVIRONMENT_KIND } from './environments.js';
import { RESOURCE_LABEL } from './infrastructure.js';
import { EnvironmentStatus, Labels, RequestStatus } from './types.js';
import {
  factsFromRecord,
  factsFromWorkflow,
  failureMessage,
  isFinalPhase,
  str,
  terraformOutputsOf,
  waitingNode,
  type WorkflowFacts,
} from './workflow-facts.js';

/** Keeps requests and environments in step with the Workflows they caused. */
export interface StatusFollower {
  start(): Promise<void>;
  stop(): Promise<void>;
  settled(): Promise<void>;
  /** Applies one Workflow's state now (reconciliation uses it too). */
  apply(facts: WorkflowFacts): Promise<void>;
}

const RECONCILE_PAGE = 200;
const CAS_ATTEMPTS = 3;

function requestStatusOf(phase: string): string {
  switch (phase) {
    case 'Running':
    case 'Succeeded':
    case 'Failed':
    case 'Error':
      return phase;
    default:
      return RequestStatus.Pending;
  }
}

function isFinalRequest(status: string): boolean {
  return isFinalPhase(status);
}

/** Requests that change (or re-apply) what a target already has, rather than create or destroy it. */
const CHANGES: ReadonlySet<string> = new Set(['update', 'reconcile']);

/** Whether a run ended at its approval: rejected, so nothing after it ran. */
function rejectedAtApproval(facts: WorkflowFacts): boolean {
  return facts.nodes.some(
    (n) => n.type === 'Suspend' && (n.phase === 'Failed' || n.phase === 'Error'),
  );
}

/**
 * The state a run puts an environment (or a resource of a catalog kind) in.
 * A change that is rejected or fails, or a delete rejected at its approval,
 * puts its target back in the status it had before (usually Ready): it keeps
 * the inputs and outputs of its last apply, and the request shows what failed.
 * A delete that fails after its approval may have destroyed part of it: Failed.
 */
function environmentTarget(
  facts: WorkflowFacts,
  action: string,
  env: Pick<EnvironmentRecord, 'outputs'> | undefined,
  request?: RequestRecord,
): Pick<EnvironmentRecord, 'status' | 'message' | 'outputs'> {
  const outputs = env?.outputs ?? {};
  if (facts.phase === 'Succeeded') {
    return action === 'delete'
      ? { status: EnvironmentStatus.Destroyed, message: null, outputs: {} }
      : {
          status: EnvironmentStatus.Ready,
          message: null,
          outputs: terraformOutputsOf(facts) ?? outputs,
        };
  }
  if (facts.phase === 'Failed' || facts.phase === 'Error') {
    const message = failureMessage(facts);
    const untouched = CHANGES.has(action) || (action === 'delete' && rejectedAtApproval(facts));
    if (request?.priorStatus && untouched) {
      return {
        status: request.priorStatus,
        message: `the ${action} of request ${request.id} was not applied: ${message}`,
        outputs,
      };
    }
    return { status: EnvironmentStatus.Failed, message, outputs };
  }
  const waiting = waitingNode(facts);
  return {
    status: action === 'delete' ? EnvironmentStatus.Destroying : EnvironmentStatus.Provisioning,
    message: waiting ? `waiting for approval at ${waiting.displayName || waiting.name}` : null,
    outputs,
  };
}

/** The team and inputs an environment update proposed; the environment takes them when it applies. */
function proposedForEnvironment(
  env: EnvironmentRecord,
  facts: WorkflowFacts,
  request: RequestRecord | undefined,
): Pick<EnvironmentRecord, 'team' | 'inputs'> | undefined {
  if (facts.phase !== 'Succeeded' || request?.action !== 'update') return undefined;
  const { name: _name, team, ...inputs } = request.body;
  return {
    team: team === undefined ? env.team : typeof team === 'string' ? team : null,
    inputs: { ...env.inputs, ...inputs },
  };
}

export function createStatusFollower(deps: {
  store: Store;
  engine: WorkflowEngine;
  logger: Logger;
  clock: () => Date;
}): StatusFollower {
  const { store, engine, logger, clock } = deps;
  let queue: Promise<void> = Promise.resolve();
  let unsubscribe: (() => void) | undefined;

  /**
   * Whether this run speaks for the environment now: the run of its current
   * request, or a run posted straight to the event source after the last
   * request was done.
   */
  async function isCurrent(env: EnvironmentRecord, facts: WorkflowFacts, requestId: string | null) {
    if (requestId !== null) return env.lastRequestId === requestId;
    if (env.lastRequestId === null) return true;
    const last = await store.requests.get(env.lastRequestId);
    if (!last) return true;
    return isFinalRequest(last.status) && (facts.createdAt ?? '') >= last.createdAt;
  }

  async function applyToRequest(facts: WorkflowFacts, request: RequestRecord) {
    if (isFinalRequest(request.status)) return;
    const status = requestStatusOf(facts.phase);
    const waiting = waitingNode(facts);
    const message =
      status === 'Failed' || status === 'Error'
        ? failureMessage(facts)
        : waiting
          ? `waiting for approval at ${waiting.displayName || waiting.name}`
          : str(facts.status['message']);
    if (request.status === status && request.message === message) return;
    await store.requests.update(request.id, { status, message });
  }

  async function applyToEnvironment(
    facts: WorkflowFacts,
    name: string,
    action: string,
    requestId: string | null,
    request: RequestRecord | undefined,
  ) {
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const env = await store.environments.get(name);
      const target = environmentTarget(facts, action, env, request);
      const now = clock().toISOString();
      if (!env) {
        // A run nobody requested through the API (posted straight to the event source).
        if (action === 'delete') return;
        try {
          await store.environments.insert({
            name,
            team: facts.arguments['team'] || null,
            ...target,
            inputs: facts.arguments['region'] ? { region: facts.arguments['region'] } : {},
            lastRequestId: requestId,
            createdBy: request?.requester ?? 'webhook',
            createdAt: facts.createdAt ?? now,
            updatedAt: now,
          });
          return;
        } catch (err) {
          if (isPlinthError(err, 'CONFLICT')) continue;
          throw err;
        }
      }
      if (!(await isCurrent(env, facts, requestId))) return;
      const proposed = proposedForEnvironment(env, facts, request);
      if (
        env.status === target.status &&
        env.message === target.message &&
        JSON.stringify(env.outputs) === JSON.stringify(target.outputs) &&
        env.lastRequestId === requestId &&
        (proposed === undefined ||
          (env.team === proposed.team &&
            JSON.stringify(env.inputs) === JSON.stringify(proposed.inputs)))
      ) {
        return;
      }
      const changed = await store.environments.update(
        name,
        { ...target, ...proposed, lastRequestId: requestId, updatedAt: now },
        [env.status],
      );
      if (changed) return;
    }
    logger.warn(
      { environment: name, run: facts.name },
      'environment kept changing; status not applied',
    );
  }

  /** A resource of a catalog kind follows its current request's run; runs without a request are ignored. */
  async function applyToResource(facts: WorkflowFacts, kind: string, name: string) {
    const requestId = facts.labels[Labels.requestId];
    if (!requestId) return;
    const request = await store.requests.get(requestId);
    if (!request || request.kind !== kind) return;
    await applyToRequest(facts, request);
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const resource = await store.resources.get(kind, name);
      if (!resource || resource.lastRequestId !== requestId) return;
      const target = environmentTarget(facts, request.action, resource, request);
      // An applied update gives the resource the inputs its request proposed.
      const inputs =
        facts.phase === 'Succeeded' && request.action === 'update' ? request.body : undefined;
      if (
        resource.status === target.status &&
        resource.message === target.message &&
        JSON.stringify(resource.outputs) === JSON.stringify(target.outputs) &&
        (inputs === undefined || JSON.stringify(resource.inputs) === JSON.stringify(inputs))
      ) {
        return;
      }
      const now = clock().toISOString();
      const patch = { ...target, ...(inputs === undefined ? {} : { inputs }), updatedAt: now };
      if (await store.resources.update(kind, name, patch, [resource.status])) {
        return;
      }
    }
    logger.warn(
      { kind, resource: name, run: facts.name },
      'resource kept changing; status not applied',
    );
  }

  async function apply(facts: WorkflowFacts): Promise<void> {
    const kind = facts.labels[Labels.kind];
    const resource = facts.labels[RESOURCE_LABEL];
    if (kind && kind !== ENVIRONMENT_KIND && resource) {
      await applyToResource(facts, kind, resource);
      return;
    }
    if (kind !== ENVIRONMENT_KIND) return;
    const name = facts.labels[Labels.environment] || facts.arguments['name'];
    if (!name) return;
    const action = facts.labels[Labels.action] || facts.arguments['action'] || 'create';
    const requestId = facts.labels[Labels.requestId] || null;
    const request = requestId ? await store.requests.get(requestId) : undefined;
    if (request) await applyToRequest(facts, request);
    await applyToEnvironment(facts, name, action, request ? requestId : null, request);
  }

  function enqueue(work: () => Promise<void>) {
    queue = queue.then(work).catch((err: unknown) => {
      logger.error({ err }, 'applying a run status failed');
    });
  }

  async function factsOf(uid: string): Promise<WorkflowFacts | undefined> {
    const record = await store.workflows.get(uid);
    return record ? factsFromRecord(record, await store.workflows.nodes(record.uid)) : undefined;
  }

  async function reconcile() {
    const done = new Set<string>();
    for (const status of [EnvironmentStatus.Provisioning, EnvironmentStatus.Destroying]) {
      let cursor: string | undefined;
      do {
        const page = await store.environments.list({
          status,
          limit: RECONCILE_PAGE,
          ...(cursor === undefined ? {} : { cursor }),
        });
        for (const env of page.items) {
          const runs = env.lastRequestId
            ? await store.workflows.list({ requestId: env.lastRequestId, limit: 1 })
            : await store.workflows.list({
                labels: { [Labels.kind]: ENVIRONMENT_KIND, [Labels.environment]: env.name },
                limit: 1,
              });
          const run = runs.items[0];
          if (!run) continue;
          const facts = await factsOf(run.uid);
          if (facts) await apply(facts);
          done.add(env.name);
        }
        cursor = page.nextCursor;
      } while (cursor);
    }
    for (const status of [EnvironmentStatus.Provisioning, EnvironmentStatus.Destroying]) {
      let cursor: string | undefined;
      do {
        const page = await store.resources.list({
          status,
          limit: RECONCILE_PAGE,
          ...(cursor === undefined ? {} : { cursor }),
        });
        for (const resource of page.items) {
          if (!resource.lastRequestId) continue;
          const runs = await store.workflows.list({ requestId: resource.lastRequestId, limit: 1 });
          const run = runs.items[0];
          const facts = run ? await factsOf(run.uid) : undefined;
          if (facts) await apply(facts);
        }
        cursor = page.nextCursor;
      } while (cursor);
    }
    // Runs posted straight to the event source while Plinth was down: the newest per environment.
    const recent = await store.workflows.list({
      labels: { [Labels.kind]: ENVIRONMENT_KIND },
      limit: RECONCILE_PAGE,
    });
    for (const run of recent.items) {
      const name = run.labels[Labels.environment];
      if (!name || done.has(name)) continue;
      done.add(name);
      const facts = await factsOf(run.uid);
      if (facts) await apply(facts);
    }
  }

  return {
    async start() {
      if (unsubscribe) return;
      unsubscribe = engine.onChange((wf) => {
        const facts = factsFromWorkflow(wf);
        enqueue(() => apply(facts));
      });
      enqueue(reconcile);
      await queue;
    },
    async stop() {
      unsubscribe?.();
      unsubscribe = undefined;
      await queue;
    },
    settled: () => queue,
    apply,
  };
}
