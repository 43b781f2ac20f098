import { createServiceApp } from '@marketshare/platform';
import { analyticsRoutes } from './api/analytics/routes.js';
import { cartRoutes } from './api/cart/routes.js';
import { orderRoutes } from './api/orders/routes.js';
import { orderStreamRoutes } from './api/orders/stream-routes.js';
import { reviewRoutes } from './api/reviews/routes.js';
import type { OrdersDeps } from './deps.js';
import { ordersErrorToHttp } from './api/shared/problems.js';
import { registerOrderMetrics } from './store/order-metrics.js';

export interface AppOptions {
  /** Extra readiness checks owned by the process (RabbitMQ connection, workers). */
  readiness?: Record<string, () => Promise<unknown>>;
  isShuttingDown?: () => boolean;
}

/** The ms-orders Koa app: cart, checkout, orders and their status. No listen. */
export function buildApp(deps: OrdersDeps, options: AppOptions = {}) {
  registerOrderMetrics(deps.models, deps.metrics.registry, deps.logger);
  return createServiceApp({
    translateError: ordersErrorToHttp,
    apiName: 'orders',
    title: 'Marketshare orders',
    logger: deps.logger,
    metrics: deps.metrics,
    verifier: deps.verifier,
    bodyLimitBytes: deps.config.BODY_LIMIT_BYTES,
    routes: [
      ...cartRoutes(deps),
      ...orderRoutes(deps),
      ...orderStreamRoutes(deps),
      ...analyticsRoutes(deps),
      ...reviewRoutes(deps),
    ],
    readiness: { mongo: () => pingMongo(deps), ...options.readiness },
    ...(options.isShuttingDown ? { isShuttingDown: options.isShuttingDown } : {}),
  });
}

async function pingMongo(deps: OrdersDeps): Promise<void> {
  const db = deps.connection.db;
  if (!db) throw new Error('not connected');
  await db.admin().ping();
}
