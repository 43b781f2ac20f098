import {
  inTransaction,
  type Pool,
  type ResultSetHeader,
  type RowDataPacket,
} from '@marketshare/platform/mysql';
import type { LoginThrottleRepository, ThrottleState } from '../domain/ports.js';
import { instant, integer, optionalInstant } from './columns.js';

function toState(row: RowDataPacket): ThrottleState {
  return {
    failureCount: integer(row, 'failure_count'),
    firstFailureAt: instant(row, 'first_failure_at'),
    lockedUntil: optionalInstant(row, 'locked_until'),
    lockLevel: integer(row, 'lock_level'),
  };
}

/** Throttle state in MySQL, so every instance of the service sees the same counts. */
export class MysqlLoginThrottleRepository implements LoginThrottleRepository {
  constructor(private readonly pool: Pool) {}

  async read(key: string): Promise<ThrottleState | undefined> {
    const [rows] = await this.pool.execute<RowDataPacket[]>(
      'SELECT failure_count, first_failure_at, locked_until, lock_level FROM login_throttle WHERE throttle_key = ?',
      [key],
    );
    return rows[0] && integer(rows[0], 'failure_count') > 0 ? toState(rows[0]) : undefined;
  }

  async update(key: string, next: (current: ThrottleState | undefined) => ThrottleState): Promise<void> {
    await inTransaction(this.pool, async (connection) => {
      // Creating the row first means there is always a row to lock: two first failures
      // cannot both insert, and locking an absent row would take gap locks that deadlock.
      await connection.execute(
        `INSERT IGNORE INTO login_throttle (throttle_key, failure_count, first_failure_at, lock_level, updated_at)
         VALUES (?, 0, NOW(3), 0, NOW(3))`,
        [key],
      );
      const [rows] = await connection.execute<RowDataPacket[]>(
        `SELECT failure_count, first_failure_at, locked_until, lock_level FROM login_throttle
          WHERE throttle_key = ? FOR UPDATE`,
        [key],
      );
      const current = rows[0] && integer(rows[0], 'failure_count') > 0 ? toState(rows[0]) : undefined;
      const state = next(current);
      await connection.execute(
        `UPDATE login_throttle SET failure_count = ?, first_failure_at = ?, locked_until = ?, lock_level = ?,
           updated_at = NOW(3) WHERE throttle_key = ?`,
        [state.failureCount, state.firstFailureAt, state.lockedUntil, state.lockLevel, key],
      );
    });
  }

  async clear(key: string): Promise<void> {
    await this.pool.execute('DELETE FROM login_throttle WHERE throttle_key = ?', [key]);
  }

  async purgeStale(before: Date): Promise<number> {
    const [result] = await this.pool.execute<ResultSetHeader>(
      'DELETE FROM login_throttle WHERE updated_at < ? AND (locked_until IS NULL OR locked_until < ?) LIMIT 10000',
      [before, before],
    );
    return result.affectedRows;
  }
}
