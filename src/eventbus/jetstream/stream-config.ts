import { parse as parseYaml } from 'yaml';
import { InputError } from '../../errors/index.js';
import { parseDurationMs } from '../../time/index.js';

/** How the stream keeps messages, spelled as JetStream's API spells it. */
export const Retention = {
  Limits: 'limits',
  Interest: 'interest',
  Workqueue: 'workqueue',
} as const;
export type Retention = (typeof Retention)[keyof typeof Retention];

/** What the stream drops when a limit is reached. */
export const Discard = { Old: 'old', New: 'new' } as const;
export type Discard = (typeof Discard)[keyof typeof Discard];

/**
 * The stream settings an EventBus's `streamConfig` can set, in the units
 * Plinth uses (milliseconds, bytes). A limit of 0 or less means unlimited.
 */
export interface StreamSettings {
  maxMsgs: number;
  maxAgeMs: number;
  maxBytes: number;
  replicas: number;
  /** The window in which a repeated `Nats-Msg-Id` (the CloudEvent id) is dropped. */
  duplicatesMs: number;
  retention: Retention;
  discard: Discard;
}

/** Argo Events' defaults for the streams of a JetStream EventBus (its controller config). */
export const argoStreamDefaults: Readonly<StreamSettings> = Object.freeze({
  maxMsgs: 1_000_000,
  maxAgeMs: 72 * 3_600_000,
  maxBytes: 1024 ** 3,
  replicas: 3,
  duplicatesMs: 300_000,
  retention: Retention.Limits,
  discard: Discard.Old,
});

// Argo numbers the policies as nats.go's enums do.
const retentionByNumber: readonly Retention[] = [
  Retention.Limits,
  Retention.Interest,
  Retention.Workqueue,
];
const discardByNumber: readonly Discard[] = [Discard.Old, Discard.New];

/** Parses a Go duration (`72h`, `4h35m`, `300s`, `1.5h`, `0`) into milliseconds, ignoring surrounding blanks. */
export function parseGoDuration(text: string): number | undefined {
  return parseDurationMs(text.trim());
}

const sizeUnits: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1024 ** 4,
  tib: 1024 ** 4,
};

/** Parses a byte size as NATS writes it (`1GB`, `512MB`, `-1`, `1e+06`), 1024-based. */
export function parseByteSize(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : undefined;
  if (typeof value !== 'string') return undefined;
  const m = /^\s*(-?[\d.]+(?:e[+-]?\d+)?)\s*([a-z]*)\s*$/i.exec(value);
  const unit = sizeUnits[(m?.[2] ?? '').toLowerCase()];
  if (m === null || unit === undefined) return undefined;
  const n = Number(m[1]) * unit;
  return Number.isFinite(n) ? Math.trunc(n) : undefined;
}

/**
 * Reads an EventBus's `streamConfig` (a YAML document, keys matched without
 * regard to case as Argo does) over `base`. Unknown keys are ignored, as Argo
 * ignores them; a value of the wrong shape is an error naming the key.
 */
export function parseStreamConfig(
  yamlText: string | undefined,
  base: Readonly<StreamSettings> = argoStreamDefaults,
): StreamSettings {
  const settings: StreamSettings = { ...base };
  if (yamlText === undefined || yamlText.trim() === '') return settings;
  let doc: unknown;
  try {
    doc = parseYaml(yamlText);
  } catch (err) {
    throw problem('streamConfig', 'is not YAML', 'write it as YAML, e.g. "maxAge: 72h"', err);
  }
  if (doc === null || doc === undefined) return settings;
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw problem('streamConfig', 'is not a mapping', 'write it as "key: value" lines');
  }
  for (const [rawKey, value] of Object.entries(doc as Record<string, unknown>)) {
    const key = rawKey.toLowerCase();
    switch (key) {
      case 'maxmsgs':
        settings.maxMsgs = integer(rawKey, parseByteSize(value), 'a count such as 1000000');
        break;
      case 'maxbytes':
        settings.maxBytes = integer(rawKey, parseByteSize(value), 'a size such as 1GB or -1');
        break;
      case 'replicas':
        settings.replicas = integer(rawKey, parseByteSize(value), 'a count such as 3');
        break;
      case 'maxage':
        settings.maxAgeMs = duration(rawKey, value);
        break;
      case 'duplicates':
        settings.duplicatesMs = duration(rawKey, value);
        break;
      case 'retention':
        settings.retention = policy(rawKey, value, retentionByNumber);
        break;
      case 'discard':
        settings.discard = policy(rawKey, value, discardByNumber);
        break;
      default:
        break;
    }
  }
  return settings;
}

function integer(key: string, n: number | undefined, example: string): number {
  if (n === undefined) throw problem(key, 'is not a number', `give ${example}`);
  return n;
}

function duration(key: string, value: unknown): number {
  // A bare number is nanoseconds, as a Go time.Duration.
  const ms = typeof value === 'number' ? value / 1e6 : parseGoDuration(String(value));
  if (ms === undefined || !Number.isFinite(ms)) {
    throw problem(key, `is ${JSON.stringify(value)}, not a duration`, 'give a duration like 72h');
  }
  return ms;
}

function policy<T extends string>(key: string, value: unknown, byNumber: readonly T[]): T {
  const found =
    typeof value === 'number'
      ? byNumber[value]
      : byNumber.find((name) => name === String(value).toLowerCase());
  if (found === undefined) {
    throw problem(
      key,
      `is ${JSON.stringify(value)}`,
      `give one of ${byNumber.map((n, i) => `${i} (${n})`).join(', ')}`,
    );
  }
  return found;
}

function problem(key: string, message: string, fix: string, cause?: unknown): InputError {
  const field = key === 'streamConfig' ? 'spec.jetstream.streamConfig' : `streamConfig.${key}`;
  return new InputError(`the EventBus's ${field} ${message}`, {
    cause,
    errors: [{ field, message, fix }],
  });
}
