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
  /** Rows not yet published. */
  countBacklog(): Promise<number>;
  /** Deletes (a bounded number of) rows published longer ago than `retainMs`. */
  purgePublished(retainMs: number): Promise<void>;
}
