import { randomUUID } from 'node:crypto';
import { CloudEvent } from 'cloudevents';
import type { CloudEventJson } from '../eventbus/index.js';
import type { SupportedEventSourceType } from './types.js';

/**
 * The CloudEvent Argo Events puts on its bus for one event: a random UUID
 * written as 32 hex digits, `source` the EventSource, `subject` the event
 * name, `type` the event source type, a JSON payload.
 */
export function sourceCloudEvent(
  type: SupportedEventSourceType,
  eventSourceName: string,
  eventName: string,
  data: object,
  timeMs: number = Date.now(),
): CloudEventJson {
  const event = new CloudEvent<object>({
    id: randomUUID().replaceAll('-', ''),
    source: eventSourceName,
    subject: eventName,
    type,
    time: new Date(timeMs).toISOString(),
    datacontenttype: 'application/json',
    data,
  });
  return event.toJSON() as unknown as CloudEventJson;
}
