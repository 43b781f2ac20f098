import {
  inTransaction,
  type Pool,
  type PoolConnection,
  type ResultSetHeader,
  type RowDataPacket,
} from '@marketshare/platform/mysql';
import { enqueueEvent } from '@marketshare/platform/outbox';
import type { EventEnvelope } from '@marketshare/platform/contracts';
import {
  DuplicateAccountError,
  type Account,
  type AccountChanges,
  type AccountRepository,
  type AccountRole,
  type AccountStatus,
} from '../domain/ports.js';
import { instant, optionalInstant, optionalText, text } from './columns.js';

export const ACCOUNT_COLUMNS = `id, username, email, role, status, company_name, display_name, phone, address, website,
  password_hash, created_at, updated_at, deactivated_at, deactivation_reason`;

/** Domain field → column, for the fields a profile update may change. */
const CHANGE_COLUMNS: Record<keyof AccountChanges, string> = {
  companyName: 'company_name',
  email: 'email',
  passwordHash: 'password_hash',
  displayName: 'display_name',
  phone: 'phone',
  address: 'address',
  website: 'website',
};

function isRole(value: string): value is AccountRole {
  return value === 'seller' || value === 'consumer' || value === 'admin';
}

function isStatus(value: string): value is AccountStatus {
  return value === 'active' || value === 'deactivated';
}

export function toAccount(row: RowDataPacket): Account {
  const role = text(row, 'role');
  const status = text(row, 'status');
  if (!isRole(role) || !isStatus(status))
    throw new Error(`account ${text(row, 'id')} has an unknown role or status`);
  return {
    id: text(row, 'id'),
    username: text(row, 'username'),
    email: text(row, 'email'),
    role,
    status,
    companyName: text(row, 'company_name'),
    displayName: optionalText(row, 'display_name'),
    phone: optionalText(row, 'phone'),
    address: optionalText(row, 'address'),
    website: optionalText(row, 'website'),
    passwordHash: text(row, 'password_hash'),
    createdAt: instant(row, 'created_at'),
    updatedAt: instant(row, 'updated_at'),
    deactivatedAt: optionalInstant(row, 'deactivated_at'),
    deactivationReason: optionalText(row, 'deactivation_reason'),
  };
}

/** mysql2 reports a unique-key violation as ER_DUP_ENTRY naming the key. */
function duplicateField(error: unknown): 'username' | 'email' | undefined {
  if (!(error instanceof Error) || Reflect.get(error, 'code') !== 'ER_DUP_ENTRY') return undefined;
  if (error.message.includes('accounts_username_unique')) return 'username';
  if (error.message.includes('accounts_email_unique')) return 'email';
  return undefined;
}

function rethrowDuplicate(error: unknown): never {
  const field = duplicateField(error);
  throw field ? new DuplicateAccountError(field) : error;
}

export class MysqlAccountRepository implements AccountRepository {
  /** @param onEventsCommitted told after a transaction that enqueued events commits (wakes the relay) */
  constructor(
    private readonly pool: Pool,
    private readonly onEventsCommitted: () => void = () => undefined,
  ) {}

  async insert(account: Account, events: readonly EventEnvelope[]): Promise<void> {
    await inTransaction(this.pool, async (connection) => {
      await connection.execute(
        `INSERT INTO accounts (id, username, username_normalized, email, role, status, company_name,
           display_name, phone, address, website, password_hash, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          account.id,
          account.username,
          account.username.toLowerCase(),
          account.email,
          account.role,
          account.status,
          account.companyName,
          account.displayName,
          account.phone,
          account.address,
          account.website,
          account.passwordHash,
          account.createdAt,
          account.updatedAt,
        ],
      );
      for (const event of events) await enqueueEvent(connection, event);
    }).catch(rethrowDuplicate);
    if (events.length > 0) this.onEventsCommitted();
  }

  async findById(id: string): Promise<Account | undefined> {
    const [rows] = await this.pool.execute<RowDataPacket[]>(
      `SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE id = ?`,
      [id],
    );
    return rows[0] ? toAccount(rows[0]) : undefined;
  }

  async findByLogin(login: string): Promise<Account | undefined> {
    const column = login.includes('@') ? 'email' : 'username_normalized';
    const [rows] = await this.pool.execute<RowDataPacket[]>(
      `SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE ${column} = ?`,
      [login.toLowerCase()],
    );
    return rows[0] ? toAccount(rows[0]) : undefined;
  }

  async findTakenField(username: string, email: string): Promise<'username' | 'email' | undefined> {
    const [rows] = await this.pool.execute<RowDataPacket[]>(
      'SELECT username_normalized FROM accounts WHERE username_normalized = ? OR email = ? LIMIT 2',
      [username.toLowerCase(), email],
    );
    if (rows.length === 0) return undefined;
    return rows.some((row) => row['username_normalized'] === username.toLowerCase()) ? 'username' : 'email';
  }

  async update(id: string, changes: AccountChanges, updatedAt: Date): Promise<void> {
    const entries = Object.entries(CHANGE_COLUMNS).flatMap(([field, column]) => {
      const value: unknown = Reflect.get(changes, field);
      return value === null || typeof value === 'string' ? [{ column, value }] : [];
    });
    if (entries.length === 0) return;
    const assignments = entries.map(({ column }) => `${column} = ?`).join(', ');
    await inTransaction(this.pool, async (connection) => {
      await connection.execute(`UPDATE accounts SET ${assignments}, updated_at = ? WHERE id = ?`, [
        ...entries.map(({ value }) => value),
        updatedAt,
        id,
      ]);
      // A link mailed before the password (or the address) changed must not work afterwards.
      if (changes.passwordHash !== undefined || changes.email !== undefined) {
        await voidResetTokens(connection, id, updatedAt);
      }
    }).catch(rethrowDuplicate);
  }

  async upgradePasswordHash(id: string, oldHash: string, newHash: string): Promise<void> {
    await this.pool.execute('UPDATE accounts SET password_hash = ? WHERE id = ? AND password_hash = ?', [
      newHash,
      id,
      oldHash,
    ]);
  }

  async deactivate(id: string, reason: string, at: Date, events: readonly EventEnvelope[]): Promise<boolean> {
    const deactivated = await inTransaction(this.pool, async (connection) => {
      const [result] = await connection.execute<ResultSetHeader>(
        `UPDATE accounts SET status = 'deactivated', deactivated_at = ?, deactivation_reason = ?, updated_at = ?
          WHERE id = ? AND status = 'active'`,
        [at, reason, at, id],
      );
      await voidResetTokens(connection, id, at);
      if (result.affectedRows === 0) return false;
      for (const event of events) await enqueueEvent(connection, event);
      return true;
    });
    if (deactivated && events.length > 0) this.onEventsCommitted();
    return deactivated;
  }
}

export async function voidResetTokens(
  connection: PoolConnection,
  accountId: string,
  at: Date,
): Promise<void> {
  await connection.execute(
    'UPDATE password_reset_tokens SET voided_at = ? WHERE account_id = ? AND used_at IS NULL AND voided_at IS NULL',
    [at, accountId],
  );
}
