import { RevocationList, createLogger, parseConfig, type ListeningServer } from '@marketshare/platform';
import { createTestMysqlDatabase, serveForTest, type TestMysqlDatabase } from '@marketshare/platform/testing';
import type { RowDataPacket } from '@marketshare/platform/mysql';
import { buildApp, createSigner } from '../../src/app.js';
import { prepareAuthStore } from '../../src/bootstrap.js';
import { authConfigSchema, type AuthConfig } from '../../src/config.js';
import type { SigningKeyRing } from '../../src/domain/keys/signing-key-ring.js';
import type { AccessTokenSigner } from '../../src/domain/tokens/access-token-signer.js';
import { FakeUsersService } from './fake-users-service.js';

export const ISSUER = 'http://127.0.0.1:8080';
export const AUDIENCE = 'marketshare-api';

/** Test secrets, stated rather than taken from the local defaults. */
export const SECRETS = {
  frontend: 'test-secret-frontend-0123456789',
  'ms-users': 'test-secret-ms-users-0123456789',
  'ms-email': 'test-secret-ms-email-0123456789',
  'ms-orders': 'test-secret-ms-orders-0123456789',
  'ms-products': 'test-secret-ms-products-0123456789',
};

export type ClientId = keyof typeof SECRETS;

export interface AuthHarness {
  url: string;
  config: AuthConfig;
  db: TestMysqlDatabase;
  keyRing: SigningKeyRing;
  signer: AccessTokenSigner;
  users: FakeUsersService;
  /** What introspection applies as announced revocations; tests apply them directly (no broker). */
  revocations: RevocationList;
  /** Another ms-auth app on the same database and keys, with some settings changed. */
  startVariant(overrides: Record<string, string>): Promise<ListeningServer>;
  rowCounts(): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

/** What bad requests must leave unchanged. */
const COUNT_QUERIES = {
  families: 'SELECT COUNT(*) AS n FROM refresh_token_families',
  revokedFamilies: 'SELECT COUNT(*) AS n FROM refresh_token_families WHERE revoked_at IS NOT NULL',
  refreshTokens: 'SELECT COUNT(*) AS n FROM refresh_tokens',
  usedRefreshTokens: 'SELECT COUNT(*) AS n FROM refresh_tokens WHERE used_at IS NOT NULL',
  revokedAccessTokens: 'SELECT COUNT(*) AS n FROM revoked_access_tokens',
  signingKeys: 'SELECT COUNT(*) AS n FROM signing_keys',
};

function configFor(db: TestMysqlDatabase, usersUrl: string, overrides: Record<string, string>): AuthConfig {
  return parseConfig(authConfigSchema, {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    PORT: '0',
    MYSQL_URL: db.url,
    USERS_URL: usersUrl,
    AUTH_ISSUER: ISSUER,
    AUTH_AUDIENCE: AUDIENCE,
    CLIENT_SECRET_FRONTEND: SECRETS.frontend,
    CLIENT_SECRET_MS_USERS: SECRETS['ms-users'],
    CLIENT_SECRET_MS_EMAIL: SECRETS['ms-email'],
    CLIENT_SECRET_MS_ORDERS: SECRETS['ms-orders'],
    CLIENT_SECRET_MS_PRODUCTS: SECRETS['ms-products'],
    AUTH_KEY_ENCRYPTION_SECRET: 'test-key-encryption-secret-0123456789',
    ...overrides,
  });
}

/**
 * ms-auth on a fresh database, with a stand-in for ms-users that trusts ms-auth's JWKS.
 * Every test file starts its own, so files do not share tokens or counters.
 */
export async function startAuthHarness(
  prefix: string,
  overrides: Record<string, string> = {},
): Promise<AuthHarness> {
  const db = await createTestMysqlDatabase(prefix);
  const users = await new FakeUsersService().start();
  const logger = createLogger({ service: 'ms-auth-test', level: 'silent' });
  const config = configFor(db, users.url, overrides);
  const keyRing = await prepareAuthStore(config, db.pool);
  const servers: ListeningServer[] = [];
  const revocations = new RevocationList({
    maxTokenLifetimeSeconds: config.ACCESS_TOKEN_MAX_LIFETIME_SECONDS,
  });
  const serve = async (variantConfig: AuthConfig) => {
    const server = await serveForTest(
      buildApp(variantConfig, { pool: db.pool, keyRing, logger, revocations }),
    );
    // A test may close a server itself; stop() closes whatever is left.
    let closing: Promise<void> | undefined;
    const closeOnce: ListeningServer = { ...server, close: () => (closing ??= server.close()) };
    servers.push(closeOnce);
    return closeOnce;
  };
  const main = await serve(config);
  users.trustIssuer({ jwksUrl: `${main.url}/.well-known/jwks.json`, issuer: ISSUER, audience: AUDIENCE });
  return {
    url: main.url,
    config,
    db,
    keyRing,
    signer: createSigner(config, keyRing),
    users,
    revocations,
    startVariant: (variant) => serve(configFor(db, users.url, { ...overrides, ...variant })),
    async rowCounts() {
      const counts: Record<string, number> = {};
      for (const [name, sql] of Object.entries(COUNT_QUERIES)) {
        const [rows] = await db.pool.query<RowDataPacket[]>(sql);
        counts[name] = Number(rows[0]?.['n']);
      }
      return counts;
    },
    async stop() {
      for (const server of servers) await server.close();
      await users.stop();
      await db.drop();
    },
  };
}
