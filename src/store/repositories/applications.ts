import type {
  ApplicationRecord,
  ApplicationRepository,
  ConfigVersionRecord,
  DeploymentRecord,
} from '../types.js';
import type { Database } from '../schema.js';
import { type RepositoryDeps, fromJson, toJson } from './shared.js';

type AppRow = Database['applications'];
type DeploymentRow = Database['application_deployments'];
type ConfigRow = Database['application_config_versions'];

function appOf(row: AppRow): ApplicationRecord {
  return {
    environment: row.environment,
    name: row.name,
    team: row.team,
    deploymentId: row.deployment_id,
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function deploymentOf(row: DeploymentRow): DeploymentRecord {
  return {
    id: row.id,
    environment: row.environment,
    application: row.application,
    action: row.action,
    version: row.version,
    image: row.image,
    replicas: Number(row.replicas),
    port: Number(row.port),
    configVersion: row.config_version === null ? null : Number(row.config_version),
    status: row.status,
    revision: row.revision,
    message: row.message,
    requester: row.requester,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function configOf(row: ConfigRow): ConfigVersionRecord {
  return {
    environment: row.environment,
    application: row.application,
    version: Number(row.version),
    values: fromJson(row.config_values, {}),
    sealedSecrets: fromJson(row.sealed_secrets, {}),
    createdBy: row.created_by,
    createdAt: row.created_at,
  };
}

/** How often a writer retries when another took the version number it computed. */
const VERSION_ATTEMPTS = 5;

export function createApplicationRepository({
  db,
  isUniqueViolation,
}: RepositoryDeps): ApplicationRepository {
  return {
    async recordDeployment(app, d) {
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('application_deployments')
          .values({
            id: d.id,
            environment: d.environment,
            application: d.application,
            action: d.action,
            version: d.version,
            image: d.image,
            replicas: d.replicas,
            port: d.port,
            config_version: d.configVersion,
            status: d.status,
            revision: d.revision,
            message: d.message,
            requester: d.requester,
            created_at: d.createdAt,
            updated_at: d.updatedAt,
          })
          .execute();
        await trx
          .insertInto('applications')
          .values({
            environment: app.environment,
            name: app.name,
            team: app.team,
            deployment_id: app.deploymentId,
            created_by: app.createdBy,
            created_at: app.createdAt,
            updated_at: app.updatedAt,
          })
          .onConflict((oc) =>
            oc.columns(['environment', 'name']).doUpdateSet({
              deployment_id: app.deploymentId,
              team: app.team,
              updated_at: app.updatedAt,
            }),
          )
          .execute();
      });
    },

    async get(environment, name) {
      const row = await db
        .selectFrom('applications')
        .selectAll()
        .where('environment', '=', environment)
        .where('name', '=', name)
        .executeTakeFirst();
      return row ? appOf(row) : undefined;
    },

    async list(environment) {
      const rows = await db
        .selectFrom('applications')
        .selectAll()
        .where('environment', '=', environment)
        .orderBy('name')
        .execute();
      return rows.map(appOf);
    },

    async getDeployment(id) {
      const row = await db
        .selectFrom('application_deployments')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row ? deploymentOf(row) : undefined;
    },

    async deployments(environment, name, limit = 100) {
      const rows = await db
        .selectFrom('application_deployments')
        .selectAll()
        .where('environment', '=', environment)
        .where('application', '=', name)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return rows.map(deploymentOf);
    },

    async updateDeployment(id, patch) {
      const values: Partial<DeploymentRow> = {
        updated_at: patch.updatedAt ?? new Date().toISOString(),
      };
      if (patch.status !== undefined) values.status = patch.status;
      if (patch.revision !== undefined) values.revision = patch.revision;
      if (patch.message !== undefined) values.message = patch.message;
      await db.updateTable('application_deployments').set(values).where('id', '=', id).execute();
    },

    async addConfigVersion(record) {
      for (let attempt = 0; ; attempt++) {
        const top = await db
          .selectFrom('application_config_versions')
          .select((eb) => eb.fn.max('version').as('top'))
          .where('environment', '=', record.environment)
          .where('application', '=', record.application)
          .executeTakeFirst();
        const version = Number(top?.top ?? 0) + 1;
        try {
          await db
            .insertInto('application_config_versions')
            .values({
              environment: record.environment,
              application: record.application,
              version,
              config_values: toJson(record.values),
              sealed_secrets: toJson(record.sealedSecrets),
              created_by: record.createdBy,
              created_at: record.createdAt,
            })
            .execute();
          return { ...record, version };
        } catch (err) {
          if (!isUniqueViolation(err) || attempt + 1 >= VERSION_ATTEMPTS) throw err;
        }
      }
    },

    async getConfigVersion(environment, name, version) {
      const row = await db
        .selectFrom('application_config_versions')
        .selectAll()
        .where('environment', '=', environment)
        .where('application', '=', name)
        .where('version', '=', version)
        .executeTakeFirst();
      return row ? configOf(row) : undefined;
    },

    async latestConfigVersion(environment, name) {
      const row = await db
        .selectFrom('application_config_versions')
        .selectAll()
        .where('environment', '=', environment)
        .where('application', '=', name)
        .orderBy('version', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row ? configOf(row) : undefined;
    },

    async configVersions(environment, name) {
      const rows = await db
        .selectFrom('application_config_versions')
        .selectAll()
        .where('environment', '=', environment)
        .where('application', '=', name)
        .orderBy('version')
        .execute();
      return rows.map(configOf);
    },
  };
}
