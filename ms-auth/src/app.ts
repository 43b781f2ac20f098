import {
  InternalHttpClient,
  createServiceApp,
  createServiceMetrics,
  fixedWindowRateLimit,
  type Logger,
  type RevocationList,
  type ServiceMetrics,
} from '@marketshare/platform';
import type { Pool } from '@marketshare/platform/mysql';
import { jwksRoute, metadataRoute } from './api/discovery/discovery-routes.js';
import { introspectionRoute } from './api/introspection/introspection-route.js';
import { ClientRateLimit } from './api/oauth/client-rate-limit.js';
import { routerRefusalsInOAuthForm } from './api/oauth/oauth-problem.js';
import { revocationRoute } from './api/revocation/revocation-route.js';
import { tokenRoute } from './api/token/token-route.js';
import type { AuthConfig } from './config.js';
import { ClientAuthenticator } from './domain/clients/client-authentication.js';
import { TokenGrants } from './domain/grants/token-grants.js';
import { TokenIntrospection } from './domain/introspection.js';
import type { SigningKeyRing } from './domain/keys/signing-key-ring.js';
import { TokenRevocation } from './domain/revocation.js';
import { AccessTokenSigner } from './domain/tokens/access-token-signer.js';
import { AccessTokenValidator } from './domain/tokens/access-token-validator.js';
import { RefreshTokenFamilies } from './domain/tokens/refresh-token-families.js';
import { SelfTokenSource } from './domain/tokens/self-token-source.js';
import { SuccessorSealer } from './domain/tokens/successor-sealing.js';
import { prometheusAuthMetrics } from './observability/prometheus-auth-metrics.js';
import { ClientsRepository } from './store/clients-repository.js';
import { RefreshTokensRepository } from './store/refresh-tokens-repository.js';
import { RevokedAccessTokensRepository } from './store/revoked-access-tokens-repository.js';
import { UsersDirectory } from './upstream/users-directory.js';

export interface AppDeps {
  pool: Pool;
  /** Bootstrapped (see prepareAuthStore). */
  keyRing: SigningKeyRing;
  logger: Logger;
  metrics?: ServiceMetrics;
  isShuttingDown?: () => boolean;
  /** Told when a transaction with events committed, so the outbox relay sends them at once. */
  onEventsCommitted?: () => void;
  /** What introspection applies besides its own table: every service's announced revocations. */
  revocations?: RevocationList;
}

export function createSigner(config: AuthConfig, keyRing: SigningKeyRing): AccessTokenSigner {
  return new AccessTokenSigner(keyRing, {
    issuer: config.AUTH_ISSUER,
    audience: config.AUTH_AUDIENCE,
    ttlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
  });
}

/** The ms-auth Koa app. It never listens: main.ts and the tests do. */
export function buildApp(config: AuthConfig, deps: AppDeps): ReturnType<typeof createServiceApp> {
  const metrics = deps.metrics ?? createServiceMetrics('ms-auth');
  const authMetrics = prometheusAuthMetrics(metrics.registry);
  const signer = createSigner(config, deps.keyRing);
  const users = new UsersDirectory(
    new InternalHttpClient({
      name: 'users',
      upstream: 'ms-users',
      baseUrl: config.USERS_URL,
      tokens: new SelfTokenSource(signer),
      registry: metrics.registry,
    }),
  );
  const families = new RefreshTokenFamilies(
    new RefreshTokensRepository(deps.pool, deps.onEventsCommitted),
    authMetrics,
    {
      idleTtlSeconds: config.REFRESH_TOKEN_TTL_SECONDS,
      absoluteTtlSeconds: config.REFRESH_TOKEN_ABSOLUTE_TTL_SECONDS,
      reuseGraceSeconds: config.REFRESH_REUSE_GRACE_SECONDS,
    },
    new SuccessorSealer(config.AUTH_KEY_ENCRYPTION_SECRET),
  );
  const revokedAccessTokens = new RevokedAccessTokensRepository(deps.pool, deps.onEventsCommitted);
  const validator = new AccessTokenValidator(deps.keyRing, revokedAccessTokens, {
    issuer: config.AUTH_ISSUER,
    audience: config.AUTH_AUDIENCE,
    ...(deps.revocations ? { revocations: deps.revocations } : {}),
  });
  const clients = new ClientAuthenticator(new ClientsRepository(deps.pool));
  const perIpLimit = fixedWindowRateLimit({
    windowMs: 60_000,
    max: config.TOKEN_RATE_LIMIT_PER_IP_PER_MINUTE,
  });

  // The OAuth endpoints: every refusal on their paths speaks RFC 6749, the router's 405 too.
  const oauthRoutes = [
    tokenRoute({
      clients,
      grants: new TokenGrants({
        signer,
        families,
        accounts: users,
        ...(deps.revocations ? { revocations: deps.revocations } : {}),
      }),
      metrics: authMetrics,
      perIpLimit,
      perClientLimit: new ClientRateLimit({
        windowMs: 60_000,
        max: config.TOKEN_RATE_LIMIT_PER_CLIENT_PER_MINUTE,
      }),
    }),
    introspectionRoute({ clients, introspection: new TokenIntrospection(validator, families), perIpLimit }),
    revocationRoute({
      clients,
      revocation: new TokenRevocation(validator, revokedAccessTokens, families),
      perIpLimit,
    }),
  ];

  return createServiceApp({
    apiName: 'auth',
    title: 'Marketshare ms-auth',
    logger: deps.logger,
    metrics,
    verifier: undefined,
    bodyLimitBytes: config.BODY_LIMIT_BYTES,
    ...(deps.isShuttingDown ? { isShuttingDown: deps.isShuttingDown } : {}),
    readiness: {
      mysql: () => deps.pool.query('SELECT 1'),
      signing_key: async () => {
        if (!deps.keyRing.hasActiveKey()) throw new Error('no active signing key loaded');
      },
    },
    routes: [...oauthRoutes, jwksRoute(deps.keyRing), metadataRoute(config.AUTH_ISSUER)],
    translateError: routerRefusalsInOAuthForm(new Set(oauthRoutes.map((route) => route.spec.path))),
  });
}
