import type { Kysely } from 'kysely';
import type { PortableMigration } from './types.js';

/**
 * What sensors keep across restarts: the events a trigger holds while its
 * conditions wait for more, the event ids each sensor has finished with, and
 * each trigger's firings by the events it fired with.
 */
export const m0008SensorState: PortableMigration = {
  name: '0008-sensor-state',
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('sensor_held_events')
      .addColumn('sensor', 'text', (c) => c.notNull())
      .addColumn('trigger_name', 'text', (c) => c.notNull())
      .addColumn('dependency', 'text', (c) => c.notNull())
      .addColumn('event', 'text', (c) => c.notNull())
      .addColumn('received_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('sensor_held_events_pk', ['sensor', 'trigger_name', 'dependency'])
      .execute();
    await db.schema
      .createTable('sensor_handled_events')
      .addColumn('sensor', 'text', (c) => c.notNull())
      .addColumn('event_id', 'text', (c) => c.notNull())
      .addColumn('handled_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('sensor_handled_events_pk', ['sensor', 'event_id'])
      .execute();
    await db.schema
      .createIndex('sensor_handled_events_time')
      .on('sensor_handled_events')
      .columns(['handled_at'])
      .execute();
    await db.schema
      .createTable('sensor_trigger_firings')
      .addColumn('sensor', 'text', (c) => c.notNull())
      .addColumn('trigger_name', 'text', (c) => c.notNull())
      .addColumn('firing_key', 'text', (c) => c.notNull())
      .addColumn('result', 'text', (c) => c.notNull())
      .addColumn('fired_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('sensor_trigger_firings_pk', [
        'sensor',
        'trigger_name',
        'firing_key',
      ])
      .execute();
    await db.schema
      .createIndex('sensor_trigger_firings_time')
      .on('sensor_trigger_firings')
      .columns(['fired_at'])
      .execute();
  },
};
