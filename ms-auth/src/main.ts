import '@marketshare/platform/telemetry-register';
import {
  Lifecycle,
  createLogger,
  listen,
  loadConfigOrExit,
  installCrashHandlers,
} from '@marketshare/platform';
import { createMysqlPool } from '@marketshare/platform/mysql';
import { buildApp } from './app.js';
import { prepareAuthStore } from './bootstrap.js';
import { authConfigSchema } from './config.js';
import { startMaintenance } from './maintenance.js';

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
  const app = buildApp(config, { pool, keyRing, logger, isShuttingDown: lifecycle.isShuttingDown });
  const server = await listen(app, config.HOST, config.PORT);
  lifecycle.onStop('http', () => server.close());
  logger.info({ url: server.url }, 'ms-auth listening');
} catch (error) {
  logger.fatal({ err: error }, 'ms-auth failed to start');
  await lifecycle.shutdown();
  process.exit(1);
}
