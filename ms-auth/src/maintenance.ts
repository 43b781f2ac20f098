import type { Logger } from '@marketshare/platform';
import type { Pool } from '@marketshare/platform/mysql';
import type { AuthConfig } from './config.js';
import type { SigningKeyRing } from './domain/keys/signing-key-ring.js';
import { RefreshTokensRepository } from './store/refresh-tokens-repository.js';
import { RevokedAccessTokensRepository } from './store/revoked-access-tokens-repository.js';

const PURGE_INTERVAL_MS = 60 * 60_000;
/** Sealed successors are useless once their grace ends; they are erased within about a minute. */
const SUCCESSOR_ERASE_INTERVAL_MS = 60_000;
/** Beyond the verifiers' clock leeway, so a row is never purged while its token could still pass. */
const PURGE_MARGIN_MS = 5 * 60_000;

/**
 * Background upkeep of one instance: reread the signing keys (a rotation made elsewhere is
 * picked up), delete rows of tokens that have expired, and erase sealed refresh-token
 * successors whose reuse grace has ended. Returns the function that stops it.
 */
export function startMaintenance(
  config: AuthConfig,
  deps: { pool: Pool; keyRing: SigningKeyRing; logger: Logger },
): () => void {
  const families = new RefreshTokensRepository(deps.pool);
  const revoked = new RevokedAccessTokensRepository(deps.pool);
  const reload = setInterval(() => {
    deps.keyRing
      .reload()
      .catch((error: unknown) => deps.logger.warn({ err: error }, 'signing key reload failed'));
  }, config.SIGNING_KEY_RELOAD_INTERVAL_SECONDS * 1000);
  const purge = setInterval(() => {
    const before = new Date(Date.now() - PURGE_MARGIN_MS);
    Promise.all([families.purgeExpired(before), revoked.purgeExpired(before)])
      .then(([familyCount, revokedCount]) =>
        deps.logger.info(
          { families: familyCount, revoked_access_tokens: revokedCount },
          'purged expired tokens',
        ),
      )
      .catch((error: unknown) => deps.logger.warn({ err: error }, 'token purge failed'));
  }, PURGE_INTERVAL_MS);
  const erase = setInterval(() => {
    families
      .eraseLapsedSuccessors(new Date())
      .catch((error: unknown) =>
        deps.logger.warn({ err: error }, 'erasing lapsed refresh successors failed'),
      );
  }, SUCCESSOR_ERASE_INTERVAL_MS);
  reload.unref();
  purge.unref();
  erase.unref();
  return () => {
    clearInterval(reload);
    clearInterval(purge);
    clearInterval(erase);
  };
}
