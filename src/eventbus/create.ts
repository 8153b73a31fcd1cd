import path from 'node:path';
import { InputError } from '../errors/index.js';
import type { Logger } from '../logging/index.js';
import { EmbeddedEventBus } from './embedded/embedded-bus.js';
import type { EventBus } from './types.js';

/** What `createEventBus` needs from the configuration. */
export interface EventBusConfig {
  /** `embedded`, or a `nats://` URL. */
  bus: string;
  /** The data directory; the embedded bus lives in its `eventbus/` folder. */
  dataDir: string;
  logger: Logger;
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
    throw new InputError('the NATS JetStream bus is not built yet', {
      errors: [
        {
          field: 'bus',
          message: 'nats:// is not supported yet',
          fix: 'use --bus embedded',
        },
      ],
    });
  }
  throw new InputError(`unknown event bus ${JSON.stringify(config.bus)}`, {
    errors: [
      {
        field: 'bus',
        message: `PLINTH_BUS / --bus is ${JSON.stringify(config.bus)}`,
        fix: 'use embedded or a nats:// URL',
      },
    ],
  });
}
