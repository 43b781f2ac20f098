import type { Logger } from 'pino';

/**
 * How long a de-duplication record (a processed event id, an email delivery) is kept by
 * default: 7 days. It must outlast every way the same event can arrive again — broker
 * redelivery after a crash (seconds), the consumer's retries (minutes: attempts × the longest
 * back-off), an outbox relay re-sending an unconfirmed event after an outage (hours), and an
 * operator replaying the dead-letter queue after a weekend (days). Past that, a copy would be
 * handled again; each service checks its own retry horizon against its setting at start.
 */
export const DEFAULT_DEDUP_RETENTION_MS = 7 * 24 * 3600_000;

/** How often a service prunes its de-duplication records: cheap, and rows wait ≤ 1 h extra. */
export const DEDUP_PRUNE_INTERVAL_MS = 3600_000;

export interface PruningOptions {
  /** names the table in logs */
  name: string;
  /** deletes what is older than the retention window; resolves with how many rows went */
  prune: () => Promise<number>;
  logger: Logger;
  intervalMs?: number;
  /** the first run (default 5 s): not at once, a starting service needs its pool for itself */
  initialDelayMs?: number;
}

export interface PruningTimer {
  /** stops the timer and waits for a prune in progress, so the pool can close after it */
  stop(): Promise<void>;
}

/**
 * Runs `prune` once soon after start and then every intervalMs, one run at a time. A failure
 * is logged and retried at the next tick: pruning late is harmless, crashing is not.
 */
export function startPruning(options: PruningOptions): PruningTimer {
  const { name, prune, logger } = options;
  let running: Promise<void> | undefined;
  const tick = () => {
    if (running) return;
    running = prune()
      .then((pruned) => {
        if (pruned > 0) logger.info({ table: name, pruned }, 'pruned old de-duplication records');
      })
      .catch((error: unknown) => logger.warn({ table: name, err: error }, 'pruning failed; retrying later'))
      .finally(() => {
        running = undefined;
      });
  };
  const first = setTimeout(tick, options.initialDelayMs ?? 5_000);
  const timer = setInterval(tick, options.intervalMs ?? DEDUP_PRUNE_INTERVAL_MS);
  first.unref();
  timer.unref();
  return {
    async stop() {
      clearTimeout(first);
      clearInterval(timer);
      await running;
    },
  };
}
