/** The direct-SQL side: N workers on one pg pool, each running the mix in turn for a fixed time. */
import type { PgPool } from '@marketshare/platform/pg';
import { runClosedLoop } from './closed-loop.js';
import type { LoadSummary } from './latency.js';

export interface SqlStatement {
  text: string;
  values: unknown[];
}

export interface PgLoadOptions {
  pool: PgPool;
  /** Concurrent workers (each one request at a time, like one keep-alive HTTP connection). */
  workers: number;
  durationSeconds: number;
  /** One entry per request of the mix: the statements it runs concurrently (as the service does). */
  requests: SqlStatement[][];
}

export async function runPgLoad(options: PgLoadOptions): Promise<LoadSummary> {
  return runClosedLoop({
    workers: options.workers,
    durationSeconds: options.durationSeconds,
    once: async (_worker, turn) => {
      const statements = options.requests[turn % options.requests.length] ?? [];
      await Promise.all(statements.map((statement) => options.pool.query(statement.text, statement.values)));
      return true;
    },
  });
}
