import mysql, { type Pool, type RowDataPacket } from 'mysql2/promise';
import type { Logger } from 'pino';
import { migrationChecksum as checksum, type Migration } from '../migrations.js';

export { loadMigrations, type Migration } from '../migrations.js';

export type { Pool, PoolConnection, RowDataPacket, ResultSetHeader } from 'mysql2/promise';

export function createMysqlPool(url: string, options: { connectionLimit?: number } = {}): Pool {
  return mysql.createPool({
    uri: url,
    connectionLimit: options.connectionLimit ?? 10,
    waitForConnections: true,
    // Dates are stored and read as UTC whatever the server's zone.
    timezone: 'Z',
    enableKeepAlive: true,
    connectTimeout: 5_000,
  });
}

/**
 * Applies pending migrations in version order under a named lock, so several instances
 * starting together migrate once. An applied migration whose file changed is an error.
 */
export async function runMigrations(url: string, migrations: Migration[], logger?: Logger): Promise<number> {
  const connection = await mysql.createConnection({ uri: url, multipleStatements: true, timezone: 'Z' });
  // A connection that dies between two queries emits 'error'; the next query fails the migration.
  connection.on('error', () => undefined);
  try {
    const [lockRows] = await connection.query<RowDataPacket[]>(
      "SELECT GET_LOCK('schema_migrations', 60) AS got",
    );
    if (lockRows[0]?.['got'] !== 1) throw new Error('could not take the migration lock');
    await connection.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INT PRIMARY KEY,
      name VARCHAR(200) NOT NULL,
      checksum CHAR(64) NOT NULL,
      applied_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
    )`);
    const [appliedRows] = await connection.query<RowDataPacket[]>(
      'SELECT version, checksum FROM schema_migrations',
    );
    const applied = new Map(appliedRows.map((row) => [Number(row['version']), String(row['checksum'])]));
    let count = 0;
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      const sum = checksum(migration.sql);
      const existing = applied.get(migration.version);
      if (existing !== undefined) {
        if (existing !== sum) throw new Error(`applied migration ${migration.version} was edited`);
        continue;
      }
      logger?.info({ version: migration.version, name: migration.name }, 'applying migration');
      await connection.query(migration.sql);
      await connection.query('INSERT INTO schema_migrations (version, name, checksum) VALUES (?, ?, ?)', [
        migration.version,
        migration.name,
        sum,
      ]);
      count += 1;
    }
    await connection.query("SELECT RELEASE_LOCK('schema_migrations')");
    return count;
  } finally {
    await connection.end();
  }
}

/** Runs `work` in a transaction on one pooled connection; rolls back on any error. */
export async function inTransaction<T>(
  pool: Pool,
  work: (connection: mysql.PoolConnection) => Promise<T>,
): Promise<T> {
  const connection = await pool.getConnection();
  try {
    await connection.beginTransaction();
    const result = await work(connection);
    await connection.commit();
    return result;
  } catch (error) {
    await connection.rollback().catch(() => undefined);
    throw error;
  } finally {
    connection.release();
  }
}
