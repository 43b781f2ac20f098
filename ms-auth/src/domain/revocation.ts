import { EventTypes, newEnvelope } from '@marketshare/platform/contracts';
import type { RevokedAccessTokensRepository } from '../store/revoked-access-tokens-repository.js';
import type { Client } from './clients/registered-clients.js';
import { looksLikeJwt } from './tokens/access-token-claims.js';
import type { AccessTokenValidator } from './tokens/access-token-validator.js';
import type { RefreshTokenFamilies } from './tokens/refresh-token-families.js';

/**
 * RFC 7009. A client revokes only its own tokens; anything else (unknown, expired, another
 * client's) is ignored without saying so, so the endpoint reveals nothing.
 */
export class TokenRevocation {
  constructor(
    private readonly accessTokens: AccessTokenValidator,
    private readonly revokedAccessTokens: RevokedAccessTokensRepository,
    private readonly families: RefreshTokenFamilies,
  ) {}

  async revoke(caller: Client, token: string): Promise<void> {
    if (!looksLikeJwt(token)) {
      await this.families.revokeByToken(token, caller.id);
      return;
    }
    const claims = await this.accessTokens.verify(token);
    if (!claims || claims.client_id !== caller.id) return;
    // Kept until the token would have expired anyway; then the signature check refuses it.
    // The event carries the revocation to the services that verify tokens themselves.
    const revokedAt = new Date();
    const expiresAt = new Date(claims.exp * 1000);
    await this.revokedAccessTokens.add(
      { jti: claims.jti, clientId: claims.client_id, expiresAt, revokedAt },
      [
        newEnvelope(
          EventTypes.AuthTokenRevoked,
          { jti: claims.jti, subject: claims.sub, expiresAt: expiresAt.toISOString() },
          revokedAt,
        ),
      ],
    );
  }
}
