import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createPgPool } from '../pg/index.js';

export interface TestPgDatabase {
  /** postgres://…/<name>: what a service's config takes as its database URL */
  url: string;
  name: string;
  /** a pool on the database (closed by drop) */
  pool: pg.Pool;
  /** closes the pool and drops the database */
  drop(): Promise<void>;
}

/**
 * A fresh, uniquely named PostgreSQL database `<prefix>_<random>` for one test run on the
 * server of PG_ADMIN_URL (default the postgres user with trust auth on 127.0.0.1:5432).
 */
export async function createTestPgDatabase(prefix: string): Promise<TestPgDatabase> {
  if (!/^[a-z][a-z0-9_]{0,40}$/.test(prefix)) throw new Error(`invalid database prefix: ${prefix}`);
  const admin = new URL(process.env['PG_ADMIN_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  const runAsAdmin = async (work: (client: pg.Client) => Promise<unknown>) => {
    const client = new pg.Client({ connectionString: admin.toString() });
    await client.connect();
    try {
      await work(client);
    } finally {
      await client.end();
    }
  };
  await runAsAdmin((client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(admin);
  url.pathname = `/${name}`;
  const pool = createPgPool(url.toString());
  let dropped = false;
  return {
    url: url.toString(),
    name,
    pool,
    async drop() {
      if (dropped) return;
      dropped = true;
      await pool.end();
      await runAsAdmin(async (client) => {
        // pool.end() resolves once its connections are asked to close, not once they are gone; a
        // backend FORCE still finds is terminated, and its client's error escapes uncaught into
        // whichever test runs next. Give them a moment to leave first.
        for (let attempt = 0; attempt < 50; attempt += 1) {
          const { rows } = await client.query<{ n: number }>(
            'SELECT count(*)::integer AS n FROM pg_stat_activity WHERE datname = $1',
            [name],
          );
          if (rows[0]?.n === 0) break;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      });
    },
  };
}
