import { InputError, NotFoundError, type FieldProblem } from '../errors/index.js';
import type { ConfigVersionRecord, Store } from '../store/index.js';
import {
  DeploymentAction,
  authorizeApplication,
  requireReadyEnvironment,
  type StartDeployment,
} from './applications.js';
import { Permission } from './authorization.js';
import { secretContext, type SecretBox } from './crypto.js';
import { DomainKind, type CatalogService } from './kinds.js';
import type { Principal, RequestAccepted } from './types.js';

/** The catalog kind whose schema a change's body is checked against. */
export const CONFIGURATION_KIND = DomainKind.Configuration;

/** One version of an application's configuration, as the API shows it: secrets by name only. */
export interface ConfigurationView {
  environment: string;
  application: string;
  version: number;
  values: Record<string, string>;
  /** The secrets' names; their values are never shown. */
  secrets: string[];
  createdBy: string;
  createdAt: string;
}

/** The answer to a change: the new version and, when the application is deployed, the request delivering it. */
export interface ConfigurationChange {
  configuration: ConfigurationView;
  /** Null when the application is not deployed yet: its next deployment carries this version. */
  request: RequestAccepted | null;
}

/** What changed between two versions. Secrets are named only, never their values. */
export interface ConfigurationDiff {
  environment: string;
  application: string;
  from: number;
  to: number;
  values: {
    added: Record<string, string>;
    removed: Record<string, string>;
    changed: Record<string, { from: string; to: string }>;
  };
  secrets: { added: string[]; removed: string[]; changed: string[] };
}

export interface ConfigurationService {
  /**
   * Makes a new version from the current one: each key given is set, a
   * `null` removes it, keys not given are kept. Delivers it when the
   * application is deployed.
   */
  set(
    environment: string,
    application: string,
    input: unknown,
    actor: Principal,
  ): Promise<ConfigurationChange>;
  /** The current version, or the one asked for. */
  get(environment: string, application: string, version?: number): Promise<ConfigurationView>;
  versions(environment: string, application: string): Promise<{ items: ConfigurationView[] }>;
  diff(
    environment: string,
    application: string,
    from: number,
    to: number,
  ): Promise<ConfigurationDiff>;
  /** Makes a new version equal to an earlier one, and delivers it. */
  rollback(
    environment: string,
    application: string,
    input: unknown,
    actor: Principal,
  ): Promise<ConfigurationChange>;
}

/** Plain values and decrypted secrets of one version, for the deploy step only. */
export interface ResolvedConfiguration {
  version: number;
  values: Record<string, string>;
  secrets: Record<string, string>;
}

function viewOf(record: ConfigVersionRecord): ConfigurationView {
  return {
    environment: record.environment,
    application: record.application,
    version: record.version,
    values: record.values,
    secrets: Object.keys(record.sealedSecrets).sort(),
    createdBy: record.createdBy,
    createdAt: record.createdAt,
  };
}

/** The changes of a body the configuration kind's schema accepted: each key's new text, or null to remove it. */
function changesOf(value: unknown): Map<string, string | null> {
  const out = new Map<string, string | null>();
  for (const [key, v] of Object.entries((value ?? {}) as Record<string, unknown>)) {
    out.set(key, v === null ? null : String(v as string | number | boolean));
  }
  return out;
}

export function createConfigurationService(deps: {
  store: Store;
  catalog: CatalogService;
  box: SecretBox;
  startDeployment: StartDeployment;
  clock: () => Date;
}): ConfigurationService {
  const { store, catalog, box, startDeployment, clock } = deps;

  async function requireVersion(environment: string, application: string, version?: number) {
    const record =
      version === undefined
        ? await store.applications.latestConfigVersion(environment, application)
        : await store.applications.getConfigVersion(environment, application, version);
    if (!record) {
      throw new NotFoundError(
        version === undefined
          ? `application "${application}" in "${environment}" has no configuration yet`
          : `application "${application}" in "${environment}" has no configuration version ${version}`,
        { details: { environment, application, ...(version === undefined ? {} : { version }) } },
      );
    }
    return record;
  }

  /** Stores a new version and, when the application runs, delivers it. */
  async function commit(
    environment: string,
    application: string,
    values: Record<string, string>,
    sealedSecrets: Record<string, string>,
    actor: Principal,
    requestBody: Record<string, unknown>,
  ): Promise<ConfigurationChange> {
    const env = await requireReadyEnvironment(store, environment);
    authorizeApplication(actor, Permission.ApplicationsWrite, env, application);
    const record = await store.applications.addConfigVersion({
      environment,
      application,
      values,
      sealedSecrets,
      createdBy: actor.name,
      createdAt: clock().toISOString(),
    });
    const app = await store.applications.get(environment, application);
    const current = app ? await store.applications.getDeployment(app.deploymentId) : undefined;
    if (!current) return { configuration: viewOf(record), request: null };
    const request = await startDeployment({
      env,
      name: application,
      image: current.image,
      version: current.version,
      replicas: current.replicas,
      port: current.port,
      configVersion: record.version,
      action: DeploymentAction.Configure,
      actor,
      requestBody: { ...requestBody, configVersion: record.version },
    });
    return { configuration: viewOf(record), request };
  }

  function openAll(record: ConfigVersionRecord): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, sealed] of Object.entries(record.sealedSecrets)) {
      out[name] = box.open(sealed, secretContext(record.environment, record.application, name));
    }
    return out;
  }

  return {
    async set(environment, application, input, actor) {
      const body = catalog.validate(CONFIGURATION_KIND, input);
      const problems: FieldProblem[] = [];
      const valueChanges = changesOf(body['values']);
      const secretChanges = changesOf(body['secrets']);
      for (const key of valueChanges.keys()) {
        if (
          secretChanges.has(key) &&
          secretChanges.get(key) !== null &&
          valueChanges.get(key) !== null
        ) {
          problems.push({
            field: `secrets.${key}`,
            message: 'is also a value',
            fix: 'give each key once, as a value or as a secret',
          });
        }
      }
      if (problems.length > 0) {
        throw new InputError(
          `invalid configuration: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`,
          { errors: problems },
        );
      }
      const env = await store.environments.get(environment);
      if (env) authorizeApplication(actor, Permission.ApplicationsWrite, env, application);
      const previous = await store.applications.latestConfigVersion(environment, application);
      const values = { ...previous?.values };
      const sealed = { ...previous?.sealedSecrets };
      for (const [key, value] of valueChanges) {
        if (value === null) delete values[key];
        else {
          values[key] = value;
          delete sealed[key];
        }
      }
      for (const [key, value] of secretChanges) {
        if (value === null) delete sealed[key];
        else {
          sealed[key] = box.seal(value, secretContext(environment, application, key));
          delete values[key];
        }
      }
      return commit(environment, application, values, sealed, actor, {
        values: [...valueChanges.keys()],
        secrets: [...secretChanges.keys()],
      });
    },

    async get(environment, application, version) {
      return viewOf(await requireVersion(environment, application, version));
    },

    async versions(environment, application) {
      const records = await store.applications.configVersions(environment, application);
      return { items: records.map(viewOf) };
    },

    async diff(environment, application, from, to) {
      const a = await requireVersion(environment, application, from);
      const b = await requireVersion(environment, application, to);
      const values: ConfigurationDiff['values'] = { added: {}, removed: {}, changed: {} };
      for (const [k, v] of Object.entries(b.values)) {
        const before = a.values[k];
        if (before === undefined) values.added[k] = v;
        else if (before !== v) values.changed[k] = { from: before, to: v };
      }
      for (const [k, v] of Object.entries(a.values)) {
        if (b.values[k] === undefined) values.removed[k] = v;
      }
      const secretsA = openAll(a);
      const secretsB = openAll(b);
      const secrets: ConfigurationDiff['secrets'] = { added: [], removed: [], changed: [] };
      for (const k of Object.keys(secretsB).sort()) {
        if (!(k in secretsA)) secrets.added.push(k);
        else if (secretsA[k] !== secretsB[k]) secrets.changed.push(k);
      }
      for (const k of Object.keys(secretsA).sort()) {
        if (!(k in secretsB)) secrets.removed.push(k);
      }
      return { environment, application, from, to, values, secrets };
    },

    async rollback(environment, application, input, actor) {
      const version =
        input !== null && typeof input === 'object'
          ? (input as Record<string, unknown>)['version']
          : undefined;
      if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
        throw new InputError('invalid rollback: version is required', {
          errors: [
            { field: 'version', message: 'must be a version number', fix: 'send {"version": 1}' },
          ],
        });
      }
      const env = await store.environments.get(environment);
      if (env) authorizeApplication(actor, Permission.ApplicationsWrite, env, application);
      const earlier = await requireVersion(environment, application, version);
      return commit(environment, application, earlier.values, earlier.sealedSecrets, actor, {
        rollbackTo: version,
      });
    },
  };
}

/**
 * The values and decrypted secrets of a version (the latest when `version`
 * is undefined), for the step that delivers them; null when there is none.
 */
export async function resolveConfiguration(
  store: Store,
  box: SecretBox,
  environment: string,
  application: string,
  version?: number,
): Promise<ResolvedConfiguration | null> {
  const record =
    version === undefined
      ? await store.applications.latestConfigVersion(environment, application)
      : await store.applications.getConfigVersion(environment, application, version);
  if (!record) return null;
  const secrets: Record<string, string> = {};
  for (const [name, sealed] of Object.entries(record.sealedSecrets)) {
    secrets[name] = box.open(sealed, secretContext(environment, application, name));
  }
  return { version: record.version, values: record.values, secrets };
}
