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
import { startPruning } from '@marketshare/platform/outbox';
import { EventPublisher, RabbitConnection } from '@marketshare/platform/rabbit';
import mongoose from 'mongoose';
import { buildApp } from './app.js';
import { OrdersConfigSchema } from './config.js';
import type { OrdersDeps } from './deps.js';
import { SimulatedPaymentProvider } from './domain/payments.js';
import { ordersOutboxRelay } from './events/relay.js';
import { MongoCheckoutStore, MongoOutstandingReleases } from './store/checkouts-store.js';
import { ensureIndexes, ordersModels } from './store/models.js';
import { MongoOrderStore } from './store/orders-store.js';
import { progressionSimulatorFor } from './workers/progression-simulator.js';
import { ReleaseSweep } from './workers/release-sweep.js';
import { HttpProductsClient } from './upstream/products-client.js';

const config = loadConfigOrExit(OrdersConfigSchema);
const logger = createLogger({ service: 'ms-orders', level: config.LOG_LEVEL });
installCrashHandlers(logger);
const lifecycle = new Lifecycle(logger, config.SHUTDOWN_TIMEOUT_MS);

const connection = mongoose.createConnection(config.MONGO_URL, { serverSelectionTimeoutMS: 10_000 });
// The driver reconnects by itself and queries meanwhile fail after the selection timeout;
// these only say so in the log (mongoose emits 'error' solely to listeners: nothing to catch).
connection.on('error', (error: unknown) => logger.warn({ err: error }, 'MongoDB connection error'));
connection.on('disconnected', () => {
  if (!lifecycle.isShuttingDown()) logger.warn('MongoDB disconnected; the driver reconnects');
});
connection.on('reconnected', () => logger.info('MongoDB reconnected'));
const models = ordersModels(connection);
try {
  await connection.asPromise();
  await ensureIndexes(models);
} catch (error) {
  logger.fatal({ err: error }, 'MongoDB is unreachable');
  process.exit(1);
}

const metrics = createServiceMetrics('ms-orders');

// Orders are accepted while RabbitMQ is away: their events wait in the documents for the relay.
const rabbit = new RabbitConnection({ url: config.RABBITMQ_URL, logger, connectionName: 'ms-orders' });
rabbit.start();
const publisher = new EventPublisher(rabbit, { logger, registry: metrics.registry });
publisher.start();
const relay = ordersOutboxRelay({
  models,
  publisher,
  logger,
  registry: metrics.registry,
  pollIntervalMs: config.OUTBOX_POLL_INTERVAL_MS,
  batchSize: config.OUTBOX_BATCH_SIZE,
  leaseMs: config.OUTBOX_LEASE_MS,
});

// Revoked tokens (deactivation, password reset, logout) are refused within a second or so.
const revocationChecks = withRevocationChecks(
  rabbit,
  new JwksVerifier({
    jwksUrl: config.AUTH_JWKS_URL,
    issuer: config.AUTH_ISSUER,
    audience: config.AUTH_AUDIENCE,
  }),
  { service: 'ms-orders', logger, maxTokenLifetimeSeconds: config.ACCESS_TOKEN_MAX_LIFETIME_SECONDS },
);

const deps: OrdersDeps = {
  config,
  connection,
  models,
  logger,
  metrics,
  verifier: revocationChecks.verifier,
  products: new HttpProductsClient({
    baseUrl: config.PRODUCTS_URL,
    timeoutMs: config.PRODUCTS_TIMEOUT_MS,
    tokenUrl: config.AUTH_TOKEN_URL,
    clientId: config.SERVICE_CLIENT_ID,
    clientSecret: config.SERVICE_CLIENT_SECRET,
    registry: metrics.registry,
  }),
  payments: new SimulatedPaymentProvider({
    approvalProbability: config.PAYMENT_APPROVAL_PROBABILITY,
    creditLimitMinor: config.PAYMENT_CREDIT_LIMIT_MINOR,
  }),
  onEventsWritten: () => relay.notify(),
};

// --- events: the outbox relay (orders' and reviews' `outbox` arrays → RabbitMQ) and sweeps register here ---
relay.start();
const releaseSweep = new ReleaseSweep({
  orders: new MongoOrderStore(models),
  checkouts: new MongoCheckoutStore(models),
  outstandingReleases: new MongoOutstandingReleases(models),
  products: deps.products,
  logger,
  intervalMs: config.RELEASE_SWEEP_INTERVAL_MS,
  batchSize: config.RELEASE_SWEEP_BATCH_SIZE,
  stuckCheckoutAfterMs: config.STUCK_CHECKOUT_AFTER_MS,
  notFoundSettleMs: Math.max(config.STUCK_CHECKOUT_AFTER_MS, 10 * config.PRODUCTS_TIMEOUT_MS),
});
releaseSweep.start();
const checkoutsPruning = startPruning({
  name: 'checkouts',
  prune: () => new MongoCheckoutStore(models).pruneCompleted(config.DEDUP_RETENTION_HOURS * 3600_000),
  logger,
});
// Off by default: demo traffic that advances orders as their sellers would.
const simulator = config.ORDER_SIMULATOR_ENABLED ? progressionSimulatorFor(deps) : undefined;
simulator?.start();

const app = buildApp(deps, {
  isShuttingDown: lifecycle.isShuttingDown,
  // No RabbitMQ check: events wait in each order's outbox, so checkouts ride out a broker outage
  // (the outbox_backlog gauge shows it). A red readiness would take every instance out of service.
  readiness: {},
});
const server = await listen(app, config.HOST, config.PORT);
logger.info({ port: server.port }, 'ms-orders listening');

// Steps run in reverse: stop taking requests, then workers, then connections.
lifecycle.onStop('mongodb connection', () => connection.close());
lifecycle.onStop('rabbitmq connection', () => rabbit.close());
lifecycle.onStop('event publisher', () => publisher.close());
lifecycle.onStop('revocation feed', () => revocationChecks.feed.stop());
lifecycle.onStop('outbox relay', () => relay.stop());
lifecycle.onStop('release sweep', () => releaseSweep.stop());
lifecycle.onStop('checkouts pruning', () => checkoutsPruning.stop());
lifecycle.onStop('progression simulator', async () => simulator?.stop());
lifecycle.onStop('http server', () => server.close());
lifecycle.installSignalHandlers();
