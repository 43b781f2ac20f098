/** An outbox row claimed by a relay, its JSON columns not yet checked. */
export interface ClaimedOutboxRow {
  id: string;
  routingKey: string;
  envelope: unknown;
  headers: unknown;
}

/** What a relay may do with the rows it claimed, inside the claiming transaction. */
export interface ClaimedBatch {
  rows: ClaimedOutboxRow[];
  markPublished(ids: string[]): Promise<void>;
  recordFailure(id: string, message: string): Promise<void>;
}

/** What waits in an outbox. */
export interface OutboxBacklog {
  /** Events not yet published. */
  events: number;
  /**
   * How long the oldest of them has waited, in seconds, by the database's clock where it
   * keeps one (the age is then immune to skew between hosts); 0 when nothing waits.
   */
  oldestAgeSeconds: number;
}

/**
 * The database side of the outbox relay, one implementation per database (MySQL/MariaDB,
 * PostgreSQL), so the relay's ordering, confirm and retry rules are written once.
 */
export interface OutboxStore {
  /**
   * Claims up to `limit` unpublished rows, oldest first, skipping rows another relay holds
   * (FOR UPDATE SKIP LOCKED), and runs `work` in that transaction: committed when it
   * resolves, rolled back when it throws.
   */
  withClaimedBatch<T>(limit: number, work: (batch: ClaimedBatch) => Promise<T>): Promise<T>;
  /** The rows not yet published, measured in one query. */
  measureBacklog(): Promise<OutboxBacklog>;
  /** Deletes (a bounded number of) rows published longer ago than `retainMs`. */
  purgePublished(retainMs: number): Promise<void>;
}
