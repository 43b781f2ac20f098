/** The direct-SQL side: N workers on one pg pool, each running the mix in turn for a fixed time. */
import type { PgPool } from '@marketshare/platform/pg';
import { summarize, type LoadSummary } from './latency.js';

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
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const deadline = started + options.durationSeconds * 1000;
  const worker = async () => {
    for (let turn = 0; performance.now() < deadline; turn += 1) {
      const statements = options.requests[turn % options.requests.length] ?? [];
      const begin = performance.now();
      try {
        await Promise.all(
          statements.map((statement) => options.pool.query(statement.text, statement.values)),
        );
        latencies.push(performance.now() - begin);
      } catch {
        errors += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: options.workers }, () => worker()));
  return summarize(latencies, errors, (performance.now() - started) / 1000);
}
