import { parse as parseYaml } from 'yaml';
import type { CloudEventJson } from '../eventbus/index.js';
import { InputError } from '../errors/index.js';

/** An event's context as Argo's sensor sees it (and marshals it, in this field order). */
export interface EventContext {
  id: string;
  source: string;
  specversion: string;
  type: string;
  datacontenttype: string;
  subject: string;
  time: string;
}

/** An event as a sensor's parameters read it: its context and its payload bytes. */
export interface SensorEvent {
  context: EventContext;
  data: Buffer;
}

const jsonMediaType = 'application/json';
const yamlMediaType = 'application/yaml';

/** Reads a structured CloudEvent; the payload is `data_base64` (as Argo writes it) or `data`. */
export function toSensorEvent(event: CloudEventJson): SensorEvent {
  const contentType = event.datacontenttype ?? (hasData(event) ? jsonMediaType : '');
  return {
    context: {
      id: event.id,
      source: event.source,
      specversion: event.specversion,
      type: event.type,
      datacontenttype: contentType,
      subject: event.subject,
      time: kubernetesTime(event.time),
    },
    data: payloadBytes(event, contentType),
  };
}

function hasData(event: CloudEventJson): boolean {
  return event.data_base64 !== undefined || event.data !== undefined;
}

function payloadBytes(event: CloudEventJson, contentType: string): Buffer {
  if (typeof event.data_base64 === 'string') return Buffer.from(event.data_base64, 'base64');
  if (event.data === undefined) return Buffer.alloc(0);
  // In the JSON format, a JSON payload is the value itself; any other media type's text is a JSON string.
  if (typeof event.data === 'string' && !isJsonMediaType(contentType))
    return Buffer.from(event.data);
  return Buffer.from(JSON.stringify(event.data));
}

function isJsonMediaType(contentType: string): boolean {
  const base = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return base === jsonMediaType || base.endsWith('+json') || base.endsWith('/json');
}

/** Kubernetes' metav1.Time marshals to RFC 3339 in UTC, whole seconds. */
function kubernetesTime(time: string): string {
  const ms = Date.parse(time);
  if (Number.isNaN(ms)) return time;
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The payload as JSON text, as Argo renders it for a `dataKey`: JSON as is,
 * YAML converted; any other media type cannot be read by key.
 */
export function payloadJson(event: SensorEvent): string {
  const { data, context } = event;
  const text = data.toString('utf8');
  switch (context.datacontenttype) {
    case jsonMediaType:
      try {
        JSON.parse(text);
      } catch {
        throw new InputError(`event ${context.id}: the payload is not valid JSON`);
      }
      return text;
    case yamlMediaType:
      try {
        return JSON.stringify(parseYaml(text));
      } catch (err) {
        throw new InputError(`event ${context.id}: the YAML payload cannot be read`, {
          cause: err,
        });
      }
    default:
      throw new InputError(
        `event ${context.id}: unsupported content type "${context.datacontenttype}" (a dataKey reads application/json or application/yaml)`,
      );
  }
}

/** The context as JSON text, for a `contextKey`. */
export function contextJson(event: SensorEvent): string {
  return JSON.stringify(event.context);
}

/** The whole event as Argo marshals it when a parameter names no key: the payload base64-encoded. */
export function eventJson(event: SensorEvent): string {
  return JSON.stringify({ context: event.context, data: event.data.toString('base64') });
}
