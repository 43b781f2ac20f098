/**
 * The outbox table, for a service's migration list. Rows are written in the business
 * transaction (enqueueEvent) and sent by the OutboxRelay. `seq` orders events enqueued in
 * the same millisecond (e.g. by one transaction) the way they were enqueued.
 */
export const OUTBOX_MIGRATION_SQL = `CREATE TABLE IF NOT EXISTS outbox (
  id CHAR(36) NOT NULL,
  seq BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  routing_key VARCHAR(255) NOT NULL,
  envelope JSON NOT NULL,
  headers JSON NOT NULL,
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  published_at DATETIME(3) NULL,
  attempts INT NOT NULL DEFAULT 0,
  last_error TEXT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY outbox_seq (seq),
  KEY outbox_unpublished (published_at, created_at, seq)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`;

/** Event ids each consumer has handled (see mysqlIdempotencyStore). */
export const PROCESSED_EVENTS_MIGRATION_SQL = `CREATE TABLE IF NOT EXISTS processed_events (
  consumer VARCHAR(191) NOT NULL,
  event_id CHAR(36) NOT NULL,
  processed_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (consumer, event_id),
  KEY processed_events_processed_at (processed_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`;

/**
 * The PostgreSQL outbox table (see enqueuePgEvent and pgOutboxStore). `seq` is the order
 * the relay sends in; the partial index keeps finding unpublished rows cheap however many
 * published ones wait for the purge.
 */
export const PG_OUTBOX_MIGRATION_SQL = `CREATE TABLE IF NOT EXISTS outbox (
  id UUID PRIMARY KEY,
  seq BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
  routing_key TEXT NOT NULL,
  envelope JSONB NOT NULL,
  headers JSONB NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
  published_at TIMESTAMPTZ NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NULL
);
CREATE INDEX IF NOT EXISTS outbox_unpublished ON outbox (seq) WHERE published_at IS NULL;
CREATE INDEX IF NOT EXISTS outbox_published ON outbox (published_at) WHERE published_at IS NOT NULL;`;
