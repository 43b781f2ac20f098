import type { Pool, RowDataPacket } from 'mysql2/promise';
import type { ClaimedOutboxRow, OutboxStore } from './store.js';

// MySQL hands JSON columns back parsed, MariaDB (JSON = LONGTEXT) as text. Text that is not
// JSON is passed on as it is: the relay's envelope check then records it as a failed row.
function jsonColumn(value: unknown): unknown {
  const text = Buffer.isBuffer(value) ? value.toString('utf8') : value;
  if (typeof text !== 'string') return value;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The outbox of OUTBOX_MIGRATION_SQL in a MySQL/MariaDB database. */
export function mysqlOutboxStore(pool: Pool): OutboxStore {
  return {
    async withClaimedBatch(limit, work) {
      const connection = await pool.getConnection();
      try {
        // READ COMMITTED: no gap locks, so services inserting new outbox rows are never
        // blocked behind a batch waiting for confirms.
        await connection.query('SET TRANSACTION ISOLATION LEVEL READ COMMITTED');
        await connection.beginTransaction();
        try {
          const [found] = await connection.query<RowDataPacket[]>(
            `SELECT id, routing_key, envelope, headers FROM outbox
              WHERE published_at IS NULL
              ORDER BY created_at, seq
              LIMIT ? FOR UPDATE SKIP LOCKED`,
            [limit],
          );
          const rows: ClaimedOutboxRow[] = found.map((row) => ({
            id: String(row['id']),
            routingKey: String(row['routing_key']),
            envelope: jsonColumn(row['envelope']),
            headers: jsonColumn(row['headers']),
          }));
          const result = await work({
            rows,
            async markPublished(ids) {
              if (ids.length === 0) return;
              await connection.query(
                'UPDATE outbox SET published_at = NOW(3), attempts = attempts + 1, last_error = NULL WHERE id IN (?)',
                [ids],
              );
            },
            async recordFailure(id, message) {
              await connection.query(
                'UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?',
                [message, id],
              );
            },
          });
          await connection.commit();
          return result;
        } catch (error) {
          await connection.rollback().catch(() => undefined);
          throw error;
        }
      } finally {
        connection.release();
      }
    },

    async measureBacklog() {
      // MIN(created_at) of the unpublished rows is read from the outbox_unpublished index.
      const [rows] = await pool.query<RowDataPacket[]>(
        `SELECT COUNT(*) AS events, TIMESTAMPDIFF(MICROSECOND, MIN(created_at), NOW(3)) AS oldest_age_us
           FROM outbox WHERE published_at IS NULL`,
      );
      const row = rows[0];
      return {
        events: Number(row?.['events'] ?? 0),
        // NULL when nothing waits; never below 0 should a row carry a time just ahead of NOW(3).
        oldestAgeSeconds: Math.max(0, Number(row?.['oldest_age_us'] ?? 0) / 1e6),
      };
    },

    async purgePublished(retainMs) {
      await pool.query(
        'DELETE FROM outbox WHERE published_at < NOW(3) - INTERVAL ? SECOND ORDER BY published_at LIMIT 1000',
        [Math.floor(retainMs / 1000)],
      );
    },
  };
}
