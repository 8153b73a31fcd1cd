import type {
  NotificationDeliveryRecord,
  NotificationDeliveryState,
  NotificationRepository,
} from '../types.js';
import { type RepositoryDeps, fromJson, toJson } from './shared.js';

export function createNotificationRepository({
  db,
  isUniqueViolation,
}: RepositoryDeps): NotificationRepository {
  return {
    async add(r) {
      try {
        await db
          .insertInto('notification_deliveries')
          .values({
            dedupe_key: r.dedupeKey,
            target: r.target,
            notification: toJson(r.notification),
            state: r.state,
            attempts: r.attempts,
            created_at: r.createdAt,
            updated_at: r.updatedAt,
          })
          .execute();
        return true;
      } catch (err) {
        if (isUniqueViolation(err)) return false;
        throw err;
      }
    },

    async update(dedupeKey, target, change) {
      await db
        .updateTable('notification_deliveries')
        .set({ state: change.state, attempts: change.attempts, updated_at: change.updatedAt })
        .where('dedupe_key', '=', dedupeKey)
        .where('target', '=', target)
        .execute();
    },

    async pending(limit = 1_000) {
      const rows = await db
        .selectFrom('notification_deliveries')
        .selectAll()
        .where('state', '=', 'pending')
        .orderBy('created_at')
        .limit(limit)
        .execute();
      return rows.map((row): NotificationDeliveryRecord => ({
        dedupeKey: row.dedupe_key,
        target: row.target,
        notification: fromJson<Record<string, unknown>>(row.notification, {}),
        state: row.state as NotificationDeliveryState,
        attempts: Number(row.attempts),
        createdAt: Number(row.created_at),
        updatedAt: Number(row.updated_at),
      }));
    },

    async purge(before) {
      const result = await db
        .deleteFrom('notification_deliveries')
        .where('state', '!=', 'pending')
        .where('updated_at', '<', before)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
