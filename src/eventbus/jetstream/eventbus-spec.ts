/**
 * An EventBus manifest as the catalog holds it; only the parts the JetStream
 * bus reads are typed, the rest is whatever Argo allows.
 */
export interface EventBusManifest {
  metadata?: { name?: string };
  spec?: unknown;
}

/** Which credentials an EventBus says its server asks for. */
export const BusAuth = {
  /** Nothing said: connect with whatever credentials are configured. */
  None: 'none',
  /** `nats.native.auth: token` (the seed) or `nats.exotic.auth: token`. */
  Token: 'token',
  /** An `accessSecret` (Argo's JetStream buses): a token or a user and password. */
  Credentials: 'credentials',
} as const;
export type BusAuth = (typeof BusAuth)[keyof typeof BusAuth];

/** What the JetStream bus takes from an EventBus. */
export interface EventBusSettings {
  /** `metadata.name`. */
  name: string | undefined;
  /** The YAML of `spec.jetstream.streamConfig` (or `jetstreamExotic`'s). */
  streamConfig: string | undefined;
  auth: BusAuth;
  /** Where the manifest says the auth requirement is, for messages. */
  authField: string | undefined;
}

/** Reads the settings of an EventBus (absent: Argo's defaults, no auth asked). */
export function readEventBus(manifest: EventBusManifest | undefined): EventBusSettings {
  const spec = record(manifest?.spec);
  const nats = record(spec['nats']);
  const jetstream = record(spec['jetstream']);
  const exotic = record(spec['jetstreamExotic']);
  const streamConfig = str(jetstream['streamConfig']) ?? str(exotic['streamConfig']);
  const settings: EventBusSettings = {
    name: str(manifest?.metadata?.name),
    streamConfig,
    auth: BusAuth.None,
    authField: undefined,
  };
  for (const kind of ['native', 'exotic'] as const) {
    if (str(record(nats[kind])['auth'])?.toLowerCase() === 'token') {
      return { ...settings, auth: BusAuth.Token, authField: `spec.nats.${kind}.auth` };
    }
  }
  if (exotic['accessSecret'] !== undefined) {
    return {
      ...settings,
      auth: BusAuth.Credentials,
      authField: 'spec.jetstreamExotic.accessSecret',
    };
  }
  return settings;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
