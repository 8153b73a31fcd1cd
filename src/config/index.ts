export {
  loadConfig,
  redactConfig,
  secretKeys,
  packageRoot,
  type Config,
  type ConfigSources,
  type LogLevel,
} from './config.js';
export { settings, type SettingSpec, type SettingKind } from './schema.js';
export { renderConfigurationDoc } from './docs.js';
