export type * from './types.js';
export { createEventBus, type EventBusConfig } from './create.js';
export {
  EmbeddedEventBus,
  embeddedBusFile,
  type EmbeddedEventBusOptions,
  type SyncMode,
} from './embedded/embedded-bus.js';
export {
  JetStreamEventBus,
  defaultStreamName,
  type JetStreamEventBusOptions,
} from './jetstream/jetstream-bus.js';
export type { EventBusManifest } from './jetstream/eventbus-spec.js';
export { redactUrl } from './jetstream/connection.js';
