import { randomUUID } from 'node:crypto';
import { ConflictError, NotFoundError, PlinthError } from '../errors/index.js';
import type { Logger } from '../logging/index.js';
import type { EnvironmentRecord, Store } from '../store/index.js';
import type { Workflow, WorkflowEngine } from '../workflows/index.js';
import { Permission, authorize } from './authorization.js';
import { ENVIRONMENT_KIND, tierOf } from './environments.js';
import { NotificationEvent, type Notifier } from './notifications.js';
import { acceptedOf } from './requests.js';
import {
  EnvironmentStatus,
  Labels,
  RequestStatus,
  type Principal,
  type RequestAccepted,
} from './types.js';
import { factsFromWorkflow, failureMessage, globalOutputs, str } from './workflow-facts.js';

/** The WorkflowTemplate a drift check runs (catalog/workflows/environment-drift.yaml). */
export const DRIFT_TEMPLATE = 'environment-drift';
/** The action label of drift-check runs. */
export const DRIFT_ACTION = 'drift-check';
/** The requester of scheduled drift checks. */
export const DRIFT_REQUESTER = 'plinth-drift';

export interface DriftServiceDeps {
  store: Store;
  engine: WorkflowEngine;
  logger: Logger;
  clock: () => Date;
  notifier?: Notifier;
  /** Where drift runs are created (the catalog's namespace). Default `argo-events`. */
  namespace?: string;
}

/** Drift checks of environments, on demand and on a schedule, as runs of `environment-drift`. */
export interface DriftService {
  /** Starts a check of one Ready environment; its result lands on the environment (`drift`). */
  check(name: string, actor: Principal | null): Promise<RequestAccepted>;
  /** Starts a check of every Ready environment that has none running; answers the names. */
  checkAll(): Promise<string[]>;
  /** Follows drift runs (results) and update/reconcile runs (which clear a drift). */
  watch(): () => void;
  /** Checks every `intervalMs` (unref'd) until `stop`. */
  schedule(intervalMs: number): void;
  stop(): Promise<void>;
  /** Resolves when the results seen so far are recorded. */
  settled(): Promise<void>;
}

interface DriftOutput {
  drifted?: unknown;
  add?: unknown;
  change?: unknown;
  destroy?: unknown;
  resources?: unknown;
}

export function createDriftService(deps: DriftServiceDeps): DriftService {
  const { store, engine, logger, clock } = deps;
  const namespace = deps.namespace ?? 'argo-events';
  let timer: NodeJS.Timeout | undefined;
  let queue: Promise<void> = Promise.resolve();
  let running: Promise<unknown> = Promise.resolve();

  async function submit(env: EnvironmentRecord, requester: string): Promise<RequestAccepted> {
    if (env.status !== EnvironmentStatus.Ready) {
      throw new ConflictError(
        `environment "${env.name}" cannot be checked for drift now: it is ${env.status} (only Ready environments are checked)`,
        { details: { name: env.name, status: env.status, lastRequestId: env.lastRequestId } },
      );
    }
    const now = clock().toISOString();
    const id = randomUUID();
    const request = {
      id,
      kind: ENVIRONMENT_KIND,
      action: DRIFT_ACTION,
      target: env.name,
      status: RequestStatus.Pending,
      requester,
      body: { name: env.name },
      message: null,
      createdAt: now,
      updatedAt: now,
    };
    await store.requests.insert(request);
    const workflow: Workflow = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Workflow',
      metadata: {
        generateName: `${DRIFT_TEMPLATE}-`,
        namespace,
        labels: {
          [Labels.kind]: ENVIRONMENT_KIND,
          [Labels.requestId]: id,
          [Labels.environment]: env.name,
          [Labels.action]: DRIFT_ACTION,
        },
      },
      spec: {
        workflowTemplateRef: { name: DRIFT_TEMPLATE },
        arguments: {
          parameters: [
            { name: 'name', value: env.name },
            { name: 'request_id', value: id },
          ],
        },
      },
    };
    try {
      await engine.submit(workflow);
    } catch (err) {
      const message = (err as Error).message;
      await store.requests.update(id, { status: RequestStatus.Error, message });
      throw new PlinthError(
        'UNAVAILABLE',
        `drift check of "${env.name}" did not start: ${message}`,
        {
          cause: err,
          details: { requestId: id },
        },
      );
    }
    return acceptedOf(request);
  }

  function parseOutput(text: string | undefined): DriftOutput | undefined {
    if (text === undefined) return undefined;
    try {
      const value: unknown = JSON.parse(text);
      return value !== null && typeof value === 'object' ? (value as DriftOutput) : undefined;
    } catch {
      return undefined;
    }
  }

  async function record(wf: Workflow): Promise<void> {
    const facts = factsFromWorkflow(wf);
    if (facts.labels[Labels.kind] !== ENVIRONMENT_KIND) return;
    const name = facts.labels[Labels.environment];
    const action = facts.labels[Labels.action];
    if (!name) return;
    const finished = str(facts.status['finishedAt']) ?? clock().toISOString();
    const env = await store.environments.get(name);
    if (!env) return;
    if (action === DRIFT_ACTION) {
      if (facts.phase === 'Succeeded') {
        const out = parseOutput(globalOutputs(facts)['drift']);
        const num = (v: unknown) => (typeof v === 'number' ? v : 0);
        const drift = {
          checkedAt: finished,
          drifted: out?.drifted === true,
          changes: Array.isArray(out?.resources) ? out.resources : [],
          add: num(out?.add),
          change: num(out?.change),
          destroy: num(out?.destroy),
          runId: facts.name,
        };
        await store.environments.update(name, { drift, updatedAt: env.updatedAt });
        if (drift.drifted) {
          deps.notifier?.notify({
            event: NotificationEvent.EnvironmentDrifted,
            summary: `Drift: environment ${name} differs from its last apply (${drift.add} to add, ${drift.change} to change, ${drift.destroy} to destroy); reconcile it`,
            environment: name,
            runId: facts.name,
            requestId: facts.labels[Labels.requestId] ?? null,
            details: { changes: drift.changes },
          });
        }
      } else if (facts.phase === 'Failed' || facts.phase === 'Error') {
        await store.environments.update(name, {
          drift: {
            ...(env.drift ?? {}),
            checkedAt: finished,
            runId: facts.name,
            error: failureMessage(facts),
          },
          updatedAt: env.updatedAt,
        });
      }
      return;
    }
    // A successful update or reconcile applied the approved inputs again: no drift remains.
    if (
      (action === 'reconcile' || action === 'update') &&
      facts.phase === 'Succeeded' &&
      env.drift?.['drifted'] === true
    ) {
      await store.environments.update(name, {
        drift: {
          ...env.drift,
          drifted: false,
          changes: [],
          reconciledAt: finished,
          reconciledBy: facts.name,
        },
        updatedAt: env.updatedAt,
      });
    }
  }

  async function checkAll(): Promise<string[]> {
    const started: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.environments.list({
        status: EnvironmentStatus.Ready,
        limit: 200,
        ...(cursor === undefined ? {} : { cursor }),
      });
      for (const env of page.items) {
        const active = await store.workflows.list({
          labels: { [Labels.environment]: env.name, [Labels.action]: DRIFT_ACTION },
          phases: ['', 'Pending', 'Running'],
          limit: 1,
        });
        if (active.items.length > 0) continue;
        try {
          await submit(env, DRIFT_REQUESTER);
          started.push(env.name);
        } catch (err) {
          logger.warn({ err, environment: env.name }, 'scheduled drift check did not start');
        }
      }
      cursor = page.nextCursor;
    } while (cursor);
    return started;
  }

  return {
    async check(name, actor) {
      const env = await store.environments.get(name);
      if (!env)
        throw new NotFoundError(`environment "${name}" does not exist`, { details: { name } });
      if (actor) {
        authorize(actor, Permission.EnvironmentsWrite, {
          kind: 'environment',
          name,
          team: env.team,
          tier: tierOf(env),
        });
      }
      return submit(env, actor?.name ?? DRIFT_REQUESTER);
    },
    checkAll,
    watch() {
      return engine.onChange((wf) => {
        queue = queue
          .then(() => record(wf))
          .catch((err: unknown) => logger.error({ err }, 'recording a drift result failed'));
      });
    },
    schedule(intervalMs) {
      if (timer || intervalMs <= 0) return;
      timer = setInterval(() => {
        running = checkAll().catch((err: unknown) =>
          logger.error({ err }, 'scheduled drift checks failed'),
        );
      }, intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
      await queue;
    },
    settled: () => queue,
  };
}
