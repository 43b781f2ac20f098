import type { Pool } from 'pg';
import type { ClaimedOutboxRow, OutboxStore } from './store.js';

interface PgOutboxRow {
  id: string;
  routing_key: string;
  envelope: unknown;
  headers: unknown;
}

/** The outbox of PG_OUTBOX_MIGRATION_SQL in a PostgreSQL database (JSONB arrives parsed). */
export function pgOutboxStore(pool: Pool): OutboxStore {
  return {
    async withClaimedBatch(limit, work) {
      const client = await pool.connect();
      // A client whose ROLLBACK failed is in an unknown state: destroy it rather than pool it.
      let broken: Error | undefined;
      try {
        // PostgreSQL's default READ COMMITTED takes no gap locks: inserts of new rows are
        // never blocked behind a batch that waits for confirms.
        await client.query('BEGIN');
        try {
          const found = await client.query<PgOutboxRow>(
            `SELECT id, routing_key, envelope, headers FROM outbox
              WHERE published_at IS NULL
              ORDER BY seq
              LIMIT $1 FOR UPDATE SKIP LOCKED`,
            [limit],
          );
          const rows: ClaimedOutboxRow[] = found.rows.map((row) => ({
            id: row.id,
            routingKey: row.routing_key,
            envelope: row.envelope,
            headers: row.headers,
          }));
          const result = await work({
            rows,
            async markPublished(ids) {
              if (ids.length === 0) return;
              await client.query(
                `UPDATE outbox SET published_at = clock_timestamp(), attempts = attempts + 1, last_error = NULL
                  WHERE id = ANY($1::uuid[])`,
                [ids],
              );
            },
            async recordFailure(id, message) {
              await client.query('UPDATE outbox SET attempts = attempts + 1, last_error = $1 WHERE id = $2', [
                message,
                id,
              ]);
            },
          });
          await client.query('COMMIT');
          return result;
        } catch (error) {
          await client.query('ROLLBACK').catch((rollbackError: unknown) => {
            broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
          });
          throw error;
        }
      } finally {
        client.release(broken);
      }
    },

    async measureBacklog() {
      const { rows } = await pool.query<{ events: number; oldest_age_seconds: number | null }>(
        `SELECT COUNT(*)::int AS events,
                EXTRACT(EPOCH FROM clock_timestamp() - MIN(created_at))::float8 AS oldest_age_seconds
           FROM outbox WHERE published_at IS NULL`,
      );
      const row = rows[0];
      return {
        events: row?.events ?? 0,
        // NULL when nothing waits; never below 0 should a row carry a time just ahead of the clock.
        oldestAgeSeconds: Math.max(0, row?.oldest_age_seconds ?? 0),
      };
    },

    async purgePublished(retainMs) {
      await pool.query(
        `DELETE FROM outbox WHERE id IN (
           SELECT id FROM outbox
            WHERE published_at < clock_timestamp() - make_interval(secs => $1)
            ORDER BY published_at LIMIT 1000)`,
        [Math.floor(retainMs / 1000)],
      );
    },
  };
}
