export {
  startPlatform,
  type RunningPlatform,
  type StartOptions,
  type EndpointInfo,
} from './start.js';
