import { createServiceApp } from '@marketshare/platform';
import type { Logger, ReadinessChecks, ServiceMetrics } from '@marketshare/platform';
import type { Pool } from '@marketshare/platform/mysql';
import type { Config } from './config.js';

export interface AppDeps {
  logger: Logger;
  metrics: ServiceMetrics;
  pool: Pool;
  /** true while the notifications consumer has an open channel on a live connection */
  isConsuming: () => boolean;
  isShuttingDown?: () => boolean;
}

/**
 * ms-email has no public API: HTTP serves probes, metrics and an (empty) OpenAPI document.
 * Readiness covers MySQL and RabbitMQ only. An SMTP outage is handled by retries; reporting
 * it as unready would only make the orchestrator restart instances that are doing the
 * right thing.
 */
export function buildApp(config: Config, deps: AppDeps) {
  const readiness: ReadinessChecks = {
    mysql: () => deps.pool.query('SELECT 1'),
    rabbitmq: async () => {
      if (!deps.isConsuming()) throw new Error('not consuming (RabbitMQ disconnected)');
    },
  };
  return createServiceApp({
    apiName: 'email',
    title: 'Marketshare ms-email',
    logger: deps.logger,
    metrics: deps.metrics,
    routes: [],
    verifier: undefined,
    readiness,
    bodyLimitBytes: config.BODY_LIMIT_BYTES,
    ...(deps.isShuttingDown ? { isShuttingDown: deps.isShuttingDown } : {}),
  });
}
