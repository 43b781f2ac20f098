import '@marketshare/platform/telemetry-register';
import {
  JwksVerifier,
  Lifecycle,
  createLogger,
  createServiceMetrics,
  listen,
  loadConfigOrExit,
} from '@marketshare/platform';
import { createPgPool, runPgMigrations } from '@marketshare/platform/pg';
import { RabbitConnection } from '@marketshare/platform/rabbit';
import { buildApp } from './app.js';
import { ProductsConfigSchema } from './config.js';
import type { ProductsDeps } from './deps.js';
import { Ratings } from './domain/ratings/ratings.js';
import { createRatingsConsumer } from './events/ratings-consumer.js';
import { ratingMetrics } from './events/ratings-metrics.js';
import { PgRatingStore } from './store/ratings-store.js';
import { productsMigrations } from './store/migrations.js';

const config = loadConfigOrExit(ProductsConfigSchema);
const logger = createLogger({ service: 'ms-products', level: config.LOG_LEVEL });

try {
  await runPgMigrations(config.POSTGRES_URL, await productsMigrations(), logger);
} catch (error) {
  logger.fatal({ err: error }, 'database migrations failed');
  process.exit(1);
}

const pool = createPgPool(config.POSTGRES_URL);
const metrics = createServiceMetrics('ms-products');
const rabbit = new RabbitConnection({ url: config.RABBITMQ_URL, logger, connectionName: 'ms-products' });
rabbit.start();
const lifecycle = new Lifecycle(logger, config.SHUTDOWN_TIMEOUT_MS);

const deps: ProductsDeps = {
  config,
  pool,
  logger,
  metrics,
  verifier: new JwksVerifier({
    jwksUrl: config.AUTH_JWKS_URL,
    issuer: config.AUTH_ISSUER,
    audience: config.AUTH_AUDIENCE,
  }),
  onEventsCommitted: () => undefined,
};

// --- events: publishers, relays and consumers register here (images, ratings) ---

// review.created → product and seller rating aggregates.
const ratingsConsumer = createRatingsConsumer(rabbit, {
  ratings: new Ratings(new PgRatingStore(pool), ratingMetrics(metrics.registry), logger),
  logger,
  registry: metrics.registry,
  // Leave part of the shutdown budget for closing the broker and the pool after it.
  stopTimeoutMs: Math.max(1_000, config.SHUTDOWN_TIMEOUT_MS - 2_000),
});
ratingsConsumer.start();

const app = buildApp(deps, {
  readiness: {
    rabbitmq: async () => (rabbit.isConnected() ? undefined : Promise.reject(new Error('down'))),
    ratingsConsumer: async () =>
      ratingsConsumer.isConsuming() ? undefined : Promise.reject(new Error('not consuming')),
  },
  isShuttingDown: lifecycle.isShuttingDown,
});
const server = await listen(app, config.HOST, config.PORT);
logger.info({ port: server.port }, 'ms-products listening');

// Steps run in reverse: stop taking requests, then workers, then connections.
lifecycle.onStop('postgres pool', () => pool.end());
lifecycle.onStop('rabbitmq connection', () => rabbit.close());
lifecycle.onStop('ratings consumer', () => ratingsConsumer.stop());
lifecycle.onStop('http server', () => server.close());
lifecycle.installSignalHandlers();
