export type * from './types.js';
export { EventSourceTypes, SupportedEventSourceTypes, defaultMaxPayloadSize } from './types.js';
export { parseEventSource, type ManifestLocation } from './parse.js';
export {
  createWebhookEventSources,
  type WebhookEventSources,
  type WebhookEventSourcesOptions,
  type WebhookEndpoint,
  type SecretResolver,
  type FilterEvaluator,
} from './webhook/webhook-sources.js';
export type { WebhookEventData } from './webhook/event.js';
