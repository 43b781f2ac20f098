import { fileURLToPath } from 'node:url';
import type { Logger } from '@marketshare/platform';
import { loadMigrations, runMigrations, type Migration, type Pool } from '@marketshare/platform/mysql';
import { OUTBOX_MIGRATION_SQL } from '@marketshare/platform/outbox';
import { clientSecretsFrom, type AuthConfig } from './config.js';
import { syncRegisteredClients } from './domain/clients/client-authentication.js';
import { KeySealer } from './domain/keys/key-sealing.js';
import { SigningKeyRing } from './domain/keys/signing-key-ring.js';
import { ClientsRepository } from './store/clients-repository.js';
import { SigningKeysRepository } from './store/signing-keys-repository.js';

export const MIGRATIONS_DIRECTORY = fileURLToPath(new URL('./store/migrations/', import.meta.url));

/** The platform's outbox table, versioned far above our own files so the numberings never collide. */
const OUTBOX_MIGRATION: Migration = { version: 1000, name: 'platform_outbox', sql: OUTBOX_MIGRATION_SQL };

/** ms-auth's schema: its own migrations and the outbox its revocation events leave through. */
export async function authMigrations(): Promise<Migration[]> {
  return [...(await loadMigrations(MIGRATIONS_DIRECTORY)), OUTBOX_MIGRATION];
}

/** Verifiers may clock-skew and in-flight requests may lag: a superseded key stays published this much longer. */
const RETIREMENT_MARGIN_SECONDS = 60;

export function createKeyRing(pool: Pool, config: AuthConfig): SigningKeyRing {
  return new SigningKeyRing(
    new SigningKeysRepository(pool),
    new KeySealer(config.AUTH_KEY_ENCRYPTION_SECRET),
    {
      // Another instance may sign with the old key until its next reload; its tokens then live a full TTL.
      retireAfterSeconds:
        config.ACCESS_TOKEN_TTL_SECONDS +
        config.SIGNING_KEY_RELOAD_INTERVAL_SECONDS +
        RETIREMENT_MARGIN_SECONDS,
    },
  );
}

/**
 * Everything that must hold before the first request: the schema is current, a signing key
 * exists and is loaded, and the clients table matches the clients registered in code.
 */
export async function prepareAuthStore(
  config: AuthConfig,
  pool: Pool,
  logger?: Logger,
): Promise<SigningKeyRing> {
  await runMigrations(config.MYSQL_URL, await authMigrations(), logger);
  const keyRing = createKeyRing(pool, config);
  await keyRing.bootstrap();
  await syncRegisteredClients(new ClientsRepository(pool), clientSecretsFrom(config));
  logger?.info({ kid: keyRing.activeKey().kid }, 'signing key loaded');
  return keyRing;
}
