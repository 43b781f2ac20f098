import '@marketshare/platform/telemetry-register';
import {
  JwksVerifier,
  Lifecycle,
  createLogger,
  createServiceMetrics,
  listen,
  loadConfigOrExit,
} from '@marketshare/platform';
import mongoose from 'mongoose';
import { buildApp } from './app.js';
import { OrdersConfigSchema } from './config.js';
import type { OrdersDeps } from './deps.js';
import { SimulatedPaymentProvider } from './domain/payments.js';
import { ensureIndexes, ordersModels } from './store/models.js';
import { HttpProductsClient } from './upstream/products-client.js';

const config = loadConfigOrExit(OrdersConfigSchema);
const logger = createLogger({ service: 'ms-orders', level: config.LOG_LEVEL });

const connection = mongoose.createConnection(config.MONGO_URL, { serverSelectionTimeoutMS: 10_000 });
const models = ordersModels(connection);
try {
  await connection.asPromise();
  await ensureIndexes(models);
} catch (error) {
  logger.fatal({ err: error }, 'MongoDB is unreachable');
  process.exit(1);
}

const metrics = createServiceMetrics('ms-orders');
const lifecycle = new Lifecycle(logger, config.SHUTDOWN_TIMEOUT_MS);

const deps: OrdersDeps = {
  config,
  connection,
  models,
  logger,
  metrics,
  verifier: new JwksVerifier({
    jwksUrl: config.AUTH_JWKS_URL,
    issuer: config.AUTH_ISSUER,
    audience: config.AUTH_AUDIENCE,
  }),
  products: new HttpProductsClient({
    baseUrl: config.PRODUCTS_URL,
    timeoutMs: config.PRODUCTS_TIMEOUT_MS,
    tokenUrl: config.AUTH_TOKEN_URL,
    clientId: config.SERVICE_CLIENT_ID,
    clientSecret: config.SERVICE_CLIENT_SECRET,
  }),
  payments: new SimulatedPaymentProvider(config.PAYMENT_APPROVAL_PROBABILITY),
};

// --- events: the outbox relay (orders' `outbox` arrays → RabbitMQ) and sweeps register here ---

const app = buildApp(deps, { isShuttingDown: lifecycle.isShuttingDown });
const server = await listen(app, config.HOST, config.PORT);
logger.info({ port: server.port }, 'ms-orders listening');

// Steps run in reverse: stop taking requests, then workers, then connections.
lifecycle.onStop('mongodb connection', () => connection.close());
lifecycle.onStop('http server', () => server.close());
lifecycle.installSignalHandlers();
