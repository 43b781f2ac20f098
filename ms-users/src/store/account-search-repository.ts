import type { Pool, RowDataPacket } from '@marketshare/platform/mysql';
import type { Account, AccountFilter, AccountPosition, AccountSearchRepository } from '../domain/ports.js';
import { ACCOUNT_COLUMNS, toAccount } from './account-repository.js';

/**
 * LIKE's wildcards typed by the admin are searched for literally. `!` is the escape
 * character because a backslash's meaning depends on the server's sql_mode.
 */
const escapeLike = (text: string) => text.replace(/[!%_]/g, '!$&');

/**
 * The admin search over MySQL. A text match scans (a substring of four columns cannot use an
 * index); the accounts of a marketplace are few enough for an operator's occasional query,
 * and the (created_at, id) index still serves the order and the keyset condition.
 */
export class MysqlAccountSearchRepository implements AccountSearchRepository {
  constructor(private readonly pool: Pool) {}

  async search(filter: AccountFilter, after: AccountPosition | undefined, limit: number): Promise<Account[]> {
    const conditions: string[] = [];
    const params: unknown[] = [];
    if (filter.text !== undefined) {
      // username_normalized and email are binary and stored lowercased; the names compare ignoring case.
      const folded = `%${escapeLike(filter.text.toLowerCase())}%`;
      const asTyped = `%${escapeLike(filter.text)}%`;
      conditions.push(
        `(username_normalized LIKE ? ESCAPE '!' OR email LIKE ? ESCAPE '!'
          OR company_name LIKE ? ESCAPE '!' OR display_name LIKE ? ESCAPE '!')`,
      );
      params.push(folded, folded, asTyped, asTyped);
    }
    if (filter.role !== undefined) {
      conditions.push('role = ?');
      params.push(filter.role);
    }
    if (filter.status !== undefined) {
      conditions.push('status = ?');
      params.push(filter.status);
    }
    if (after !== undefined) {
      conditions.push('(created_at < ? OR (created_at = ? AND id < ?))');
      params.push(after.createdAt, after.createdAt, after.id);
    }
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT ${ACCOUNT_COLUMNS} FROM accounts ${where} ORDER BY created_at DESC, id DESC LIMIT ?`,
      [...params, limit],
    );
    return rows.map(toAccount);
  }
}
