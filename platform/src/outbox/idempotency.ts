import type { Pool, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
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

/** Rows per DELETE, so pruning a long backlog never holds locks on a huge range at once. */
export const PRUNE_BATCH_SIZE = 1000;

/**
 * Deletes processed_events rows (of every consumer) older than `retentionMs`, by the
 * database clock, in batches; resolves with how many went. Uses the processed_at index.
 */
export async function pruneMysqlProcessedEvents(pool: Pool, retentionMs: number): Promise<number> {
  let pruned = 0;
  for (;;) {
    const [result] = await pool.execute<ResultSetHeader>(
      `DELETE FROM processed_events WHERE processed_at < NOW(3) - INTERVAL ? MICROSECOND LIMIT ${PRUNE_BATCH_SIZE}`,
      [retentionMs * 1000],
    );
    pruned += result.affectedRows;
    if (result.affectedRows < PRUNE_BATCH_SIZE) return pruned;
  }
}
