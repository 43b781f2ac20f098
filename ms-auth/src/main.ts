import '@marketshare/platform/telemetry-register';
import {
  Lifecycle,
  RevocationFeed,
  RevocationList,
  createLogger,
  createServiceMetrics,
  listen,
  loadConfigOrExit,
  installCrashHandlers,
} from '@marketshare/platform';
import { createMysqlPool } from '@marketshare/platform/mysql';
import { OutboxRelay } from '@marketshare/platform/outbox';
import { EventPublisher, RabbitConnection } from '@marketshare/platform/rabbit';
import { buildApp } from './app.js';
import { prepareAuthStore } from './bootstrap.js';
import { authConfigSchema } from './config.js';
import { SubjectSessions } from './domain/tokens/subject-sessions.js';
import { createSubjectRevocationsConsumer } from './events/subject-revocations-consumer.js';
import { startMaintenance } from './maintenance.js';
import { RefreshTokensRepository } from './store/refresh-tokens-repository.js';

const config = loadConfigOrExit(authConfigSchema);
const logger = createLogger({ service: 'ms-auth', level: config.LOG_LEVEL });
installCrashHandlers(logger);
const lifecycle = new Lifecycle(logger, config.SHUTDOWN_TIMEOUT_MS);
lifecycle.installSignalHandlers();

try {
  const pool = createMysqlPool(config.MYSQL_URL);
  lifecycle.onStop('mysql', () => pool.end());
  const keyRing = await prepareAuthStore(config, pool, logger);
  const stopMaintenance = startMaintenance(config, { pool, keyRing, logger });
  lifecycle.onStop('maintenance', async () => stopMaintenance());
  const metrics = createServiceMetrics('ms-auth');
  // Tokens are issued while RabbitMQ is away: revocation events wait in the outbox meanwhile.
  const rabbit = new RabbitConnection({ url: config.RABBITMQ_URL, logger, connectionName: 'ms-auth' });
  rabbit.start();
  lifecycle.onStop('rabbitmq connection', () => rabbit.close());
  const publisher = new EventPublisher(rabbit, { logger, registry: metrics.registry });
  publisher.start();
  lifecycle.onStop('event publisher', () => publisher.close());
  const relay = new OutboxRelay({
    pool,
    publisher,
    logger,
    registry: metrics.registry,
    pollIntervalMs: config.OUTBOX_POLL_INTERVAL_MS,
  });
  relay.start();
  lifecycle.onStop('outbox relay', () => relay.stop());
  const revocations = new RevocationList({
    maxTokenLifetimeSeconds: config.ACCESS_TOKEN_MAX_LIFETIME_SECONDS,
  });
  const revocationFeed = new RevocationFeed(rabbit, {
    list: revocations,
    logger,
    service: 'ms-auth',
    maxTokenLifetimeSeconds: config.ACCESS_TOKEN_MAX_LIFETIME_SECONDS,
  });
  revocationFeed.start();
  lifecycle.onStop('revocation feed', () => revocationFeed.stop());
  // A password reset or deactivation also ends the account's earlier sign-ins (refresh tokens).
  const subjectRevocations = createSubjectRevocationsConsumer(rabbit, {
    sessions: new SubjectSessions(new RefreshTokensRepository(pool)),
    logger,
    registry: metrics.registry,
    stopTimeoutMs: Math.max(1_000, config.SHUTDOWN_TIMEOUT_MS - 2_000),
  });
  subjectRevocations.start();
  lifecycle.onStop('subject revocations consumer', () => subjectRevocations.stop());
  const app = buildApp(config, {
    pool,
    keyRing,
    logger,
    metrics,
    isShuttingDown: lifecycle.isShuttingDown,
    onEventsCommitted: () => relay.notify(),
    revocations,
  });
  const server = await listen(app, config.HOST, config.PORT);
  lifecycle.onStop('http', () => server.close());
  logger.info({ url: server.url }, 'ms-auth listening');
} catch (error) {
  logger.fatal({ err: error }, 'ms-auth failed to start');
  await lifecycle.shutdown();
  process.exit(1);
}
