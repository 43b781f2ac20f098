import { createServiceApp } from '@marketshare/platform';
import { imageErrorToHttp } from './api/images/images-route.js';
import { imageRoutes } from './api/images/routes.js';
import { productErrorToHttp } from './api/products/products-route.js';
import { productRoutes } from './api/products/routes.js';
import { ratingRoutes } from './api/ratings/routes.js';
import { reservationRoutes } from './api/reservations/routes.js';
import type { ProductsDeps } from './deps.js';

export interface AppOptions {
  /** Extra readiness checks owned by the process (RabbitMQ connection, workers). */
  readiness?: Record<string, () => Promise<unknown>>;
  isShuttingDown?: () => boolean;
}

/** The ms-products Koa app: catalogue and search, images, internal stock reservations. No listen. */
export function buildApp(deps: ProductsDeps, options: AppOptions = {}) {
  return createServiceApp({
    translateError: (error) => imageErrorToHttp(productErrorToHttp(error)),
    apiName: 'products',
    title: 'Marketshare products',
    logger: deps.logger,
    metrics: deps.metrics,
    verifier: deps.verifier,
    bodyLimitBytes: deps.config.BODY_LIMIT_BYTES,
    routes: [...productRoutes(deps), ...imageRoutes(deps), ...reservationRoutes(deps), ...ratingRoutes(deps)],
    readiness: { postgres: () => deps.pool.query('SELECT 1'), ...options.readiness },
    ...(options.isShuttingDown ? { isShuttingDown: options.isShuttingDown } : {}),
  });
}
