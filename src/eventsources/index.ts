export type * from './types.js';
export {
  EventSourceTypes,
  SupportedEventSourceTypes,
  defaultMaxPayloadSize,
  hmacSecretAnnotation,
} from './types.js';
export { parseEventSource, type ManifestLocation } from './parse.js';
export {
  createEventSources,
  secretResolverFrom,
  type EventSources,
  type EventSourcesOptions,
  type KeyedSecretStore,
} from './event-sources.js';
export {
  createWebhookEventSources,
  signatureHeader,
  type WebhookEventSources,
  type WebhookEventSourcesOptions,
  type WebhookEndpoint,
  type SecretResolver,
  type FilterEvaluator,
} from './webhook/webhook-sources.js';
export type { WebhookEventData } from './webhook/event.js';
export {
  createCalendarEventSources,
  systemClock,
  type CalendarEventSources,
  type CalendarEventSourcesOptions,
  type CalendarEventData,
  type CalendarSchedule,
  type Clock,
} from './calendar/calendar-sources.js';
export type { GithubEventData } from './git/github.js';
export type { GitlabEventData } from './git/gitlab.js';
