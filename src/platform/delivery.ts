import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { InputError, isPlinthError } from '../errors/index.js';
import {
  applyWithKubectl,
  deliverToGit,
  renderFiles,
  renderObjects,
  renderSecret,
  toYamlStream,
  type ApplicationSpec,
  type Delivery,
} from '../kubernetes/index.js';
import { openStore, type Store } from '../store/index.js';
import { resolveConfiguration } from './configuration.js';
import { createSecretBox, loadSecretKey } from './crypto.js';

/** Where a deployment goes. */
export const DeployTarget = { GitOps: 'gitops', Kubectl: 'kubectl' } as const;
export type DeployTarget = (typeof DeployTarget)[keyof typeof DeployTarget];

/** A text stream the step writes to. */
interface Stream {
  write(chunk: string): unknown;
}

/** What one `plinth deploy` step delivers. */
export interface DeployStepInput {
  environment: string;
  application: string;
  image: string;
  version: string;
  replicas: number;
  port: number;
  /** The configuration version to deliver; the latest when undefined. */
  configVersion?: number | undefined;
  target: DeployTarget;
  /** A git remote to push to (`{environment}` is replaced by the environment's name). */
  gitRemote?: string | undefined;
  kubeconfig?: string | undefined;
  kubectl?: string | undefined;
  dryRun?: boolean | undefined;
  requestId?: string | undefined;
}

/**
 * Renders an application's manifests with its configuration and delivers
 * them. Secrets are decrypted here and only go to a cluster (kubectl, via
 * stdin); a GitOps repository gets the Deployment, Service and ConfigMap.
 */
export async function deliverApplication(
  deps: { store: Store; secretKey: Buffer; dataDir: string },
  input: DeployStepInput,
): Promise<Delivery & { configVersion: number | null }> {
  const env = await deps.store.environments.get(input.environment);
  const outputs = env?.outputs ?? {};
  const namespace =
    typeof outputs['namespace'] === 'string' && outputs['namespace'] !== ''
      ? outputs['namespace']
      : input.environment;
  const config = await resolveConfiguration(
    deps.store,
    createSecretBox(deps.secretKey),
    input.environment,
    input.application,
    input.configVersion,
  );
  if (input.configVersion !== undefined && !config) {
    throw new InputError(
      `application "${input.application}" in "${input.environment}" has no configuration version ${input.configVersion}`,
      {
        errors: [
          { field: 'config-version', message: 'does not exist', fix: 'give a stored version' },
        ],
      },
    );
  }
  const spec: ApplicationSpec = {
    environment: input.environment,
    namespace,
    name: input.application,
    image: input.image,
    version: input.version,
    replicas: input.replicas,
    port: input.port,
    configVersion: config?.version ?? null,
    values: config?.values ?? {},
    secretNames: Object.keys(config?.secrets ?? {}).sort(),
  };
  const configVersion = config?.version ?? null;
  if (input.target === DeployTarget.Kubectl) {
    const kubeconfig =
      input.kubeconfig ?? (typeof outputs['kubeconfig'] === 'string' ? outputs['kubeconfig'] : '');
    if (!kubeconfig) {
      throw new InputError(`environment "${input.environment}" has no kubeconfig`, {
        errors: [
          {
            field: 'kubeconfig',
            message: 'is not known',
            fix: 'give --kubeconfig, set KUBECONFIG, or add a "kubeconfig" output to the environment',
          },
        ],
      });
    }
    const objects = renderObjects(spec);
    if (config && spec.secretNames.length > 0) objects.push(renderSecret(spec, config.secrets));
    const delivery = await applyWithKubectl(
      { kubeconfig, namespace, kubectl: input.kubectl, dryRun: input.dryRun },
      toYamlStream(objects),
    );
    return { ...delivery, configVersion };
  }
  const remote = input.gitRemote?.replaceAll('{environment}', input.environment);
  const delivery = await deliverToGit(
    { repoDir: path.join(deps.dataDir, 'gitops', input.environment), remote },
    {
      folder: path.posix.join('apps', input.application),
      files: renderFiles(spec),
      message: [
        `Deploy ${input.application} ${input.version} to ${input.environment}`,
        '',
        `image: ${input.image}`,
        `replicas: ${input.replicas}`,
        `configuration: ${configVersion === null ? 'none' : `version ${configVersion}`}`,
        ...(input.requestId ? [`request: ${input.requestId}`] : []),
      ].join('\n'),
    },
  );
  return { ...delivery, configVersion };
}

const USAGE =
  'usage: plinth deploy --environment ENV --application NAME --image IMAGE --version V [--replicas N] [--port P] [--config-version N] [--target gitops|kubectl] [--revision-file FILE]';

function usage(message: string): never {
  throw new InputError(`${message}\n${USAGE}`, {
    errors: [{ field: 'argv', message, fix: USAGE }],
  });
}

function intOf(text: string | undefined, field: string, fallback: number): number {
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) usage(`--${field} must be a whole number`);
  return n;
}

/**
 * `plinth deploy ...`: the step the application workflow runs. Reads the
 * store and the secret key from the step's environment (`PLINTH_DATA_DIR`,
 * `PLINTH_DB`, `PLINTH_SECRET_KEY`, `PLINTH_DEPLOY_TARGET`,
 * `PLINTH_GITOPS_REMOTE`, `KUBECONFIG`), prints what it delivered (never a
 * secret) and writes the revision to `--revision-file`.
 */
export async function runDeployCommand(
  argv: string[],
  io: { env: Record<string, string | undefined>; stdout: Stream; stderr: Stream },
): Promise<number> {
  let store: Store | undefined;
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        environment: { type: 'string' },
        application: { type: 'string' },
        image: { type: 'string' },
        version: { type: 'string' },
        replicas: { type: 'string' },
        port: { type: 'string' },
        'config-version': { type: 'string' },
        target: { type: 'string' },
        kubeconfig: { type: 'string' },
        'revision-file': { type: 'string' },
        'request-id': { type: 'string' },
        'dry-run': { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    });
    for (const f of ['environment', 'application', 'image', 'version'] as const) {
      if (!values[f]) usage(`--${f} is required`);
    }
    const target = values.target || io.env['PLINTH_DEPLOY_TARGET'] || DeployTarget.GitOps;
    if (target !== DeployTarget.GitOps && target !== DeployTarget.Kubectl) {
      usage(`--target must be gitops or kubectl, not ${JSON.stringify(target)}`);
    }
    const dataDir = io.env['PLINTH_DATA_DIR'];
    if (!dataDir) usage('PLINTH_DATA_DIR is not set (the platform sets it for every step)');
    const configVersion = values['config-version']
      ? intOf(values['config-version'], 'config-version', 0)
      : undefined;
    store = await openStore(io.env['PLINTH_DB'] || 'sqlite', dataDir, {
      ...(io.env['PLINTH_DB_SCHEMA'] ? { schema: io.env['PLINTH_DB_SCHEMA'] } : {}),
      poolMax: 2,
    });
    const secretKey = loadSecretKey({ keyBase64: io.env['PLINTH_SECRET_KEY'], dataDir });
    const delivery = await deliverApplication(
      { store, secretKey, dataDir },
      {
        environment: values.environment as string,
        application: values.application as string,
        image: values.image as string,
        version: values.version as string,
        replicas: intOf(values.replicas, 'replicas', 1),
        port: intOf(values.port, 'port', 8080),
        configVersion,
        target,
        gitRemote: io.env['PLINTH_GITOPS_REMOTE'] || undefined,
        kubeconfig: values.kubeconfig || io.env['KUBECONFIG'] || undefined,
        dryRun: values['dry-run'] === true,
        requestId: values['request-id'] || undefined,
      },
    );
    if (values['revision-file']) await writeFile(values['revision-file'], delivery.revision);
    io.stdout.write(
      `delivered ${values.application} ${values.version} (configuration ${delivery.configVersion ?? 'none'}) to ${target} ${delivery.target}: ${delivery.revision}\n`,
    );
    return 0;
  } catch (err) {
    const message = isPlinthError(err) || err instanceof Error ? err.message : String(err);
    io.stderr.write(`plinth deploy: ${message}\n`);
    return 1;
  } finally {
    await store?.close();
  }
}
