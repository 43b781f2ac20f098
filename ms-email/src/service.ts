import {
  ClientCredentialsTokenSource,
  createServiceMetrics,
  InternalHttpClient,
} from '@marketshare/platform';
import type { Logger, ServiceMetrics } from '@marketshare/platform';
import { createMysqlPool, loadMigrations, runMigrations } from '@marketshare/platform/mysql';
import type { Pool } from '@marketshare/platform/mysql';
import { startPruning } from '@marketshare/platform/outbox';
import { RabbitConnection } from '@marketshare/platform/rabbit';
import type { EventConsumer } from '@marketshare/platform/rabbit';
import { buildApp } from './app.js';
import type { Config } from './config.js';
import { NotificationService } from './domain/deliver-notification.js';
import { createNotificationsConsumer } from './events/notifications-consumer.js';
import { maxSendDurationMs, SmtpMailSender } from './mail/smtp-sender.js';
import { createEmailMetrics } from './metrics.js';
import { migrationsDirectory, MysqlDeliveryLog } from './store/delivery-log.js';
import { UsersDirectory } from './upstream/users-directory.js';

/** An account lookup slower than this is retried later through the broker's back-off. */
const USERS_TIMEOUT_MS = 3_000;

export interface StopStep {
  name: string;
  run: () => Promise<void>;
}

/** Every part of a running ms-email, for the process entry point and for tests. */
export interface EmailService {
  app: ReturnType<typeof buildApp>;
  metrics: ServiceMetrics;
  pool: Pool;
  deliveryLog: MysqlDeliveryLog;
  connection: RabbitConnection;
  consumer: EventConsumer;
  sender: SmtpMailSender;
  /** in the order they run: consumer (drains in-flight sends), pruning, broker, SMTP, MySQL */
  stopSteps: StopStep[];
  stop(): Promise<void>;
}

export interface EmailServiceOptions {
  logger: Logger;
  isShuttingDown?: () => boolean;
  /** prom-client default process metrics (off in tests that build several services) */
  defaultMetrics?: boolean;
}

/**
 * Connects and starts ms-email: migrates the database, opens the SMTP transport and starts
 * consuming. RabbitMQ is connected in the background and healed by the platform, so a
 * broker that is down at start delays consumption instead of failing the process.
 */
export async function startEmailService(config: Config, options: EmailServiceOptions): Promise<EmailService> {
  const { logger } = options;
  await runMigrations(config.MYSQL_URL, await loadMigrations(migrationsDirectory), logger);
  const pool = createMysqlPool(config.MYSQL_URL);
  const metrics = createServiceMetrics('ms-email', { defaultMetrics: options.defaultMetrics ?? true });
  const deliveryLog = new MysqlDeliveryLog(pool);
  const senderOptions = { url: config.SMTP_URL, from: config.MAIL_FROM };
  const sender = new SmtpMailSender(senderOptions);
  const tokens = new ClientCredentialsTokenSource({
    tokenUrl: config.AUTH_TOKEN_URL,
    clientId: config.SERVICE_CLIENT_ID,
    clientSecret: config.SERVICE_CLIENT_SECRET,
    scope: 'users:read',
    registry: metrics.registry,
  });
  const directory = new UsersDirectory(
    new InternalHttpClient({
      name: 'users',
      upstream: 'ms-users',
      baseUrl: config.USERS_URL,
      tokens,
      timeoutMs: USERS_TIMEOUT_MS,
      registry: metrics.registry,
    }),
    { cacheTtlMs: config.USERS_CACHE_TTL_MS },
  );
  const service = new NotificationService({
    log: deliveryLog,
    directory,
    sender,
    metrics: createEmailMetrics(metrics.registry),
    templates: { publicUrl: config.PUBLIC_URL.replace(/\/+$/, '') },
    logger: logger.child({ component: 'notifications' }),
    claimLeaseMs: 2 * maxSendDurationMs(senderOptions),
  });
  const connection = new RabbitConnection({ url: config.RABBITMQ_URL, logger, connectionName: 'ms-email' });
  const consumer = createNotificationsConsumer(connection, {
    service,
    logger,
    registry: metrics.registry,
    maxAttempts: config.EMAIL_MAX_ATTEMPTS,
    retryDelaysMs: config.EMAIL_RETRY_DELAYS_MS,
    prefetch: config.EMAIL_PREFETCH,
    // Leave part of the shutdown budget for closing the broker, SMTP and MySQL after it.
    stopTimeoutMs: Math.max(1_000, config.SHUTDOWN_TIMEOUT_MS - 2_000),
    // Above the slowest legitimate delivery (account lookup, then an SMTP send that uses every
    // one of its own timeouts), so only a handler that is truly stuck is given up on. Below the
    // claim lease, so a retry after a timeout finds the late send still 'busy', never sends twice.
    handlerTimeoutMs: USERS_TIMEOUT_MS + maxSendDurationMs(senderOptions) + 5_000,
  });
  const app = buildApp(config, {
    logger,
    metrics,
    pool,
    isConsuming: () => connection.isConnected() && consumer.isConsuming(),
    ...(options.isShuttingDown ? { isShuttingDown: options.isShuttingDown } : {}),
  });
  connection.start();
  consumer.start();
  sender.verify().then(
    () => logger.info('SMTP server reachable'),
    (error: unknown) => logger.warn({ err: error }, 'SMTP server not reachable yet; emails will be retried'),
  );

  const pruning = startPruning({
    name: 'email_deliveries',
    prune: () => deliveryLog.prune(config.DEDUP_RETENTION_HOURS * 3600_000),
    logger,
  });

  const stopSteps: StopStep[] = [
    { name: 'notifications consumer', run: () => consumer.stop() },
    { name: 'delivery log pruning', run: () => pruning.stop() },
    { name: 'rabbitmq connection', run: () => connection.close() },
    { name: 'smtp transport', run: async () => sender.close() },
    { name: 'mysql pool', run: () => pool.end() },
  ];
  let stopped: Promise<void> | undefined;
  return {
    app,
    metrics,
    pool,
    deliveryLog,
    connection,
    consumer,
    sender,
    stopSteps,
    stop() {
      stopped ??= (async () => {
        for (const step of stopSteps) await step.run();
      })();
      return stopped;
    },
  };
}
