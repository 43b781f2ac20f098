import { inTransaction, type Pool, type RowDataPacket } from '@marketshare/platform/mysql';
import { enqueueEvent } from '@marketshare/platform/outbox';
import type { EventEnvelope } from '@marketshare/platform/contracts';
import type { PasswordResetRepository, RedeemableReset, ResetTokenRecord } from '../domain/ports.js';
import { voidResetTokens } from './account-repository.js';
import { text } from './columns.js';

const REDEEMABLE = `SELECT t.account_id, a.username, a.email FROM password_reset_tokens t
  JOIN accounts a ON a.id = t.account_id
  WHERE t.token_hash = ? AND t.used_at IS NULL AND t.voided_at IS NULL AND t.expires_at > ? AND a.status = 'active'`;

function toRedeemable(row: RowDataPacket): RedeemableReset {
  return { accountId: text(row, 'account_id'), username: text(row, 'username'), email: text(row, 'email') };
}

export class MysqlPasswordResetRepository implements PasswordResetRepository {
  /** @param onEventsCommitted told after a transaction that enqueued events commits (wakes the relay) */
  constructor(
    private readonly pool: Pool,
    private readonly onEventsCommitted: () => void = () => undefined,
  ) {}

  async issue(token: ResetTokenRecord, event: EventEnvelope): Promise<void> {
    await inTransaction(this.pool, async (connection) => {
      // Only the newest link works: an older mail lying in an inbox is no longer a key.
      await voidResetTokens(connection, token.accountId, token.createdAt);
      await connection.execute(
        `INSERT INTO password_reset_tokens (id, account_id, token_hash, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?)`,
        [token.id, token.accountId, token.tokenHash, token.createdAt, token.expiresAt],
      );
      await enqueueEvent(connection, event);
    });
    this.onEventsCommitted();
  }

  async findRedeemable(tokenHash: string, now: Date): Promise<RedeemableReset | undefined> {
    const [rows] = await this.pool.execute<RowDataPacket[]>(REDEEMABLE, [tokenHash, now]);
    return rows[0] ? toRedeemable(rows[0]) : undefined;
  }

  async redeem(
    tokenHash: string,
    now: Date,
    passwordHash: string,
    throttleKey: string,
    eventsFor: (accountId: string) => readonly EventEnvelope[],
  ): Promise<boolean> {
    const redeemed = await inTransaction(this.pool, async (connection) => {
      const [rows] = await connection.execute<RowDataPacket[]>(`${REDEEMABLE} FOR UPDATE`, [tokenHash, now]);
      const pending = rows[0] ? toRedeemable(rows[0]) : undefined;
      if (!pending) return false;
      await connection.execute('UPDATE password_reset_tokens SET used_at = ? WHERE token_hash = ?', [
        now,
        tokenHash,
      ]);
      await voidResetTokens(connection, pending.accountId, now);
      await connection.execute('UPDATE accounts SET password_hash = ?, updated_at = ? WHERE id = ?', [
        passwordHash,
        now,
        pending.accountId,
      ]);
      await connection.execute('DELETE FROM login_throttle WHERE throttle_key = ?', [throttleKey]);
      for (const event of eventsFor(pending.accountId)) await enqueueEvent(connection, event);
      return true;
    });
    if (redeemed) this.onEventsCommitted();
    return redeemed;
  }
}
