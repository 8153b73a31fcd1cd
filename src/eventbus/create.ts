import path from 'node:path';
import { InputError } from '../errors/index.js';
import type { Logger } from '../logging/index.js';
import { EmbeddedEventBus } from './embedded/embedded-bus.js';
import { redactUrl } from './jetstream/connection.js';
import type { EventBusManifest } from './jetstream/eventbus-spec.js';
import { JetStreamEventBus } from './jetstream/jetstream-bus.js';
import type { EventBus } from './types.js';

/** What `createEventBus` needs from the configuration. */
export interface EventBusConfig {
  /** `embedded`, or a `nats://` URL (several separated by commas). */
  bus: string;
  /** The data directory; the embedded bus lives in its `eventbus/` folder. */
  dataDir: string;
  logger: Logger;
  /** PLINTH_BUS_TOKEN: the NATS token (never from the command line). */
  token?: string | undefined;
  /** PLINTH_BUS_USER and PLINTH_BUS_PASSWORD: NATS user/password auth. */
  user?: string | undefined;
  password?: string | undefined;
  /** The catalog's EventBus: the stream's name, its `streamConfig`, the auth it asks for. */
  eventBus?: EventBusManifest | undefined;
  /** The JetStream stream's name, overriding the EventBus's. */
  stream?: string | undefined;
}

/** Opens the bus that `--bus` names. */
export async function createEventBus(config: EventBusConfig): Promise<EventBus> {
  if (config.bus === 'embedded') {
    return EmbeddedEventBus.create({
      dir: path.join(config.dataDir, 'eventbus'),
      logger: config.logger,
    });
  }
  if (/^nats:\/\//.test(config.bus)) {
    return JetStreamEventBus.create({
      url: config.bus,
      token: config.token,
      user: config.user,
      password: config.password,
      eventBus: config.eventBus,
      stream: config.stream,
      logger: config.logger,
    });
  }
  const shown = JSON.stringify(redactUrl(config.bus));
  throw new InputError(`unknown event bus ${shown}`, {
    errors: [
      {
        field: 'bus',
        message: `PLINTH_BUS / --bus is ${shown}`,
        fix: 'use embedded or a nats:// URL',
      },
    ],
  });
}
