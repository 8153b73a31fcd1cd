import type { Kysely } from 'kysely';
import type { Dialect, PortableMigration } from './types.js';

/**
 * The event log: every CloudEvent seen on the bus, and every decision a
 * sensor made about one. Decisions are append-only and carry no foreign key,
 * because a sensor may decide before the event log has stored the event.
 */
export const m0002Events: PortableMigration = {
  name: '0002-events',
  async up(db: Kysely<unknown>, dialect: Dialect) {
    await db.schema
      .createTable('events')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('time', 'text')
      .addColumn('datacontenttype', 'text')
      .addColumn('data', 'text')
      .addColumn('replay_of', 'text')
      .addColumn('received_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('events_received')
      .on('events')
      .columns(['received_at', 'id'])
      .execute();
    await db.schema
      .createIndex('events_source_subject')
      .on('events')
      .columns(['source', 'subject'])
      .execute();

    await db.schema
      .createTable('event_decisions')
      .addColumn('seq', dialect === 'postgres' ? 'bigserial' : 'integer', (c) =>
        dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
      )
      .addColumn('event_id', 'text', (c) => c.notNull())
      .addColumn('sensor', 'text', (c) => c.notNull())
      .addColumn('sensor_name', 'text', (c) => c.notNull())
      .addColumn('fired', 'integer', (c) => c.notNull())
      .addColumn('decision', 'text', (c) => c.notNull())
      .addColumn('decided_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('event_decisions_event')
      .on('event_decisions')
      .columns(['event_id', 'seq'])
      .execute();
    await db.schema
      .createIndex('event_decisions_sensor')
      .on('event_decisions')
      .columns(['sensor', 'event_id'])
      .execute();
    await db.schema
      .createIndex('event_decisions_sensor_name')
      .on('event_decisions')
      .columns(['sensor_name', 'event_id'])
      .execute();
  },
};
