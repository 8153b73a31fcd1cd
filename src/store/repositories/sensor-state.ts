import type { SensorHeldRecord, SensorStateRepository } from '../types.js';
import { type RepositoryDeps, fromJson, toJson } from './shared.js';

export function createSensorStateRepository({
  db,
  isUniqueViolation,
}: RepositoryDeps): SensorStateRepository {
  return {
    async held(sensor) {
      const rows = await db
        .selectFrom('sensor_held_events')
        .selectAll()
        .where('sensor', '=', sensor)
        .orderBy('trigger_name')
        .orderBy('dependency')
        .execute();
      return rows.map((row): SensorHeldRecord => ({
        trigger: row.trigger_name,
        dependency: row.dependency,
        event: fromJson<Record<string, unknown>>(row.event, {}),
        receivedAt: Number(row.received_at),
      }));
    },

    async isHandled(sensor, eventId) {
      const row = await db
        .selectFrom('sensor_handled_events')
        .select('event_id')
        .where('sensor', '=', sensor)
        .where('event_id', '=', eventId)
        .executeTakeFirst();
      return row !== undefined;
    },

    async commit(sensor, eventId, triggers, held, now) {
      await db.transaction().execute(async (trx) => {
        if (triggers.length > 0) {
          await trx
            .deleteFrom('sensor_held_events')
            .where('sensor', '=', sensor)
            .where('trigger_name', 'in', [...triggers])
            .execute();
        }
        if (held.length > 0) {
          await trx
            .insertInto('sensor_held_events')
            .values(
              held.map((h) => ({
                sensor,
                trigger_name: h.trigger,
                dependency: h.dependency,
                event: toJson(h.event),
                received_at: h.receivedAt,
              })),
            )
            .execute();
        }
        await trx
          .deleteFrom('sensor_handled_events')
          .where('sensor', '=', sensor)
          .where('event_id', '=', eventId)
          .execute();
        await trx
          .insertInto('sensor_handled_events')
          .values({ sensor, event_id: eventId, handled_at: now })
          .execute();
      });
    },

    async firing(sensor, trigger, key) {
      const row = await db
        .selectFrom('sensor_trigger_firings')
        .select('result')
        .where('sensor', '=', sensor)
        .where('trigger_name', '=', trigger)
        .where('firing_key', '=', key)
        .executeTakeFirst();
      return row ? { result: fromJson<unknown>(row.result, null) } : undefined;
    },

    async recordFiring(sensor, trigger, key, result, now) {
      try {
        await db
          .insertInto('sensor_trigger_firings')
          .values({
            sensor,
            trigger_name: trigger,
            firing_key: key,
            result: toJson(result),
            fired_at: now,
          })
          .execute();
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
      }
    },

    async purge(before) {
      const handled = await db
        .deleteFrom('sensor_handled_events')
        .where('handled_at', '<', before)
        .executeTakeFirst();
      const firings = await db
        .deleteFrom('sensor_trigger_firings')
        .where('fired_at', '<', before)
        .executeTakeFirst();
      return Number(handled.numDeletedRows) + Number(firings.numDeletedRows);
    },
  };
}
