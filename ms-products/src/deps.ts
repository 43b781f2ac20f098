import type { Logger, ServiceMetrics, TokenVerifier } from '@marketshare/platform';
import type { PgPool } from '@marketshare/platform/pg';
import type { ProductsConfig } from './config.js';

/** What the API modules and workers of ms-products are built from. */
export interface ProductsDeps {
  config: ProductsConfig;
  pool: PgPool;
  logger: Logger;
  metrics: ServiceMetrics;
  verifier: TokenVerifier | undefined;
  /** Wakes the outbox relay after a transaction that enqueued events has committed. */
  onEventsCommitted: () => void;
}
