import type { Manifest } from '../catalog/index.js';
import { InstallNames } from './install-types.js';
import type { KubernetesObject } from './types.js';

/** The NATS server version of the rendered JetStream EventBus (one Argo Events lists). */
export const JETSTREAM_VERSION = '2.10.29';

/** The EventSource the API dispatches requests to (the seed's). */
export const DISPATCH_EVENT_SOURCE = 'webhook';

/** The fields a NATS native bus shares with a JetStream bus, carried over as they are. */
const SHARED_BUS_FIELDS = [
  'affinity',
  'containerTemplate',
  'imagePullSecrets',
  'maxPayload',
  'metadata',
  'metricsContainerTemplate',
  'nodeSelector',
  'persistence',
  'priority',
  'priorityClassName',
  'replicas',
  'securityContext',
  'serviceAccountName',
  'tolerations',
] as const;

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function asObj(v: unknown): Obj {
  return isObj(v) ? v : {};
}

/** A copy of a catalog manifest placed in `namespace`, with the install's labels added. */
export function placed(
  manifest: Manifest,
  namespace: string,
  labels: Record<string, string>,
): KubernetesObject {
  const copy = structuredClone(manifest) as Obj;
  const metadata = asObj(copy.metadata);
  copy.metadata = {
    ...metadata,
    namespace,
    labels: { ...asObj(metadata.labels), ...labels },
  };
  return copy as KubernetesObject;
}

/**
 * The EventBus as JetStream. Argo Events deprecates the NATS native bus the
 * seed declares; a JetStream bus keeps its replicas and placement, and always
 * authenticates its clients (Argo generates the credentials and turns TLS on),
 * which stands in for the native bus's `auth: token`.
 */
export function jetStreamBus(bus: KubernetesObject, notes: string[]): KubernetesObject {
  const spec = asObj(bus.spec);
  const nats = asObj(spec.nats);
  if (!isObj(nats.native)) return bus;
  const native = nats.native;
  const jetstream: Obj = { version: JETSTREAM_VERSION };
  for (const field of SHARED_BUS_FIELDS) {
    if (native[field] !== undefined) jetstream[field] = native[field];
  }
  if (jetstream.replicas === undefined) jetstream.replicas = 3;
  const limits = ['maxAge', 'maxMsgs', 'maxBytes']
    .filter((k) => native[k] !== undefined)
    .map((k) => `${k}: ${String(native[k])}`);
  if (limits.length > 0) jetstream.streamConfig = `${limits.join('\n')}\n`;
  notes.push(
    `EventBus "${bus.metadata.name}": NATS native (deprecated by Argo Events) rendered as JetStream ${JETSTREAM_VERSION} with ${String(jetstream.replicas)} replicas; clients authenticate with the credentials Argo generates in Secret eventbus-${bus.metadata.name}-js-client-auth, over TLS (the JetStream form of auth: token).`,
  );
  return { ...bus, spec: { jetstream } };
}

/** A default JetStream EventBus, for an `eventBusName` the catalog names but does not define. */
export function defaultBus(
  name: string,
  namespace: string,
  labels: Record<string, string>,
): KubernetesObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'EventBus',
    metadata: { name, namespace, labels },
    spec: { jetstream: { version: JETSTREAM_VERSION, replicas: 3 } },
  };
}

/** The ports an EventSource's events listen on: every mapping with an endpoint and a port. */
export function listenPorts(eventSource: KubernetesObject): number[] {
  const ports = new Set<number>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (isObj(v)) {
      if (typeof v.endpoint === 'string' && v.port !== undefined) {
        const port = Number(v.port);
        if (Number.isInteger(port) && port > 0) ports.add(port);
      }
      Object.values(v).forEach(walk);
    }
  };
  walk(eventSource.spec);
  return [...ports].sort((a, b) => a - b);
}

function webhookOnly(spec: Obj): boolean {
  return Object.keys(spec).every((k) => ['eventBusName', 'webhook', 'service'].includes(k));
}

/**
 * Folds the webhook EventSources that listen on the dispatch EventSource's
 * port into it. On one machine they share one listener, and the API posts
 * every request to `<dispatch address>/<eventName>`; in a cluster each
 * EventSource is a pod of its own, so the folded events are served by the
 * dispatch EventSource's pod. Returns the renamed EventSources (old name to
 * the one that now serves their events), for the Sensors' dependencies.
 */
export function foldWebhooks(
  eventSources: KubernetesObject[],
  notes: string[],
): { eventSources: KubernetesObject[]; renamed: Map<string, string> } {
  const renamed = new Map<string, string>();
  const primary = eventSources.find((e) => e.metadata.name === DISPATCH_EVENT_SOURCE);
  const primarySpec = asObj(primary?.spec);
  if (!primary || !isObj(primarySpec.webhook)) return { eventSources, renamed };
  const ports = new Set(listenPorts(primary));
  const events: Obj = { ...primarySpec.webhook };
  const kept: KubernetesObject[] = [];
  for (const source of eventSources) {
    const spec = asObj(source.spec);
    const webhook = spec.webhook;
    const foldable =
      source !== primary &&
      isObj(webhook) &&
      webhookOnly(spec) &&
      (spec.eventBusName ?? 'default') === (primarySpec.eventBusName ?? 'default') &&
      listenPorts(source).every((p) => ports.has(p)) &&
      Object.keys(webhook).every((name) => events[name] === undefined);
    if (!foldable) {
      kept.push(source);
      continue;
    }
    Object.assign(events, webhook);
    renamed.set(source.metadata.name, primary.metadata.name);
    notes.push(
      `EventSource "${source.metadata.name}": its webhook events (${Object.keys(webhook).join(', ')}) are served by EventSource "${primary.metadata.name}" on the same port, so the API reaches every request kind at one address; Sensors depend on "${primary.metadata.name}" for them.`,
    );
  }
  const merged = { ...primary, spec: { ...primarySpec, webhook: events } };
  return { eventSources: kept.map((e) => (e === primary ? merged : e)), renamed };
}

/** Gives an EventSource that listens on ports a Service, which Argo Events creates from `spec.service`. */
export function withService(eventSource: KubernetesObject): KubernetesObject {
  const spec = asObj(eventSource.spec);
  if (spec.service !== undefined) return eventSource;
  const ports = listenPorts(eventSource);
  if (ports.length === 0) return eventSource;
  return {
    ...eventSource,
    spec: { ...spec, service: { ports: ports.map((port) => ({ port, targetPort: port })) } },
  };
}

/** The Service name Argo Events gives an EventSource's `spec.service`. */
export function eventSourceServiceName(name: string): string {
  return `${name}-eventsource-svc`;
}

/**
 * A Sensor for the cluster: its triggers run as the sensor ServiceAccount,
 * the resources they create land in the install's namespace, and its
 * dependencies follow folded EventSources.
 */
export function clusterSensor(
  sensor: KubernetesObject,
  namespace: string,
  renamed: Map<string, string>,
): KubernetesObject {
  const spec = asObj(structuredClone(sensor.spec));
  const template = asObj(spec.template);
  if (template.serviceAccountName === undefined) {
    spec.template = { ...template, serviceAccountName: InstallNames.sensorAccount };
  }
  if (Array.isArray(spec.dependencies)) {
    for (const dep of spec.dependencies) {
      if (!isObj(dep) || typeof dep.eventSourceName !== 'string') continue;
      const to = renamed.get(dep.eventSourceName);
      if (to !== undefined) dep.eventSourceName = to;
    }
  }
  if (Array.isArray(spec.triggers)) {
    for (const trigger of spec.triggers) {
      const t = asObj(asObj(trigger).template);
      for (const kind of ['k8s', 'argoWorkflow']) {
        const resource = asObj(asObj(asObj(t[kind]).source).resource);
        if (isObj(resource.metadata)) resource.metadata.namespace = namespace;
      }
    }
  }
  return { ...sensor, spec };
}

/** The EventBus names the EventSources and Sensors use. */
export function busNames(objects: KubernetesObject[]): string[] {
  return [
    ...new Set(
      objects.map((o) => {
        const name = asObj(o.spec).eventBusName;
        return typeof name === 'string' && name !== '' ? name : 'default';
      }),
    ),
  ];
}
