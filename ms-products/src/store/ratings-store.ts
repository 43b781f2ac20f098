import { inPgTransaction, type PgClient, type PgPool } from '@marketshare/platform/pg';
import type { RatingAggregate, RatingStore, RatingTransaction } from '../domain/ratings/ports.js';

/** Rating aggregates in PostgreSQL: products.rating_* and seller_ratings, plus processed_events. */
export class PgRatingStore implements RatingStore {
  constructor(private readonly pool: PgPool) {}

  transaction<T>(work: (tx: RatingTransaction) => Promise<T>): Promise<T> {
    return inPgTransaction(this.pool, (client) => work(new PgRatingTransaction(client)));
  }

  /**
   * Forgets processed event ids older than `retentionMs` (DEDUP_RETENTION_HOURS); resolves
   * with how many went. Unindexed on purpose: a week of review events is a small table, and
   * this runs hourly.
   */
  async pruneProcessedEvents(retentionMs: number): Promise<number> {
    const { rowCount } = await this.pool.query(
      `DELETE FROM processed_events WHERE processed_at < now() - $1 * interval '1 millisecond'`,
      [retentionMs],
    );
    return rowCount ?? 0;
  }

  async sellerRating(sellerId: string): Promise<RatingAggregate> {
    // NUMERIC comes back as a string; two decimals fit a double exactly enough to present.
    const { rows } = await this.pool.query<{ average: string; count: number }>(
      `SELECT round(rating_total::numeric / rating_count, 2) AS average, rating_count AS count
       FROM seller_ratings WHERE seller_id = $1 AND rating_count > 0`,
      [sellerId],
    );
    const row = rows[0];
    return row ? { average: Number(row.average), count: row.count } : { average: null, count: 0 };
  }
}

class PgRatingTransaction implements RatingTransaction {
  constructor(private readonly client: PgClient) {}

  async markProcessed(consumer: string, eventId: string): Promise<boolean> {
    const { rowCount } = await this.client.query(
      `INSERT INTO processed_events (consumer, event_id) VALUES ($1, $2)
       ON CONFLICT (consumer, event_id) DO NOTHING`,
      [consumer, eventId],
    );
    return rowCount === 1;
  }

  async addProductRating(productId: string, rating: number): Promise<boolean> {
    // Right-hand sides read the row as it was, so the average is (old total + r) / (old count + 1).
    const { rowCount } = await this.client.query(
      `UPDATE products SET
         rating_total = rating_total + $2,
         rating_count = rating_count + 1,
         rating_average = round((rating_total + $2)::numeric / (rating_count + 1), 2)
       WHERE id = $1`,
      [productId, rating],
    );
    return rowCount === 1;
  }

  async addSellerRating(sellerId: string, rating: number): Promise<void> {
    await this.client.query(
      `INSERT INTO seller_ratings (seller_id, rating_total, rating_count) VALUES ($1, $2, 1)
       ON CONFLICT (seller_id) DO UPDATE SET
         rating_total = seller_ratings.rating_total + EXCLUDED.rating_total,
         rating_count = seller_ratings.rating_count + 1,
         updated_at = now()`,
      [sellerId, rating],
    );
  }
}
