// Rotates the signing key: `npm run -w ms-auth rotate-signing-key` (same environment as the service).
// Running instances pick the new key up within SIGNING_KEY_RELOAD_INTERVAL_SECONDS.
import { createLogger, loadConfigOrExit } from '@marketshare/platform';
import { createMysqlPool } from '@marketshare/platform/mysql';
import { prepareAuthStore } from './bootstrap.js';
import { authConfigSchema } from './config.js';

const config = loadConfigOrExit(authConfigSchema);
const logger = createLogger({ service: 'ms-auth-rotate-key', level: config.LOG_LEVEL });
const pool = createMysqlPool(config.MYSQL_URL, { connectionLimit: 2 });
try {
  const keyRing = await prepareAuthStore(config, pool, logger);
  const previous = keyRing.activeKey().kid;
  const kid = await keyRing.rotate();
  logger.info({ previous_kid: previous, kid }, 'signing key rotated');
} finally {
  await pool.end();
}
