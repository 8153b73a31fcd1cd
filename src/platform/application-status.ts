import type { Logger } from '../logging/index.js';
import type { Store } from '../store/index.js';
import type { WorkflowEngine } from '../workflows/index.js';
import { APPLICATION_KIND, DeploymentStatus } from './applications.js';
import { Labels, RequestStatus } from './types.js';
import {
  factsFromRecord,
  factsFromWorkflow,
  failureMessage,
  globalOutputs,
  isFinalPhase,
  type WorkflowFacts,
} from './workflow-facts.js';

const RECONCILE_RUNS = 200;

/** The output parameter the application workflow names its delivered revision with. */
export const REVISION_OUTPUT = 'revision';

function deploymentStatusOf(phase: string): string {
  if (phase === 'Succeeded') return DeploymentStatus.Deployed;
  if (phase === 'Failed' || phase === 'Error') return DeploymentStatus.Failed;
  return phase === 'Running' ? DeploymentStatus.Deploying : DeploymentStatus.Pending;
}

/** Keeps deployments (and their requests) in step with the application Workflows. */
export function createApplicationFollower(deps: {
  store: Store;
  engine: WorkflowEngine;
  logger: Logger;
  clock: () => Date;
}) {
  const { store, engine, logger, clock } = deps;
  let queue: Promise<void> = Promise.resolve();
  let unsubscribe: (() => void) | undefined;

  /** A run nobody requested through the API (deploy on push): it becomes a deployment of its own. */
  async function adoptRun(facts: WorkflowFacts, id: string): Promise<boolean> {
    const environment = facts.arguments['environment'];
    const name = facts.arguments['name'];
    if (!environment || !name) return false;
    const env = await store.environments.get(environment);
    const existing = await store.applications.get(environment, name);
    const now = clock().toISOString();
    const given = Number(facts.arguments['config_version']);
    // Without a version the step delivers the latest one; record which that is.
    const configVersion =
      Number.isInteger(given) && given > 0
        ? given
        : ((await store.applications.latestConfigVersion(environment, name))?.version ?? null);
    await store.applications.recordDeployment(
      {
        environment,
        name,
        team: env?.team ?? null,
        deploymentId: id,
        createdBy: existing?.createdBy ?? 'webhook',
        createdAt: existing?.createdAt ?? now,
        updatedAt: now,
      },
      {
        id,
        environment,
        application: name,
        action: facts.arguments['action'] || 'deploy',
        version: facts.arguments['version'] ?? '',
        image: facts.arguments['image'] ?? '',
        replicas: Number(facts.arguments['replicas']) || 1,
        port: Number(facts.arguments['port']) || 8080,
        configVersion,
        status: DeploymentStatus.Pending,
        revision: null,
        message: null,
        requester: 'webhook',
        createdAt: facts.createdAt ?? now,
        updatedAt: now,
      },
    );
    return true;
  }

  async function apply(facts: WorkflowFacts): Promise<void> {
    if (facts.labels[Labels.kind] !== APPLICATION_KIND) return;
    const requestId = facts.labels[Labels.requestId] || null;
    const id = requestId ?? `run-${facts.uid}`;
    let deployment = await store.applications.getDeployment(id);
    if (!deployment) {
      if (requestId !== null || !(await adoptRun(facts, id))) return;
      deployment = await store.applications.getDeployment(id);
      if (!deployment) return;
    }
    const status = deploymentStatusOf(facts.phase);
    const failed = status === DeploymentStatus.Failed;
    const revision = globalOutputs(facts)[REVISION_OUTPUT] ?? deployment.revision;
    const message = failed ? failureMessage(facts) : null;
    if (
      deployment.status !== status ||
      deployment.revision !== revision ||
      deployment.message !== message
    ) {
      await store.applications.updateDeployment(id, {
        status,
        revision,
        message,
        updatedAt: clock().toISOString(),
      });
    }
    if (requestId === null) return;
    const request = await store.requests.get(requestId);
    if (!request || isFinalPhase(request.status)) return;
    const requestStatus = isFinalPhase(facts.phase)
      ? facts.phase
      : facts.phase === 'Running'
        ? RequestStatus.Running
        : RequestStatus.Pending;
    if (request.status !== requestStatus || request.message !== message) {
      await store.requests.update(requestId, { status: requestStatus, message });
    }
  }

  function enqueue(work: () => Promise<void>) {
    queue = queue
      .then(work)
      .catch((err: unknown) => logger.error({ err }, 'applying a deployment status failed'));
  }

  /** Applies the newest application runs, oldest first: those that moved while Plinth was down. */
  async function reconcile() {
    const recent = await store.workflows.list({
      labels: { [Labels.kind]: APPLICATION_KIND },
      limit: RECONCILE_RUNS,
    });
    for (const run of recent.items.reverse()) {
      await apply(factsFromRecord(run, await store.workflows.nodes(run.uid)));
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
