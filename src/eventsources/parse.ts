import { ManifestError } from '../errors/index.js';
import { isObj, type Fail } from './parse-util.js';
import { parseCalendar, parseGithub, parseGitlab, parseWebhook } from './parse-sources.js';
import {
  EventSourceTypes,
  SupportedEventSourceTypes,
  type EventSource,
  type EventSourceSpec,
} from './types.js';

/** Where the manifest came from, for error messages. */
export interface ManifestLocation {
  file?: string;
}

const specFields = new Set(['eventBusName', 'replicas', 'service', 'template']);
const readers = {
  webhook: parseWebhook,
  calendar: parseCalendar,
  github: parseGithub,
  gitlab: parseGitlab,
} as const;
const supported = new Set<string>(SupportedEventSourceTypes);

/**
 * Checks a parsed EventSource object and returns it typed, with `port`
 * normalised to a string. Throws a ManifestError for shapes Argo would refuse
 * and for event source types Plinth does not run yet.
 */
export function parseEventSource(value: unknown, location: ManifestLocation = {}): EventSource {
  const fail: Fail = (field, message, fix) => {
    throw new ManifestError(`${field}: ${message}${fix ? ` (${fix})` : ''}`, location, {
      errors: [{ field, message, ...(fix ? { fix } : {}) }],
    });
  };
  if (!isObj(value)) return fail('(root)', 'an EventSource must be a YAML/JSON object');
  if (value.apiVersion !== 'argoproj.io/v1alpha1') {
    fail('apiVersion', `is ${JSON.stringify(value.apiVersion)}`, 'use argoproj.io/v1alpha1');
  }
  if (value.kind !== 'EventSource') {
    fail('kind', `is ${JSON.stringify(value.kind)}, not EventSource`);
  }
  const metadata = value.metadata;
  if (!isObj(metadata) || typeof metadata.name !== 'string' || metadata.name === '') {
    return fail('metadata.name', 'is required', 'name the EventSource');
  }
  const spec = value.spec;
  if (!isObj(spec)) return fail('spec', 'is required');

  const out: EventSourceSpec = {};
  for (const key of Object.keys(spec)) {
    if (specFields.has(key)) continue;
    if (supported.has(key)) continue;
    if ((EventSourceTypes as readonly string[]).includes(key)) {
      fail(
        `spec.${key}`,
        `the ${key} event source type is not supported yet`,
        `${SupportedEventSourceTypes.join(', ')} is what Plinth runs now`,
      );
    }
    fail(`spec.${key}`, 'is not a field of an EventSource spec', 'remove it or check its spelling');
  }
  if (spec.eventBusName !== undefined) {
    if (typeof spec.eventBusName !== 'string') fail('spec.eventBusName', 'must be a string');
    out.eventBusName = spec.eventBusName as string;
  }
  if (spec.replicas !== undefined) out.replicas = spec.replicas as number;
  if (spec.service !== undefined) {
    if (!isObj(spec.service)) fail('spec.service', 'must be an object');
    out.service = spec.service as EventSourceSpec['service'];
  }
  if (spec.template !== undefined) out.template = spec.template;

  for (const type of SupportedEventSourceTypes) {
    const group = spec[type];
    if (group === undefined) continue;
    if (!isObj(group)) return fail(`spec.${type}`, 'must map event names to event sources');
    const read = readers[type] as (path: string, raw: unknown, fail: Fail) => unknown;
    const parsed: Record<string, unknown> = {};
    for (const [eventName, raw] of Object.entries(group)) {
      parsed[eventName] = read(`spec.${type}.${eventName}`, raw, fail);
    }
    (out as Record<string, unknown>)[type] = parsed;
  }
  if (SupportedEventSourceTypes.every((t) => Object.keys(out[t] ?? {}).length === 0)) {
    fail('spec', 'defines no event source', 'add a webhook map of event names to endpoints');
  }
  const meta: EventSource['metadata'] = { name: metadata.name };
  if (typeof metadata.namespace === 'string') meta.namespace = metadata.namespace;
  if (isObj(metadata.labels)) meta.labels = metadata.labels as Record<string, string>;
  if (isObj(metadata.annotations)) {
    meta.annotations = metadata.annotations as Record<string, string>;
  }
  return { apiVersion: 'argoproj.io/v1alpha1', kind: 'EventSource', metadata: meta, spec: out };
}
