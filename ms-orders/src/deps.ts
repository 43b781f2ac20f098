import type { Logger, ServiceMetrics, TokenVerifier } from '@marketshare/platform';
import type { Connection } from 'mongoose';
import type { OrdersConfig } from './config.js';
import type { PaymentProvider, ProductsPort } from './domain/ports.js';
import type { OrdersModels } from './store/models.js';

/** What the API modules and workers of ms-orders are built from. */
export interface OrdersDeps {
  config: OrdersConfig;
  connection: Connection;
  models: OrdersModels;
  logger: Logger;
  metrics: ServiceMetrics;
  verifier: TokenVerifier | undefined;
  products: ProductsPort;
  payments: PaymentProvider;
  /** Called after each write that stored events (wakes the outbox relay); absent in tests without one. */
  onEventsWritten?: () => void;
}
