import type { EventEnvelope } from '@marketshare/platform/contracts';
import {
  inTransaction,
  type Pool,
  type ResultSetHeader,
  type RowDataPacket,
} from '@marketshare/platform/mysql';
import { enqueueEvent } from '@marketshare/platform/outbox';

export class RevokedAccessTokensRepository {
  /** @param onEventsCommitted told after a transaction that enqueued events commits (wakes the relay) */
  constructor(
    private readonly pool: Pool,
    private readonly onEventsCommitted: () => void = () => undefined,
  ) {}

  /** Records the revocation and enqueues `events`, once: a token revoked again announces nothing. */
  async add(
    entry: { jti: string; clientId: string; expiresAt: Date; revokedAt: Date },
    events: readonly EventEnvelope[],
  ): Promise<void> {
    const announced = await inTransaction(this.pool, async (connection) => {
      const [result] = await connection.query<ResultSetHeader>(
        'INSERT IGNORE INTO revoked_access_tokens (jti, client_id, expires_at, revoked_at) VALUES (?, ?, ?, ?)',
        [entry.jti, entry.clientId, entry.expiresAt, entry.revokedAt],
      );
      if (result.affectedRows === 0 || events.length === 0) return false;
      for (const event of events) await enqueueEvent(connection, event);
      return true;
    });
    if (announced) this.onEventsCommitted();
  }

  async isRevoked(jti: string): Promise<boolean> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      'SELECT 1 FROM revoked_access_tokens WHERE jti = ?',
      [jti],
    );
    return rows.length > 0;
  }

  /** Entries of expired tokens are dead weight: an expired token is refused anyway. */
  async purgeExpired(now: Date): Promise<number> {
    const [result] = await this.pool.query<ResultSetHeader>(
      'DELETE FROM revoked_access_tokens WHERE expires_at < ? LIMIT 10000',
      [now],
    );
    return result.affectedRows;
  }
}
