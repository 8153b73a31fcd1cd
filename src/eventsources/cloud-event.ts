import { randomUUID } from 'node:crypto';
import type { CloudEventJson } from '../eventbus/index.js';
import type { SupportedEventSourceType } from './types.js';

/**
 * The CloudEvent Argo Events puts on its bus for one event, field for field:
 * a random UUID written as 32 hex digits, `source` the EventSource, `subject`
 * the event name, `type` the event source type, the time as Go writes it, and
 * the JSON payload as `data_base64` (Argo hands the Go SDK the payload as
 * bytes, which it encodes so).
 *
 * Built as a plain object: every attribute is set here from values that are
 * valid by construction, so the SDK's per-event validation (a schema check
 * and a deep copy of the payload) buys nothing on the webhook's hot path. A
 * test holds the result to the SDK's validation.
 *
 * `payload` is the payload's JSON text, or a value to encode as Go's
 * encoding/json would.
 */
export function sourceCloudEvent(
  type: SupportedEventSourceType,
  eventSourceName: string,
  eventName: string,
  payload: object | string,
  timeMs: number = Date.now(),
): CloudEventJson {
  const text = typeof payload === 'string' ? payload : goJson(payload);
  return {
    specversion: '1.0',
    id: randomUUID().replaceAll('-', ''),
    source: eventSourceName,
    type,
    subject: eventName,
    datacontenttype: 'application/json',
    time: goTimestamp(timeMs),
    data_base64: Buffer.from(text, 'utf8').toString('base64'),
  };
}

/** RFC 3339 in UTC with the fraction's trailing zeros dropped, as Go's RFC3339Nano. */
export function goTimestamp(timeMs: number): string {
  const iso = new Date(timeMs).toISOString(); // always YYYY-MM-DDTHH:mm:ss.sssZ
  const fraction = iso.slice(20, 23).replace(/0+$/, '');
  return `${iso.slice(0, 19)}${fraction ? `.${fraction}` : ''}Z`;
}

const htmlUnsafe = /[<>&\u2028\u2029]/g;
const escapes: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/**
 * JSON text as Go's `json.Marshal` writes it: `<`, `>`, `&` and the line
 * separators escaped. (These characters occur only inside strings, so
 * escaping them in the whole text is safe.)
 */
export function goEscape(json: string): string {
  htmlUnsafe.lastIndex = 0;
  return htmlUnsafe.test(json) ? json.replace(htmlUnsafe, (c) => escapes[c] ?? c) : json;
}

/** `JSON.stringify` with Go's escaping. */
export function goJson(value: unknown): string {
  return goEscape(JSON.stringify(value));
}

/**
 * JSON text of a value decoded into Go's `map[string]interface{}` and
 * marshalled again: object keys sorted at every depth.
 */
export function goJsonOfMap(value: unknown): string {
  return goJson(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(source).sort()) out[key] = sortKeys(source[key]);
  return out;
}

/** The JSON text of Argo's `{headers|header, body, metadata}` payload from its parts' texts. */
export function goPayloadJson(
  headerField: 'header' | 'headers',
  header: Record<string, string[]>,
  bodyJson: string,
  metadata: Record<string, string> | undefined,
): string {
  const meta = metadata === undefined ? '' : `,"metadata":${goJson(metadata)}`;
  return `{"${headerField}":${goJson(header)},"body":${bodyJson}${meta}}`;
}

const insignificant = /("(?:[^"\\]|\\.)*")|[ \t\n\r]+/g;

/**
 * A valid JSON text without the whitespace between tokens, its numbers and
 * strings untouched: what Go's `json.RawMessage` becomes when marshalled.
 */
export function compactJson(valid: string): string {
  if (!/[ \t\n\r]/.test(valid)) return goEscape(valid);
  return goEscape(valid.replace(insignificant, (_m, str: string | undefined) => str ?? ''));
}

/**
 * A `map[string]string` field tagged `omitempty`, as Go writes it: keys
 * sorted, and left out (undefined) when empty.
 */
export function goStringMap(
  map: Readonly<Record<string, string>> | undefined,
): Record<string, string> | undefined {
  if (map === undefined) return undefined;
  const keys = Object.keys(map).sort();
  if (keys.length === 0) return undefined;
  return Object.fromEntries(keys.map((k) => [k, map[k] as string]));
}

/** An event's payload, from `data_base64` (parsed as JSON) or `data`. */
export function payloadOf(event: CloudEventJson): unknown {
  if (typeof event.data_base64 !== 'string') return event.data;
  return JSON.parse(Buffer.from(event.data_base64, 'base64').toString('utf8'));
}
