import type Koa from 'koa';
import {
  createServiceApp,
  type AppState,
  type Logger,
  type ServiceMetrics,
  type TokenVerifier,
} from '@marketshare/platform';
import type { Pool } from '@marketshare/platform/mysql';
import { accountRoutes } from './api/accounts/routes.js';
import { accountSearchRoute } from './api/accounts/search-route.js';
import { internalRoutes } from './api/internal/routes.js';
import { passwordResetRoutes } from './api/password-reset/routes.js';
import { sellerRoutes } from './api/sellers/routes.js';
import { toHttpError } from './api/users-route.js';
import type { UsersConfig } from './config.js';
import { AccountSearch } from './domain/account-search.js';
import { AccountService } from './domain/accounts.js';
import { LoginGuard } from './domain/credentials.js';
import { PasswordHasher } from './domain/passwords.js';
import { PasswordResetService } from './domain/password-reset.js';
import type { Clock } from './domain/ports.js';
import { createUsersMetrics } from './metrics.js';
import { MysqlAccountRepository } from './store/account-repository.js';
import { MysqlAccountSearchRepository } from './store/account-search-repository.js';
import { MysqlPasswordResetRepository } from './store/reset-token-repository.js';
import { MysqlLoginThrottleRepository } from './store/throttle-repository.js';

export interface AppDeps {
  pool: Pool;
  logger: Logger;
  metrics: ServiceMetrics;
  verifier: TokenVerifier;
  /** Told when a transaction with events committed, so the outbox relay sends them at once. */
  onEventsCommitted?: () => void;
  isShuttingDown?: () => boolean;
  clock?: Clock;
}

/** The ms-users Koa app: wires the store into the use cases and the use cases into routes. */
export function buildApp(config: UsersConfig, deps: AppDeps): Koa<AppState> {
  const clock = deps.clock ?? (() => new Date());
  const accountsRepository = new MysqlAccountRepository(deps.pool, deps.onEventsCommitted);
  const hasher = new PasswordHasher(config.BCRYPT_COST);
  const loginGuard = new LoginGuard({
    accounts: accountsRepository,
    throttle: new MysqlLoginThrottleRepository(deps.pool),
    hasher,
    clock,
    settings: {
      maxFailures: config.LOGIN_MAX_FAILURES,
      failureWindowMs: config.LOGIN_FAILURE_WINDOW_SECONDS * 1000,
      initialLockMs: config.LOGIN_LOCK_INITIAL_SECONDS * 1000,
      maxLockMs: config.LOGIN_LOCK_MAX_SECONDS * 1000,
    },
  });
  const accounts = new AccountService({ accounts: accountsRepository, hasher, loginGuard, clock });
  const resets = new PasswordResetService({
    accounts: accountsRepository,
    resets: new MysqlPasswordResetRepository(deps.pool, deps.onEventsCommitted),
    hasher,
    clock,
    publicUrl: config.PUBLIC_URL,
    tokenTtlMs: config.PASSWORD_RESET_TTL_SECONDS * 1000,
  });
  const metrics = createUsersMetrics(deps.metrics.registry);

  return createServiceApp({
    apiName: 'users',
    title: 'Marketshare users',
    translateError: toHttpError,
    logger: deps.logger,
    metrics: deps.metrics,
    verifier: deps.verifier,
    bodyLimitBytes: config.BODY_LIMIT_BYTES,
    isShuttingDown: deps.isShuttingDown,
    readiness: {
      // No RabbitMQ check: events wait in the outbox, so sign-up rides out a broker outage.
      mysql: () => deps.pool.query('SELECT 1'),
    },
    routes: [
      ...accountRoutes({
        accounts,
        metrics,
        registrationsPerHourPerClient: config.REGISTER_RATE_LIMIT_PER_HOUR,
      }),
      accountSearchRoute({ search: new AccountSearch(new MysqlAccountSearchRepository(deps.pool)) }),
      ...sellerRoutes({ accounts }),
      ...passwordResetRoutes({ resets, requestsPerHourPerClient: config.PASSWORD_RESET_RATE_LIMIT_PER_HOUR }),
      ...internalRoutes({ accounts, loginGuard, metrics }),
    ],
  });
}
