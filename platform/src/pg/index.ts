import pg from 'pg';
import type { Logger } from 'pino';
import { migrationChecksum, type Migration } from '../migrations.js';

export { loadMigrations, type Migration } from '../migrations.js';
export type { Pool as PgPool, PoolClient as PgClient, QueryResultRow } from 'pg';

// BIGINT (int8) columns hold money in minor units and counts; they fit in a JS number far
// beyond any price or stock we store, so read them as numbers rather than strings.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export interface PgPoolOptions {
  max?: number;
  /** where failures of pooled connections are reported (silent without one: CLIs, benches) */
  logger?: Logger;
}

/**
 * A pool whose connections may die at any time (a server restart, `pg_terminate_backend`, a
 * network cut) without taking the process with them. pg emits such a failure as an 'error'
 * event, and an 'error' nobody listens to is thrown: on the pool for an idle connection, and
 * on the client itself while it is checked out (pg-pool listens only while it is idle), even
 * when the query in flight already rejected with it. The pool drops a dead connection on
 * release; what a caller was doing with it fails through its own promise.
 */
export function createPgPool(url: string, options: PgPoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  const logger = options.logger?.child({ component: 'pg-pool' });
  pool.on('error', (error) => {
    logger?.warn({ err: error }, 'idle PostgreSQL connection failed; the pool replaces it');
  });
  pool.on('connect', (client) => {
    // Idle failures are reported by the pool's listener above, so this one stays quiet.
    client.on('error', (error) => logger?.debug({ err: error }, 'PostgreSQL connection failed'));
  });
  return pool;
}

/** A fixed key for pg_advisory_lock, so concurrently starting instances migrate once. */
const MIGRATION_LOCK_KEY = 7_310_452_113;

/**
 * Applies pending migrations in version order, each in its own transaction (PostgreSQL has
 * transactional DDL), under an advisory lock. An applied migration whose file changed is an error.
 */
export async function runPgMigrations(
  url: string,
  migrations: Migration[],
  logger?: Logger,
): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  // A connection cut mid-migration fails the query in flight (and so this function); pg
  // also emits it as an 'error' event, which would otherwise be thrown.
  client.on('error', (error) => logger?.warn({ err: error }, 'migration connection failed'));
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INT PRIMARY KEY,
      name TEXT NOT NULL,
      checksum CHAR(64) NOT NULL,
      applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
    )`);
    const applied = new Map(
      (
        await client.query<{ version: number; checksum: string }>(
          'SELECT version, checksum FROM schema_migrations',
        )
      ).rows.map((row) => [row.version, row.checksum]),
    );
    let count = 0;
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      const sum = migrationChecksum(migration.sql);
      const existing = applied.get(migration.version);
      if (existing !== undefined) {
        if (existing !== sum) throw new Error(`applied migration ${migration.version} was edited`);
        continue;
      }
      logger?.info({ version: migration.version, name: migration.name }, 'applying migration');
      await client.query('BEGIN');
      try {
        await client.query(migration.sql);
        await client.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
          migration.version,
          migration.name,
          sum,
        ]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
      count += 1;
    }
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    return count;
  } finally {
    await client.end();
  }
}

/** Runs `work` in a transaction on one pooled client; rolls back on any error. */
export async function inPgTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
