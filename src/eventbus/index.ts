export type * from './types.js';
export { createEventBus, type EventBusConfig } from './create.js';
export {
  EmbeddedEventBus,
  embeddedBusFile,
  type EmbeddedEventBusOptions,
  type SyncMode,
} from './embedded/embedded-bus.js';
