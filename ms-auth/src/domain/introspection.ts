import type { Client } from './clients/registered-clients.js';
import { looksLikeJwt, type AccessTokenClaims } from './tokens/access-token-claims.js';
import type { AccessTokenValidator } from './tokens/access-token-validator.js';
import type { RefreshTokenFamilies } from './tokens/refresh-token-families.js';

export type Introspection =
  | { active: false }
  | { active: true; tokenType: 'access_token'; claims: AccessTokenClaims }
  | {
      active: true;
      tokenType: 'refresh_token';
      subject: string;
      clientId: string;
      scope: string[];
      issuedAt: Date;
      expiresAt: Date;
    };

const INACTIVE: Introspection = { active: false };

/**
 * RFC 7662. Our two token kinds cannot be mistaken for each other (a JWT has dots, a
 * refresh token has none), so `token_type_hint` is not needed to find a token.
 */
export class TokenIntrospection {
  constructor(
    private readonly accessTokens: AccessTokenValidator,
    private readonly families: RefreshTokenFamilies,
  ) {}

  async introspect(caller: Client, token: string): Promise<Introspection> {
    if (looksLikeJwt(token)) {
      // Any authenticated client may introspect an access token: resource servers do.
      const claims = await this.accessTokens.activeClaims(token);
      return claims ? { active: true, tokenType: 'access_token', claims } : INACTIVE;
    }
    // A refresh token is the business of the client it was issued to, and no one else's.
    const record = await this.families.describeLive(token, caller.id);
    if (!record) return INACTIVE;
    return {
      active: true,
      tokenType: 'refresh_token',
      subject: record.subject,
      clientId: record.clientId,
      scope: record.scope,
      issuedAt: record.issuedAt,
      expiresAt: record.expiresAt,
    };
  }
}
