import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import type { Pool } from 'mysql2/promise';

export interface TestMysqlDatabase {
  /** mysql://…/<name>: what a service's config takes as its database URL */
  url: string;
  name: string;
  /** a pool on the database (closed by drop) */
  pool: Pool;
  /** closes the pool and drops the database */
  drop(): Promise<void>;
}

/**
 * A fresh, uniquely named database `<prefix>_<random>` for one test run on the server of
 * MYSQL_ADMIN_URL (default root without password on 127.0.0.1:3306), dropped by drop().
 */
export async function createTestMysqlDatabase(prefix: string): Promise<TestMysqlDatabase> {
  if (!/^[a-z][a-z0-9_]{0,40}$/i.test(prefix)) throw new Error(`invalid database prefix: ${prefix}`);
  const admin = new URL(process.env['MYSQL_ADMIN_URL'] ?? 'mysql://root@127.0.0.1:3306');
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  const adminConnection = await mysql.createConnection({ uri: admin.toString(), timezone: 'Z' });
  try {
    await adminConnection.query(
      `CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
  } finally {
    await adminConnection.end();
  }
  const url = new URL(admin);
  url.pathname = `/${name}`;
  const pool = mysql.createPool({ uri: url.toString(), connectionLimit: 10, timezone: 'Z' });
  let dropped = false;
  return {
    url: url.toString(),
    name,
    pool,
    async drop() {
      if (dropped) return;
      dropped = true;
      await pool.end();
      const connection = await mysql.createConnection({ uri: admin.toString() });
      try {
        await connection.query(`DROP DATABASE IF EXISTS \`${name}\``);
      } finally {
        await connection.end();
      }
    },
  };
}
