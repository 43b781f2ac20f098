import { fileURLToPath } from 'node:url';
import { inTransaction } from '@marketshare/platform/mysql';
import type { Pool, ResultSetHeader, RowDataPacket } from '@marketshare/platform/mysql';
import type {
  ClaimRequest,
  ClaimResult,
  DeliveryLog,
  DeliveryRecord,
  DeliveryStatus,
  SentReceipt,
} from '../domain/ports.js';

export const migrationsDirectory = fileURLToPath(new URL('./migrations/', import.meta.url));

const MAX_ERROR_LENGTH = 1000;
/** Rows per DELETE when pruning, so a long backlog never locks a huge range at once. */
const PRUNE_BATCH_SIZE = 1000;
const STATUSES: readonly DeliveryStatus[] = ['sending', 'sent', 'failed', 'dead'];

function isDuplicateKey(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'ER_DUP_ENTRY';
}

function toStatus(value: unknown): DeliveryStatus {
  const status = STATUSES.find((candidate) => candidate === value);
  if (!status) throw new Error(`unexpected delivery status in the database: ${String(value)}`);
  return status;
}

function nullableString(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

function toRecord(row: RowDataPacket): DeliveryRecord {
  const sentAt: unknown = row['sent_at'];
  return {
    eventId: String(row['event_id']),
    eventType: String(row['event_type']),
    emailType: String(row['email_type']),
    recipient: nullableString(row['recipient']),
    status: toStatus(row['status']),
    attempts: Number(row['attempts']),
    lastError: nullableString(row['last_error']),
    messageId: nullableString(row['message_id']),
    sentAt: sentAt instanceof Date ? sentAt : null,
  };
}

/**
 * The delivery log in MySQL/MariaDB. Lease times use the database clock, so instances with
 * skewed clocks still agree on whose claim is live.
 */
export class MysqlDeliveryLog implements DeliveryLog {
  constructor(private readonly pool: Pool) {}

  async claim(request: ClaimRequest): Promise<ClaimResult> {
    const leaseMicroseconds = request.leaseMs * 1000;
    try {
      // The common case (an event seen for the first time) is a single statement.
      await this.pool.execute(
        `INSERT INTO email_deliveries (event_id, event_type, email_type, recipient, status, attempts, lease_until)
         VALUES (?, ?, ?, ?, 'sending', 1, NOW(3) + INTERVAL ? MICROSECOND)`,
        [request.eventId, request.eventType, request.emailType, request.recipient, leaseMicroseconds],
      );
      return { kind: 'claimed', attempts: 1 };
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
    return inTransaction(this.pool, async (connection) => {
      const [rows] = await connection.execute<RowDataPacket[]>(
        `SELECT status, attempts, lease_until > NOW(3) AS leased
           FROM email_deliveries WHERE event_id = ? FOR UPDATE`,
        [request.eventId],
      );
      const row = rows[0];
      if (!row) throw new Error(`delivery ${request.eventId} vanished while being claimed`);
      const status = toStatus(row['status']);
      if (status === 'sent') return { kind: 'sent' };
      if (status === 'sending' && Number(row['leased']) === 1) return { kind: 'busy' };
      // failed, dead (an operator replaying a dead letter) or an expired claim: ours now.
      await connection.execute(
        `UPDATE email_deliveries
            SET status = 'sending', attempts = attempts + 1, recipient = ?,
                lease_until = NOW(3) + INTERVAL ? MICROSECOND
          WHERE event_id = ?`,
        [request.recipient, leaseMicroseconds, request.eventId],
      );
      return { kind: 'claimed', attempts: Number(row['attempts']) + 1 };
    });
  }

  async markSent(eventId: string, receipt: SentReceipt): Promise<void> {
    await this.pool.execute(
      `UPDATE email_deliveries
          SET status = 'sent', message_id = ?, smtp_response = ?, sent_at = NOW(3),
              lease_until = NULL, last_error = NULL
        WHERE event_id = ?`,
      [receipt.messageId.slice(0, 255), receipt.response.slice(0, 500), eventId],
    );
  }

  async markFailed(eventId: string, error: string, options: { dead: boolean }): Promise<void> {
    // Never downgrade a row another delivery of the same event already marked sent.
    await this.pool.execute<ResultSetHeader>(
      `UPDATE email_deliveries
          SET status = ?, last_error = ?, lease_until = NULL
        WHERE event_id = ? AND status <> 'sent'`,
      [options.dead ? 'dead' : 'failed', error.slice(0, MAX_ERROR_LENGTH), eventId],
    );
  }

  async recordUndeliverable(entry: {
    eventId: string;
    eventType: string;
    emailType: string;
    error: string;
  }): Promise<void> {
    await this.pool.execute(
      `INSERT INTO email_deliveries (event_id, event_type, email_type, status, attempts, last_error)
       VALUES (?, ?, ?, 'dead', 0, ?)
       ON DUPLICATE KEY UPDATE
         last_error = IF(status = 'sent', last_error, VALUES(last_error)),
         status = IF(status = 'sent', status, 'dead')`,
      [entry.eventId, entry.eventType, entry.emailType, entry.error.slice(0, MAX_ERROR_LENGTH)],
    );
  }

  /**
   * Forgets deliveries untouched for `retentionMs` (see DEDUP_RETENTION_HOURS), in batches;
   * resolves with how many rows went. A live claim is never pruned, however old the row.
   */
  async prune(retentionMs: number): Promise<number> {
    let pruned = 0;
    for (;;) {
      const [result] = await this.pool.execute<ResultSetHeader>(
        `DELETE FROM email_deliveries
          WHERE updated_at < NOW(3) - INTERVAL ? MICROSECOND
            AND (status <> 'sending' OR lease_until IS NULL OR lease_until < NOW(3))
          LIMIT ${PRUNE_BATCH_SIZE}`,
        [retentionMs * 1000],
      );
      pruned += result.affectedRows;
      if (result.affectedRows < PRUNE_BATCH_SIZE) return pruned;
    }
  }

  async find(eventId: string): Promise<DeliveryRecord | undefined> {
    const [rows] = await this.pool.execute<RowDataPacket[]>(
      `SELECT event_id, event_type, email_type, recipient, status, attempts, last_error, message_id, sent_at
         FROM email_deliveries WHERE event_id = ?`,
      [eventId],
    );
    const row = rows[0];
    return row ? toRecord(row) : undefined;
  }
}
