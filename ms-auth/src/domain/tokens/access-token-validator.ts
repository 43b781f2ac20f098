import jwt from 'jsonwebtoken';
import type { RevocationList } from '@marketshare/platform';
import type { RevokedAccessTokensRepository } from '../../store/revoked-access-tokens-repository.js';
import { SIGNING_ALGORITHM, type SigningKeyRing } from '../keys/signing-key-ring.js';
import { ACCESS_TOKEN_TYPE, readAccessTokenClaims, type AccessTokenClaims } from './access-token-claims.js';

export interface AccessTokenValidatorOptions {
  issuer: string;
  audience: string;
  clockToleranceSeconds?: number;
  /** Revocations announced by any service (deactivation, password reset, logout), as the resource servers apply them. */
  revocations?: RevocationList;
}

/**
 * Checks our own access tokens as every resource server does (pinned algorithm, typ, kid,
 * exact iss and aud, exp and nbf with a small leeway) and, for introspection, against the
 * list of tokens revoked before they expired.
 */
export class AccessTokenValidator {
  constructor(
    private readonly keyRing: SigningKeyRing,
    private readonly revoked: RevokedAccessTokensRepository,
    private readonly options: AccessTokenValidatorOptions,
  ) {}

  /** The claims of a genuine, unexpired token, revoked or not; undefined for anything else. */
  async verify(token: string): Promise<AccessTokenClaims | undefined> {
    const decoded = jwt.decode(token, { complete: true });
    if (!decoded || typeof decoded.payload === 'string') return undefined;
    const { alg, typ, kid } = decoded.header;
    if (alg !== SIGNING_ALGORITHM || typ !== ACCESS_TOKEN_TYPE || kid === undefined) return undefined;
    const key = await this.keyRing.verificationKey(kid);
    if (!key) return undefined;
    let payload: string | jwt.JwtPayload;
    try {
      payload = jwt.verify(token, key, {
        algorithms: [SIGNING_ALGORITHM],
        issuer: this.options.issuer,
        audience: this.options.audience,
        clockTolerance: this.options.clockToleranceSeconds ?? 5,
      });
    } catch {
      return undefined;
    }
    return typeof payload === 'string' ? undefined : readAccessTokenClaims(payload);
  }

  /** The claims of a token that is valid now and was not revoked. */
  async activeClaims(token: string): Promise<AccessTokenClaims | undefined> {
    const claims = await this.verify(token);
    if (!claims) return undefined;
    const announced = this.options.revocations?.refusal({
      subject: claims.sub,
      tokenId: claims.jti,
      issuedAt: claims.iat,
      sessionId: claims.sid,
    });
    if (announced !== undefined || (await this.revoked.isRevoked(claims.jti))) return undefined;
    return claims;
  }
}
