import { randomUUID } from 'node:crypto';
import { CloudEvent } from 'cloudevents';
import type { CloudEventJson } from '../../eventbus/index.js';

/** The payload Argo Events puts in a webhook event. */
export interface WebhookEventData {
  header: Record<string, string[]>;
  body: unknown;
  metadata?: Record<string, string>;
}

/**
 * Builds the CloudEvent for one accepted request, shaped as Argo Events
 * builds it: the id is a random UUID written as 32 hex digits, `source` the
 * EventSource, `subject` the event name, `type` the source type.
 */
export function webhookCloudEvent(
  eventSourceName: string,
  eventName: string,
  data: WebhookEventData,
): CloudEventJson {
  const event = new CloudEvent<WebhookEventData>({
    id: randomUUID().replaceAll('-', ''),
    source: eventSourceName,
    subject: eventName,
    type: 'webhook',
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    data,
  });
  return event.toJSON() as unknown as CloudEventJson;
}
