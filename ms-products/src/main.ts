import '@marketshare/platform/telemetry-register';
import {
  JwksVerifier,
  Lifecycle,
  createLogger,
  createServiceMetrics,
  listen,
  loadConfigOrExit,
  installCrashHandlers,
  withRevocationChecks,
} from '@marketshare/platform';
import { access, constants } from 'node:fs/promises';
import { OutboxRelay, pgOutboxStore, startPruning } from '@marketshare/platform/outbox';
import { createPgPool, runPgMigrations } from '@marketshare/platform/pg';
import { EventPublisher, RabbitConnection } from '@marketshare/platform/rabbit';
import { buildApp } from './app.js';
import { ProductsConfigSchema } from './config.js';
import type { ProductsDeps } from './deps.js';
import { ImageCodec } from './domain/images/codec.js';
import { ThumbnailMaker } from './domain/images/thumbnails.js';
import { Ratings } from './domain/ratings/ratings.js';
import { createRatingsConsumer } from './events/ratings-consumer.js';
import { ratingMetrics } from './events/ratings-metrics.js';
import { createThumbnailWorker } from './events/thumbnail-worker.js';
import { ImageFiles } from './store/images-files.js';
import { PgImageRepository } from './store/images-repository.js';
import { PgRatingStore } from './store/ratings-store.js';
import { PgReservationStore } from './store/reservations-store.js';
import { reservationMetrics } from './api/reservations/metrics.js';
import { StockReservations } from './domain/stock/reservations.js';
import { ReservationSweep } from './workers/reservation-sweep.js';
import { productsMigrations } from './store/migrations.js';

const config = loadConfigOrExit(ProductsConfigSchema);
const logger = createLogger({ service: 'ms-products', level: config.LOG_LEVEL });
installCrashHandlers(logger);

try {
  await runPgMigrations(config.POSTGRES_URL, await productsMigrations(), logger);
} catch (error) {
  logger.fatal({ err: error }, 'database migrations failed');
  process.exit(1);
}

const pool = createPgPool(config.POSTGRES_URL, { logger });
const metrics = createServiceMetrics('ms-products');
const rabbit = new RabbitConnection({ url: config.RABBITMQ_URL, logger, connectionName: 'ms-products' });
rabbit.start();
const lifecycle = new Lifecycle(logger, config.SHUTDOWN_TIMEOUT_MS);

// Revoked tokens (deactivation, password reset, logout) are refused within a second or so.
const revocationChecks = withRevocationChecks(
  rabbit,
  new JwksVerifier({
    jwksUrl: config.AUTH_JWKS_URL,
    issuer: config.AUTH_ISSUER,
    audience: config.AUTH_AUDIENCE,
  }),
  { service: 'ms-products', logger, maxTokenLifetimeSeconds: config.ACCESS_TOKEN_MAX_LIFETIME_SECONDS },
);

const deps: ProductsDeps = {
  config,
  pool,
  logger,
  metrics,
  verifier: revocationChecks.verifier,
  onEventsCommitted: () => undefined,
};

// --- events: publishers, relays and consumers register here (images, ratings) ---

// product.image_uploaded leaves through the PostgreSQL outbox (committed with the image row).
const publisher = new EventPublisher(rabbit, { logger, registry: metrics.registry });
publisher.start();
const outboxRelay = new OutboxRelay({
  store: pgOutboxStore(pool),
  publisher,
  logger,
  registry: metrics.registry,
  pollIntervalMs: config.OUTBOX_POLL_INTERVAL_MS,
});
outboxRelay.start();
deps.onEventsCommitted = () => outboxRelay.notify();

// product.image_uploaded → the image's thumbnail.
const imageFiles = new ImageFiles(config.IMAGES_DIR);
await imageFiles.prepare();
const thumbnailWorker = createThumbnailWorker(rabbit, {
  thumbnails: new ThumbnailMaker(
    new PgImageRepository(pool),
    imageFiles,
    new ImageCodec({ maxPixels: config.IMAGE_MAX_PIXELS }),
  ),
  logger,
  registry: metrics.registry,
  concurrency: config.THUMBNAIL_CONCURRENCY,
  stopTimeoutMs: Math.max(1_000, config.SHUTDOWN_TIMEOUT_MS - 2_000),
});
thumbnailWorker.start();

// review.created → product and seller rating aggregates.
const ratingStore = new PgRatingStore(pool);
const ratingsConsumer = createRatingsConsumer(rabbit, {
  ratings: new Ratings(ratingStore, ratingMetrics(metrics.registry), logger),
  logger,
  registry: metrics.registry,
  // Leave part of the shutdown budget for closing the broker and the pool after it.
  stopTimeoutMs: Math.max(1_000, config.SHUTDOWN_TIMEOUT_MS - 2_000),
});
ratingsConsumer.start();
const processedEventsPruning = startPruning({
  name: 'processed_events',
  prune: () => ratingStore.pruneProcessedEvents(config.DEDUP_RETENTION_HOURS * 3600_000),
  logger,
});

// Stock holds ms-orders never committed (it died mid-checkout) go back on sale.
const reservationSweep = new ReservationSweep({
  reservations: new StockReservations(new PgReservationStore(pool), reservationMetrics(metrics.registry), {
    holdSeconds: config.RESERVATION_HOLD_MINUTES * 60,
  }),
  logger,
  intervalMs: config.RESERVATION_SWEEP_INTERVAL_MS,
  batchSize: config.RESERVATION_SWEEP_BATCH_SIZE,
});
reservationSweep.start();

const app = buildApp(deps, {
  // No RabbitMQ or consumer checks: the API works without the broker (events wait in the outbox,
  // jobs and ratings catch up after it returns), so an outage must not take instances out of service.
  readiness: {
    imagesDir: () => access(imageFiles.root, constants.W_OK),
  },
  isShuttingDown: lifecycle.isShuttingDown,
});
const server = await listen(app, config.HOST, config.PORT);
logger.info({ port: server.port }, 'ms-products listening');

// Steps run in reverse: stop taking requests, then workers, then connections.
lifecycle.onStop('postgres pool', () => pool.end());
lifecycle.onStop('rabbitmq connection', () => rabbit.close());
lifecycle.onStop('event publisher', () => publisher.close());
lifecycle.onStop('revocation feed', () => revocationChecks.feed.stop());
lifecycle.onStop('outbox relay', () => outboxRelay.stop());
lifecycle.onStop('thumbnail worker', () => thumbnailWorker.stop());
lifecycle.onStop('processed events pruning', () => processedEventsPruning.stop());
lifecycle.onStop('ratings consumer', () => ratingsConsumer.stop());
lifecycle.onStop('reservation sweep', () => reservationSweep.stop());
lifecycle.onStop('http server', () => server.close());
lifecycle.installSignalHandlers();
