export {
  createPlinthClient,
  type PlinthClient,
  type PlinthClientOptions,
  type CallOptions,
  type Query,
} from './client.js';
export { parseEventStream, type ServerSentEvent } from './sse.js';
export * from './types.js';
