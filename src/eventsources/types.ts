/**
 * The EventSource resource (argoproj.io/v1alpha1), as far as Plinth reads it.
 * Field names and shapes are Argo Events' own.
 */

/** The event source types an Argo EventSource spec may hold, keyed as in `spec`. */
export const EventSourceTypes = [
  'amqp',
  'azureEventsHub',
  'azureQueueStorage',
  'azureServiceBus',
  'bitbucket',
  'bitbucketserver',
  'calendar',
  'emitter',
  'file',
  'generic',
  'gerrit',
  'github',
  'gitlab',
  'hdfs',
  'kafka',
  'minio',
  'mns',
  'mqtt',
  'nats',
  'nsq',
  'pubSub',
  'pulsar',
  'redis',
  'redisStream',
  'resource',
  'sftp',
  'slack',
  'sns',
  'sqs',
  'storageGrid',
  'stripe',
  'webhook',
] as const;

export type EventSourceType = (typeof EventSourceTypes)[number];

/** The types Plinth runs today. */
export const SupportedEventSourceTypes = [
  'webhook',
  'calendar',
  'github',
  'gitlab',
] as const satisfies readonly EventSourceType[];

export type SupportedEventSourceType = (typeof SupportedEventSourceTypes)[number];

/** A reference to one key of a Kubernetes Secret. */
export interface SecretKeySelector {
  name: string;
  key: string;
  optional?: boolean;
}

/** Drops events whose payload does not satisfy an expression (expr language). */
export interface EventSourceFilter {
  expression?: string;
}

/** Argo's WebhookContext plus the filter: one HTTP endpoint of a webhook EventSource. */
export interface WebhookEventSource {
  /** Path of the endpoint, e.g. `/environments`. */
  endpoint: string;
  /** HTTP method the endpoint accepts, compared exactly (e.g. `POST`). */
  method: string;
  /** Port the server listens on, a decimal string as in Argo (`"12000"`). */
  port: string;
  /** The URL the endpoint is reached at; informational. */
  url?: string;
  /** Largest body accepted, in bytes; Argo's default is 1 MiB. */
  maxPayloadSize?: number;
  /** A bearer token callers must present. */
  authSecret?: SecretKeySelector;
  /** Passed along in every event's payload as `metadata`. */
  metadata?: Record<string, string>;
  filter?: EventSourceFilter;
  serverCertSecret?: SecretKeySelector;
  serverKeySecret?: SecretKeySelector;
}

/** Argo's WebhookContext: the HTTP endpoint a github or gitlab event source serves. */
export type WebhookContext = Omit<WebhookEventSource, 'filter'>;

/** Where a calendar event source keeps its last event, and whether it catches up. */
export interface EventPersistence {
  catchup?: { enabled?: boolean; maxDuration?: string };
  /** On one machine, the name of a JSON file under the data directory, not a ConfigMap. */
  configMap?: { name?: string; createIfNotExist?: boolean };
}

/** Argo's CalendarEventSource: events on a cron schedule or at an interval. */
export interface CalendarEventSource {
  /** Cron with five fields (minute hour day-of-month month day-of-week), as Argo parses it. */
  schedule?: string;
  /** A Go duration such as `1h30m`; used when `schedule` is empty. */
  interval?: string;
  /** RFC 5545 `EXDATE:20060102T150405Z,...` lines: days on which no event fires. */
  exclusionDates?: string[];
  /** IANA zone the schedule is read in; UTC when empty. */
  timezone?: string;
  metadata?: Record<string, string>;
  persistence?: EventPersistence;
  filter?: EventSourceFilter;
}

/** Argo's GithubEventSource; the parts that call GitHub's API are kept but not acted on. */
export interface GithubEventSource {
  id?: number;
  webhook?: WebhookContext;
  owner?: string;
  repository?: string;
  repositories?: { owner: string; names: string[] }[];
  organizations?: string[];
  /** Values of `X-GitHub-Event` that become events (`*` for all). */
  events?: string[];
  apiToken?: SecretKeySelector;
  webhookSecret?: SecretKeySelector;
  insecure?: boolean;
  active?: boolean;
  contentType?: string;
  githubBaseURL?: string;
  githubUploadURL?: string;
  deleteHookOnFinish?: boolean;
  githubApp?: unknown;
  metadata?: Record<string, string>;
  filter?: EventSourceFilter;
}

/** Argo's GitlabEventSource; the parts that call GitLab's API are kept but not acted on. */
export interface GitlabEventSource {
  webhook?: WebhookContext;
  projectID?: string;
  projects?: string[];
  groups?: string[];
  /** GitLab hook options such as `PushEvents`, matched against `X-Gitlab-Event`. */
  events?: string[];
  accessToken?: SecretKeySelector;
  secretToken?: SecretKeySelector;
  enableSSLVerification?: boolean;
  gitlabBaseURL?: string;
  deleteHookOnFinish?: boolean;
  metadata?: Record<string, string>;
  filter?: EventSourceFilter;
}

export interface ServicePort {
  name?: string;
  port: number;
  targetPort?: number | string;
  protocol?: string;
}

export interface EventSourceSpec {
  /** The EventBus to publish to; Argo's default is `default`. */
  eventBusName?: string;
  replicas?: number;
  service?: { ports?: ServicePort[]; clusterIP?: string; metadata?: unknown };
  template?: unknown;
  /** Event name → endpoint. */
  webhook?: Record<string, WebhookEventSource>;
  calendar?: Record<string, CalendarEventSource>;
  github?: Record<string, GithubEventSource>;
  gitlab?: Record<string, GitlabEventSource>;
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface EventSource {
  apiVersion: 'argoproj.io/v1alpha1';
  kind: 'EventSource';
  metadata: ObjectMeta;
  spec: EventSourceSpec;
}

/** Argo's default `maxPayloadSize` (1 MiB). */
export const defaultMaxPayloadSize = 1_048_576;

/**
 * Annotation on an EventSource naming the secret (`<name>/<key>`) whose HMAC-SHA256
 * of the body every webhook request must carry in `X-Plinth-Signature-256`.
 * `plinth.dev/hmac-secret.<eventName>` sets it for one endpoint.
 */
export const hmacSecretAnnotation = 'plinth.dev/hmac-secret';
