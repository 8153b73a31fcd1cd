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
export const SupportedEventSourceTypes = ['webhook'] as const satisfies readonly EventSourceType[];

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
