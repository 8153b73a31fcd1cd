import { randomUUID } from 'node:crypto';
import {
  ConflictError,
  InputError,
  NotFoundError,
  PlinthError,
  type FieldProblem,
} from '../errors/index.js';
import type { DeploymentRecord, EnvironmentRecord, Store } from '../store/index.js';
import { Permission, authorize } from './authorization.js';
import type { KindRequests } from './kind-requests.js';
import { DomainKind, type CatalogService } from './kinds.js';
import { EnvironmentStatus, type Principal, type RequestAccepted } from './types.js';

export const APPLICATION_KIND = DomainKind.Application;

/** A deployment's status: Pending until its run starts, then as its run goes. */
export const DeploymentStatus = {
  Pending: 'Pending',
  Deploying: 'Deploying',
  Deployed: 'Deployed',
  Failed: 'Failed',
} as const;
export type DeploymentStatus = (typeof DeploymentStatus)[keyof typeof DeploymentStatus];

/** What caused a deployment. */
export const DeploymentAction = {
  Deploy: 'deploy',
  Rollback: 'rollback',
  Configure: 'configure',
} as const;
export type DeploymentAction = (typeof DeploymentAction)[keyof typeof DeploymentAction];

/** What `POST /applications` takes, once checked. */
export interface DeployApplicationInput {
  environment: string;
  name: string;
  image: string;
  version: string;
  replicas: number;
  port: number;
}

/** One deployment, as the API shows it. */
export interface DeploymentView {
  id: string;
  action: string;
  version: string;
  image: string;
  replicas: number;
  port: number;
  configVersion: number | null;
  status: string;
  revision: string | null;
  message: string | null;
  requester: string;
  createdAt: string;
  updatedAt: string;
}

/** An application in an environment, as the API shows it: the state of its current deployment. */
export interface ApplicationView {
  name: string;
  environment: string;
  team: string | null;
  version: string;
  status: string;
  /** The commit (GitOps) or apply that delivered the current deployment. */
  revision: string | null;
  image: string;
  replicas: number;
  port: number;
  configVersion: number | null;
  message: string | null;
  lastRequestId: string;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  /** The deployments, newest first (on `get`). */
  history?: DeploymentView[];
}

export interface ApplicationService {
  deploy(input: unknown, actor: Principal): Promise<RequestAccepted>;
  get(environment: string, name: string): Promise<ApplicationView>;
  list(environment: string): Promise<{ items: ApplicationView[] }>;
  history(environment: string, name: string): Promise<{ items: DeploymentView[] }>;
  /** Deploys again what an earlier deployment of `version` delivered (image, replicas, port, configuration). */
  rollback(
    environment: string,
    name: string,
    input: unknown,
    actor: Principal,
  ): Promise<RequestAccepted>;
}

function fail(problems: FieldProblem[], what: string): never {
  const summary = problems.map((p) => `${p.field} ${p.message}`).join('; ');
  throw new InputError(`invalid ${what}: ${summary}`, { errors: problems });
}

function objectBody(input: unknown, example: string): Record<string, unknown> {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new InputError('the body must be a JSON object', {
      errors: [{ field: '', message: 'is not an object', fix: `send ${example}` }],
    });
  }
  return input as Record<string, unknown>;
}

/** Checks a deploy body against the catalog's `application` kind; throws InputError naming every bad field and its fix. */
export function validateDeployApplication(
  catalog: CatalogService,
  input: unknown,
): DeployApplicationInput {
  return catalog.validate(APPLICATION_KIND, input) as unknown as DeployApplicationInput;
}

export function deploymentViewOf(d: DeploymentRecord): DeploymentView {
  return {
    id: d.id,
    action: d.action,
    version: d.version,
    image: d.image,
    replicas: d.replicas,
    port: d.port,
    configVersion: d.configVersion,
    status: d.status,
    revision: d.revision,
    message: d.message,
    requester: d.requester,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
  };
}

/** What starting a deployment needs. */
export interface DeploymentStart {
  env: EnvironmentRecord;
  name: string;
  image: string;
  version: string;
  replicas: number;
  port: number;
  configVersion: number | null;
  action: DeploymentAction;
  actor: Principal;
  /** The request's body as recorded (what was asked, never a secret). */
  requestBody: Record<string, unknown>;
}

/** Records a deployment and its request, and posts it to the event source. */
export type StartDeployment = (start: DeploymentStart) => Promise<RequestAccepted>;

/** Whether an application can be delivered to this environment now; throws when not. */
export async function requireReadyEnvironment(
  store: Store,
  name: string,
): Promise<EnvironmentRecord> {
  const env = await store.environments.get(name);
  if (!env || env.status === EnvironmentStatus.Destroyed) {
    throw new NotFoundError(`environment "${name}" does not exist`, {
      details: { environment: name },
    });
  }
  if (env.status !== EnvironmentStatus.Ready) {
    throw new ConflictError(
      `environment "${name}" is ${env.status}, not Ready: applications are delivered to Ready environments only`,
      { details: { environment: name, status: env.status, lastRequestId: env.lastRequestId } },
    );
  }
  return env;
}

/** The environment's tier, as created (kept in its inputs); read here to keep clear of an import cycle. */
function tierOf(env: EnvironmentRecord): string {
  const tier = env.inputs['tier'];
  return typeof tier === 'string' ? tier : 'development';
}

export function authorizeApplication(
  actor: Principal,
  permission: Permission,
  env: EnvironmentRecord,
  name: string,
): void {
  authorize(actor, permission, {
    kind: 'application',
    name: `${env.name}/${name}`,
    team: env.team,
    tier: tierOf(env),
  });
}

export function createDeploymentStarter(deps: {
  store: Store;
  requests: KindRequests;
  clock: () => Date;
}): StartDeployment {
  const { store, requests, clock } = deps;
  return async (start) => {
    const { env, name, actor } = start;
    const now = clock().toISOString();
    const id = randomUUID();
    const existing = await store.applications.get(env.name, name);
    await store.applications.recordDeployment(
      {
        environment: env.name,
        name,
        team: env.team,
        deploymentId: id,
        createdBy: existing?.createdBy ?? actor.name,
        createdAt: existing?.createdAt ?? now,
        updatedAt: now,
      },
      {
        id,
        environment: env.name,
        application: name,
        action: start.action,
        version: start.version,
        image: start.image,
        replicas: start.replicas,
        port: start.port,
        configVersion: start.configVersion,
        status: DeploymentStatus.Pending,
        revision: null,
        message: null,
        requester: actor.name,
        createdAt: now,
        updatedAt: now,
      },
    );
    // A configuration change is the configuration kind's request; the rest are the application's.
    const kind =
      start.action === DeploymentAction.Configure ? DomainKind.Configuration : APPLICATION_KIND;
    return requests.submit({
      id,
      kind,
      action: start.action,
      target: `${env.name}/${name}`,
      requester: actor.name,
      record: start.requestBody,
      event: {
        action: start.action,
        environment: env.name,
        name,
        image: start.image,
        version: start.version,
        replicas: String(start.replicas),
        port: String(start.port),
        config_version: start.configVersion === null ? '' : String(start.configVersion),
      },
      targetLink: `/api/v1/environments/${encodeURIComponent(env.name)}/applications/${encodeURIComponent(name)}`,
      now,
      environment: env.name,
      undo: () =>
        store.applications.updateDeployment(id, {
          status: DeploymentStatus.Failed,
          message: 'the request could not be dispatched',
          updatedAt: clock().toISOString(),
        }),
    });
  };
}

export function createApplicationService(deps: {
  store: Store;
  catalog: CatalogService;
  startDeployment: StartDeployment;
}): ApplicationService {
  const { store, catalog, startDeployment } = deps;

  async function viewOf(environment: string, name: string, withHistory: boolean) {
    const app = await store.applications.get(environment, name);
    if (!app) {
      throw new NotFoundError(
        `application "${name}" is not deployed to environment "${environment}"`,
        { details: { environment, name } },
      );
    }
    const history = await store.applications.deployments(environment, name, withHistory ? 50 : 1);
    const current =
      history.find((d) => d.id === app.deploymentId) ??
      (await store.applications.getDeployment(app.deploymentId));
    if (!current) throw new PlinthError('INTERNAL', `deployment ${app.deploymentId} is missing`);
    const view: ApplicationView = {
      name: app.name,
      environment: app.environment,
      team: app.team,
      version: current.version,
      status: current.status,
      revision: current.revision,
      image: current.image,
      replicas: current.replicas,
      port: current.port,
      configVersion: current.configVersion,
      message: current.message,
      lastRequestId: current.id,
      createdBy: app.createdBy,
      createdAt: app.createdAt,
      updatedAt: current.updatedAt,
    };
    return withHistory ? { ...view, history: history.map(deploymentViewOf) } : view;
  }

  return {
    async deploy(input, actor) {
      const spec = validateDeployApplication(catalog, input);
      const known = await store.environments.get(spec.environment);
      if (known) authorizeApplication(actor, Permission.ApplicationsWrite, known, spec.name);
      const env = await requireReadyEnvironment(store, spec.environment);
      authorizeApplication(actor, Permission.ApplicationsWrite, env, spec.name);
      const config = await store.applications.latestConfigVersion(env.name, spec.name);
      return startDeployment({
        env,
        ...spec,
        configVersion: config?.version ?? null,
        action: DeploymentAction.Deploy,
        actor,
        requestBody: { ...spec },
      });
    },

    get: (environment, name) => viewOf(environment, name, true),

    async list(environment) {
      const apps = await store.applications.list(environment);
      const items: ApplicationView[] = [];
      for (const app of apps) items.push(await viewOf(environment, app.name, false));
      return { items };
    },

    async history(environment, name) {
      const view = await viewOf(environment, name, true);
      return { items: view.history ?? [] };
    },

    async rollback(environment, name, input, actor) {
      const body = objectBody(input, '{"version": "1.2.3"}');
      const version = body['version'];
      if (typeof version !== 'string' || version === '') {
        fail(
          [{ field: 'version', message: 'is required', fix: 'name an earlier version, as text' }],
          'rollback',
        );
      }
      const known = await store.environments.get(environment);
      if (known) authorizeApplication(actor, Permission.ApplicationsWrite, known, name);
      const deployments = await store.applications.deployments(environment, name, 1000);
      if (deployments.length === 0) {
        throw new NotFoundError(
          `application "${name}" is not deployed to environment "${environment}"`,
          { details: { environment, name } },
        );
      }
      const earlier =
        deployments.find((d) => d.version === version && d.status === DeploymentStatus.Deployed) ??
        deployments.find((d) => d.version === version);
      if (!earlier) {
        const known = [...new Set(deployments.map((d) => d.version))].join(', ');
        throw new NotFoundError(
          `application "${name}" in "${environment}" was never deployed at version "${version}"`,
          { details: { environment, name, version, versions: known } },
        );
      }
      const env = await requireReadyEnvironment(store, environment);
      authorizeApplication(actor, Permission.ApplicationsWrite, env, name);
      return startDeployment({
        env,
        name,
        image: earlier.image,
        version: earlier.version,
        replicas: earlier.replicas,
        port: earlier.port,
        configVersion: earlier.configVersion,
        action: DeploymentAction.Rollback,
        actor,
        requestBody: { environment, name, version, from: earlier.id },
      });
    },
  };
}
