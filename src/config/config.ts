import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError, type FieldProblem } from '../errors/index.js';
import { settings, type SettingSpec } from './schema.js';

const levels = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
/** A pino log level. */
export type LogLevel = (typeof levels)[number];

/** Plinth's resolved, frozen configuration. */
export interface Config {
  readonly dataDir: string;
  readonly catalogDir: string;
  readonly secretsDir: string;
  readonly configMapsDir: string;
  readonly host: string;
  readonly port: number;
  /** Port remaps for EventSources: manifest port → listening port (0 = free). */
  readonly eventSourcePorts: ReadonlyMap<number, number>;
  readonly publicUrl: string | undefined;
  readonly dispatchUrl: string | undefined;
  readonly db: string;
  readonly dbSchema: string;
  readonly dbPoolMax: number;
  readonly dbIdleTimeout: number;
  readonly claimLease: number;
  readonly bus: string;
  readonly busStream: string | undefined;
  readonly busToken: string | undefined;
  readonly busUser: string | undefined;
  readonly busPassword: string | undefined;
  readonly adminToken: string | undefined;
  readonly secretKey: string | undefined;
  readonly deployTarget: string;
  readonly gitopsRemote: string | undefined;
  readonly terraformBin: string;
  readonly stepGraceSeconds: number;
  readonly transientErrorPattern: string | undefined;
  /** Milliseconds. */
  readonly ttlCheckInterval: number;
  /** Milliseconds. */
  readonly expiryWarning: number;
  /** Milliseconds; 0 is off. */
  readonly driftCheckInterval: number;
  readonly notificationsFile: string | undefined;
  readonly logLevel: LogLevel;
}

/** Where settings come from: flags (already parsed, keyed by Config key) and the environment. */
export interface ConfigSources {
  flags?: Partial<Record<string, string | number | boolean | undefined>>;
  env?: NodeJS.ProcessEnv;
  /** Base for relative paths; default `process.cwd()`. */
  cwd?: string;
}

/** The package root (where `catalog/` ships). */
export const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const REDACTED = '[redacted]';

function parseValue(spec: SettingSpec, text: string, problems: FieldProblem[]): unknown {
  const where = `${spec.env}${spec.flag ? ` / ${spec.flag}` : ''}`;
  switch (spec.kind) {
    case 'string':
      return text;
    case 'port':
    case 'integer': {
      const n = Number(text);
      const max = spec.kind === 'port' ? 65535 : Number.MAX_SAFE_INTEGER;
      if (!/^\d+$/.test(text.trim()) || n > max) {
        problems.push({
          field: spec.key,
          message: `${where} is ${JSON.stringify(text)}, not ${spec.kind === 'port' ? 'a port' : 'a whole number'}`,
          fix: spec.kind === 'port' ? 'give a number from 0 to 65535' : 'give a whole number',
        });
        return undefined;
      }
      return n;
    }
    case 'duration': {
      const m = /^(\d+)(ms|s|m|h|d)$/.exec(text.trim());
      if (!m) {
        problems.push({
          field: spec.key,
          message: `${where} is ${JSON.stringify(text)}, not a duration`,
          fix: 'write a number and a unit, e.g. 30s, 5m, 1h, 2d',
        });
        return undefined;
      }
      const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms'];
      return Number(m[1]) * unit;
    }
    case 'boolean':
      return ['1', 'true', 'yes', 'on'].includes(text.toLowerCase());
    case 'level':
      if (!(levels as readonly string[]).includes(text)) {
        problems.push({
          field: spec.key,
          message: `${where} is ${JSON.stringify(text)}, not a log level`,
          fix: `use one of ${levels.join(', ')}`,
        });
        return undefined;
      }
      return text;
  }
}

function parsePortMap(text: string, problems: FieldProblem[]): Map<number, number> {
  const map = new Map<number, number>();
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^(\d+)=(\d+)$/.exec(part);
    if (!m) {
      problems.push({
        field: 'eventSourcePorts',
        message: `PLINTH_EVENTSOURCE_PORTS entry ${JSON.stringify(part)} is not FROM=TO`,
        fix: 'write it as 12000=12100',
      });
      continue;
    }
    map.set(Number(m[1]), Number(m[2]));
  }
  return map;
}

/**
 * Resolves the configuration: flags, then `PLINTH_*` variables, then defaults;
 * validates every value and returns a frozen object. Throws an InputError
 * naming each bad setting and its fix.
 */
export function loadConfig(sources: ConfigSources = {}): Config {
  const env = sources.env ?? process.env;
  const flags = sources.flags ?? {};
  const cwd = sources.cwd ?? process.cwd();
  const problems: FieldProblem[] = [];
  const raw: Record<string, unknown> = {};
  for (const spec of settings as readonly SettingSpec[]) {
    const flag = flags[spec.key];
    const text =
      flag !== undefined && flag !== null ? String(flag) : (env[spec.env] ?? spec.default);
    raw[spec.key] = text === undefined ? undefined : parseValue(spec, text, problems);
  }
  const eventSourcePorts = parsePortMap(String(raw.eventSourcePorts ?? ''), problems);
  if (problems.length > 0) {
    throw new InputError(`invalid configuration: ${problems.map((p) => p.message).join('; ')}`, {
      errors: problems,
    });
  }
  const dataDir = path.resolve(cwd, raw.dataDir as string);
  const config: Config = {
    ...(raw as Omit<Config, 'eventSourcePorts'>),
    dataDir,
    secretsDir: dirOrDefault(raw.secretsDir, cwd, path.join(dataDir, 'secrets')),
    configMapsDir: dirOrDefault(raw.configMapsDir, cwd, path.join(dataDir, 'config')),
    catalogDir: path.resolve(
      cwd,
      (raw.catalogDir as string | undefined) ?? path.join(packageRoot, 'catalog'),
    ),
    eventSourcePorts,
  };
  return Object.freeze(config);
}

function dirOrDefault(given: unknown, cwd: string, fallback: string): string {
  return typeof given === 'string' && given !== '' ? path.resolve(cwd, given) : fallback;
}

/** The keys of settings marked secret. */
export const secretKeys: readonly string[] = (settings as readonly SettingSpec[])
  .filter((s) => s.secret)
  .map((s) => s.key);

/** A copy of the config safe to print or log: secrets replaced, maps made plain. */
export function redactConfig(config: Config): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) {
    if (secretKeys.includes(k)) out[k] = v === undefined ? undefined : REDACTED;
    else if (v instanceof Map) out[k] = Object.fromEntries(v);
    else out[k] = v;
  }
  return out;
}
