import '@marketshare/platform/telemetry-register';
import { createLogger, Lifecycle, listen, installCrashHandlers } from '@marketshare/platform';
import { loadConfig } from './config.js';
import { startEmailService } from './service.js';

const config = loadConfig();
const logger = createLogger({ service: 'ms-email', level: config.LOG_LEVEL });
installCrashHandlers(logger);
const lifecycle = new Lifecycle(logger, config.SHUTDOWN_TIMEOUT_MS);

try {
  const service = await startEmailService(config, { logger, isShuttingDown: lifecycle.isShuttingDown });
  // Lifecycle runs its steps last-added first: HTTP closes, then the service's steps in order.
  for (const step of [...service.stopSteps].reverse()) lifecycle.onStop(step.name, step.run);
  const server = await listen(service.app, config.HOST, config.PORT);
  lifecycle.onStop('http server', () => server.close());
  lifecycle.installSignalHandlers();
  logger.info({ url: server.url }, 'ms-email listening');
} catch (error) {
  logger.fatal({ err: error }, 'ms-email failed to start');
  await lifecycle.shutdown();
  process.exit(1);
}
