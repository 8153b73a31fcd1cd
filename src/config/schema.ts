/**
 * The one list of Plinth's settings. Each has a default, an environment
 * variable and (unless it is a secret) a command-line flag. docs/configuration.md
 * is generated from this list and a test fails when the two drift apart.
 */

/** How a setting's text is turned into a value. */
export type SettingKind = 'string' | 'port' | 'integer' | 'boolean' | 'level' | 'duration';

/** One configurable setting. */
export interface SettingSpec {
  /** Key in the Config object. */
  readonly key: string;
  /** Environment variable that sets it. */
  readonly env: string;
  /** Command-line flag of `plinth up`, when it has one (secrets never do). */
  readonly flag?: string;
  readonly kind: SettingKind;
  /** Default as text; `undefined` means unset. */
  readonly default?: string;
  /** Never printed, logged or serialised. */
  readonly secret?: boolean;
  readonly description: string;
}

export const settings = [
  {
    key: 'dataDir',
    env: 'PLINTH_DATA_DIR',
    flag: '--data-dir',
    kind: 'string',
    default: './.plinth',
    description:
      'Directory for all state: the database, the event bus, Terraform working directories, step logs and artifacts.',
  },
  {
    key: 'catalogDir',
    env: 'PLINTH_CATALOG_DIR',
    flag: '--catalog',
    kind: 'string',
    description:
      "The platform definitions (Argo manifests and Terraform modules). Default: the package's own `catalog/`.",
  },
  {
    key: 'secretsDir',
    env: 'PLINTH_SECRETS_DIR',
    flag: '--secrets-dir',
    kind: 'string',
    description:
      'Where the Kubernetes Secrets that manifests name live on one machine: a file `<name>/<key>` each. Default: `<data dir>/secrets`. Also read: variables `PLINTH_SECRET_<NAME>_<KEY>`.',
  },
  {
    key: 'configMapsDir',
    env: 'PLINTH_CONFIGMAPS_DIR',
    flag: '--configmaps-dir',
    kind: 'string',
    description:
      'Where the ConfigMaps that manifests name live on one machine: a file `<name>/<key>` each. Default: `<data dir>/config`.',
  },
  {
    key: 'host',
    env: 'PLINTH_HOST',
    flag: '--host',
    kind: 'string',
    default: '127.0.0.1',
    description: 'Address the API and the webhook EventSources listen on.',
  },
  {
    key: 'port',
    env: 'PLINTH_PORT',
    flag: '--port',
    kind: 'port',
    default: '8000',
    description: 'Port of the API (0 picks a free one).',
  },
  {
    key: 'eventSourcePorts',
    env: 'PLINTH_EVENTSOURCE_PORTS',
    flag: '--eventsource-ports',
    kind: 'string',
    default: '',
    description:
      'Remaps the ports that EventSource manifests name, as `FROM=TO[,FROM=TO]` (e.g. `12000=12100`); TO may be 0 for a free port.',
  },
  {
    key: 'publicUrl',
    env: 'PLINTH_PUBLIC_URL',
    flag: '--public-url',
    kind: 'string',
    description: 'URL the API is reached at, used in links. Default: http://HOST:PORT.',
  },
  {
    key: 'dispatchUrl',
    env: 'PLINTH_DISPATCH_URL',
    flag: '--dispatch-url',
    kind: 'string',
    description:
      "Base URL of the webhook EventSource the API posts requests to (as the seed's FastAPI did). Default: the embedded webhook EventSource.",
  },
  {
    key: 'db',
    env: 'PLINTH_DB',
    flag: '--db',
    kind: 'string',
    default: 'sqlite',
    description:
      'Database: `sqlite` (a file in the data directory), `sqlite:PATH`, or a `postgres://` URL.',
  },
  {
    key: 'dbSchema',
    env: 'PLINTH_DB_SCHEMA',
    flag: '--db-schema',
    kind: 'string',
    default: 'public',
    description:
      "PostgreSQL schema for Plinth's tables, created when missing; a `?schema=` in the URL wins.",
  },
  {
    key: 'dbPoolMax',
    env: 'PLINTH_DB_POOL_MAX',
    flag: '--db-pool-max',
    kind: 'integer',
    default: '10',
    description: 'Most PostgreSQL connections each Plinth process opens.',
  },
  {
    key: 'dbIdleTimeout',
    env: 'PLINTH_DB_IDLE_TIMEOUT',
    flag: '--db-idle-timeout',
    kind: 'duration',
    default: '30s',
    description: 'How long an idle PostgreSQL connection stays open.',
  },
  {
    key: 'claimLease',
    env: 'PLINTH_CLAIM_LEASE',
    flag: '--claim-lease',
    kind: 'duration',
    default: '30s',
    description:
      'With PostgreSQL, how long a Workflow stays with a process that stops renewing its claim (it renews every third of this) before another process takes it over.',
  },
  {
    key: 'bus',
    env: 'PLINTH_BUS',
    flag: '--bus',
    kind: 'string',
    default: 'embedded',
    description: 'Event bus: `embedded` (durable, in the data directory) or a `nats://` URL.',
  },
  {
    key: 'busToken',
    env: 'PLINTH_BUS_TOKEN',
    kind: 'string',
    secret: true,
    description: 'Token for the NATS event bus (`auth: token`).',
  },
  {
    key: 'busStream',
    env: 'PLINTH_BUS_STREAM',
    flag: '--bus-stream',
    kind: 'string',
    description:
      "JetStream stream of the NATS bus. Default: the catalog EventBus's name, else `plinth-events`.",
  },
  {
    key: 'busUser',
    env: 'PLINTH_BUS_USER',
    kind: 'string',
    description: 'User name for the NATS event bus.',
  },
  {
    key: 'busPassword',
    env: 'PLINTH_BUS_PASSWORD',
    kind: 'string',
    secret: true,
    description: 'Password for the NATS event bus.',
  },
  {
    key: 'adminToken',
    env: 'PLINTH_ADMIN_TOKEN',
    flag: '--admin-token',
    kind: 'string',
    secret: true,
    description: 'The first admin token. Unset: one is generated on first start and printed once.',
  },
  {
    key: 'secretKey',
    env: 'PLINTH_SECRET_KEY',
    kind: 'string',
    secret: true,
    description:
      'Key (32 bytes, base64) that encrypts configuration secrets at rest (AES-256-GCM). Unset: one is generated on first start in `<data dir>/secret.key` (mode 0600).',
  },
  {
    key: 'deployTarget',
    env: 'PLINTH_DEPLOY_TARGET',
    flag: '--deploy-target',
    kind: 'string',
    default: 'gitops',
    description:
      "Where application deployments go: `gitops` (a git repository per environment, the commit Argo CD would sync) or `kubectl` (apply with the environment's kubeconfig).",
  },
  {
    key: 'gitopsRemote',
    env: 'PLINTH_GITOPS_REMOTE',
    flag: '--gitops-remote',
    kind: 'string',
    description:
      'A git remote the GitOps repositories are cloned from and pushed to; `{environment}` is replaced by the environment name. Unset: local repositories under `<data dir>/gitops/`.',
  },
  {
    key: 'terraformBin',
    env: 'PLINTH_TERRAFORM_BIN',
    flag: '--terraform',
    kind: 'string',
    default: 'terraform',
    description: 'The terraform executable workflow steps run.',
  },
  {
    key: 'stepGraceSeconds',
    env: 'PLINTH_STEP_GRACE_SECONDS',
    flag: '--step-grace-seconds',
    kind: 'integer',
    default: '10',
    description: "Seconds between SIGTERM and SIGKILL when a step's process group is stopped.",
  },
  {
    key: 'transientErrorPattern',
    env: 'PLINTH_TRANSIENT_ERROR_PATTERN',
    flag: '--transient-error-pattern',
    kind: 'string',
    description:
      "A regular expression of step messages that `retryPolicy: OnTransientError` also retries (Argo's TRANSIENT_ERROR_PATTERN).",
  },
  {
    key: 'ttlCheckInterval',
    env: 'PLINTH_TTL_CHECK_INTERVAL',
    flag: '--ttl-check-interval',
    kind: 'duration',
    default: '60s',
    description: 'How often environments past their TTL are looked for (e.g. `30s`, `5m`).',
  },
  {
    key: 'expiryWarning',
    env: 'PLINTH_EXPIRY_WARNING',
    flag: '--expiry-warning',
    kind: 'duration',
    default: '1h',
    description: "How long before an environment's TTL ends the warning notification is sent.",
  },
  {
    key: 'driftCheckInterval',
    env: 'PLINTH_DRIFT_CHECK_INTERVAL',
    flag: '--drift-check-interval',
    kind: 'duration',
    default: '0s',
    description:
      'How often every Ready environment is checked for drift; `0s` turns scheduled checks off.',
  },
  {
    key: 'notificationsFile',
    env: 'PLINTH_NOTIFICATIONS_FILE',
    flag: '--notifications',
    kind: 'string',
    description:
      'A JSON list of outgoing webhooks `{url, events?, format?: plinth|slack, secret?: {name, key}}`. Default: `policies/notifications.json` in the catalog, when present.',
  },
  {
    key: 'logLevel',
    env: 'PLINTH_LOG_LEVEL',
    flag: '--log-level',
    kind: 'level',
    default: 'info',
    description: 'Log level: trace, debug, info, warn, error, fatal or silent.',
  },
] as const satisfies readonly SettingSpec[];
