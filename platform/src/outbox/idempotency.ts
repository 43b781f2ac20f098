import type { Pool, RowDataPacket } from 'mysql2/promise';
import type { IdempotencyStore } from '../rabbit/index.js';

/**
 * An EventConsumer idempotency store in the service's own MySQL database (table from
 * PROCESSED_EVENTS_MIGRATION_SQL). `consumerName` keeps consumers of one database apart, so
 * two queues of a service can each handle the same event once.
 */
export function mysqlIdempotencyStore(pool: Pool, consumerName: string): IdempotencyStore {
  return {
    async isProcessed(eventId) {
      const [rows] = await pool.execute<RowDataPacket[]>(
        'SELECT 1 FROM processed_events WHERE consumer = ? AND event_id = ?',
        [consumerName, eventId],
      );
      return rows.length > 0;
    },
    async markProcessed(eventId) {
      // IGNORE: a concurrent instance may have marked it a moment ago, which is the same fact.
      await pool.execute(
        'INSERT IGNORE INTO processed_events (consumer, event_id, processed_at) VALUES (?, ?, NOW(3))',
        [consumerName, eventId],
      );
    },
  };
}
