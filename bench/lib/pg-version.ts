/** The PostgreSQL server a benchmark ran against, for its report. */
import { createPgPool } from '@marketshare/platform/pg';

export async function postgresVersion(postgresUrl: string): Promise<string> {
  const pool = createPgPool(postgresUrl, { max: 1 });
  try {
    const version = await pool.query<{ v: string }>(
      "SELECT 'PostgreSQL ' || current_setting('server_version') AS v",
    );
    return version.rows[0]?.v ?? 'PostgreSQL';
  } finally {
    await pool.end();
  }
}
