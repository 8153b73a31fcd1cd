export { runCli, createProgram } from './program.js';
export type {
  CliIO,
  CliDeps,
  PlatformHandle,
  StartPlatform,
  RunTerraformCommand,
} from './context.js';
export type { EventSourceUrl } from './context.js';
export {
  createOutput,
  colorEnabled,
  formatTable,
  type Output,
  type OutputFormat,
  type CliStream,
  type Cell,
} from './output.js';
export * from './client/index.js';
