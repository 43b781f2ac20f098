import type { Pool, ResultSetHeader, RowDataPacket } from '@marketshare/platform/mysql';

export class RevokedAccessTokensRepository {
  constructor(private readonly pool: Pool) {}

  async add(entry: { jti: string; clientId: string; expiresAt: Date; revokedAt: Date }): Promise<void> {
    await this.pool.query(
      'INSERT IGNORE INTO revoked_access_tokens (jti, client_id, expires_at, revoked_at) VALUES (?, ?, ?, ?)',
      [entry.jti, entry.clientId, entry.expiresAt, entry.revokedAt],
    );
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
