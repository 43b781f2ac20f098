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
import { createMysqlPool, runMigrations } from '@marketshare/platform/mysql';
import { OutboxRelay } from '@marketshare/platform/outbox';
import { EventPublisher, RabbitConnection } from '@marketshare/platform/rabbit';
import { buildApp } from './app.js';
import { UsersConfigSchema } from './config.js';
import { usersMigrations } from './store/migrations.js';
import { MysqlLoginThrottleRepository } from './store/throttle-repository.js';

const THROTTLE_PURGE_INTERVAL_MS = 10 * 60_000;

const config = loadConfigOrExit(UsersConfigSchema);
const logger = createLogger({ service: 'ms-users', level: config.LOG_LEVEL });
installCrashHandlers(logger);

try {
  await runMigrations(config.MYSQL_URL, await usersMigrations(), logger);
} catch (error) {
  logger.fatal({ err: error }, 'database migrations failed');
  process.exit(1);
}

const pool = createMysqlPool(config.MYSQL_URL);
const metrics = createServiceMetrics('ms-users');
const rabbit = new RabbitConnection({ url: config.RABBITMQ_URL, logger, connectionName: 'ms-users' });
rabbit.start();
const publisher = new EventPublisher(rabbit, { logger, registry: metrics.registry });
publisher.start();
const relay = new OutboxRelay({
  pool,
  publisher,
  logger,
  registry: metrics.registry,
  pollIntervalMs: config.OUTBOX_POLL_INTERVAL_MS,
});
relay.start();

const lifecycle = new Lifecycle(logger, config.SHUTDOWN_TIMEOUT_MS);
// Revoked tokens (deactivation, password reset, logout) are refused within a second or so.
const revocationChecks = withRevocationChecks(
  rabbit,
  new JwksVerifier({
    jwksUrl: config.AUTH_JWKS_URL,
    issuer: config.AUTH_ISSUER,
    audience: config.AUTH_AUDIENCE,
  }),
  { service: 'ms-users', logger, maxTokenLifetimeSeconds: config.ACCESS_TOKEN_MAX_LIFETIME_SECONDS },
);
const app = buildApp(config, {
  pool,
  logger,
  metrics,
  verifier: revocationChecks.verifier,
  onEventsCommitted: () => relay.notify(),
  isShuttingDown: lifecycle.isShuttingDown,
});
const server = await listen(app, config.HOST, config.PORT);

// Guessed usernames leave throttle rows behind; forget those older than any lock or window.
const throttle = new MysqlLoginThrottleRepository(pool);
const staleAfterMs = Math.max(config.LOGIN_FAILURE_WINDOW_SECONDS, config.LOGIN_LOCK_MAX_SECONDS) * 2000;
const purgeTimer = setInterval(() => {
  throttle.purgeStale(new Date(Date.now() - staleAfterMs)).catch((error: unknown) => {
    logger.warn({ err: error }, 'purging stale login throttle rows failed');
  });
}, THROTTLE_PURGE_INTERVAL_MS);
purgeTimer.unref();

// Steps run in reverse: stop taking requests, then stop relaying, then drop the connections.
lifecycle.onStop('mysql pool', () => pool.end());
lifecycle.onStop('rabbitmq connection', () => rabbit.close());
lifecycle.onStop('event publisher', () => publisher.close());
lifecycle.onStop('revocation feed', () => revocationChecks.feed.stop());
lifecycle.onStop('outbox relay', () => relay.stop());
lifecycle.onStop('throttle purge', async () => clearInterval(purgeTimer));
lifecycle.onStop('http server', () => server.close());
lifecycle.installSignalHandlers();

logger.info({ url: server.url }, 'ms-users listening');
