import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Role } from '@marketshare/platform';
import { SIGNING_ALGORITHM, type SigningKeyRing } from '../keys/signing-key-ring.js';
import { formatScope } from '../scopes.js';
import { ACCESS_TOKEN_TYPE, type AccessTokenClaims } from './access-token-claims.js';

/** Whom a token is for: an account (with its role) or a service client. */
export interface TokenSubject {
  subject: string;
  clientId: string;
  scopes: readonly string[];
  role?: Role;
  /** The refresh-token family the token belongs to: a logout revokes its tokens by it. */
  sessionId?: string;
}

export interface IssuedAccessToken {
  token: string;
  expiresIn: number;
  claims: AccessTokenClaims;
}

export interface AccessTokenSignerOptions {
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

/** Signs access tokens with the active key of the ring: `{alg: ES256, typ: at+jwt, kid}`. */
export class AccessTokenSigner {
  constructor(
    private readonly keyRing: SigningKeyRing,
    private readonly options: AccessTokenSignerOptions,
  ) {}

  get ttlSeconds(): number {
    return this.options.ttlSeconds;
  }

  issue(subject: TokenSubject): IssuedAccessToken {
    const now = Math.floor(Date.now() / 1000);
    const claims: AccessTokenClaims = {
      iss: this.options.issuer,
      aud: this.options.audience,
      sub: subject.subject,
      client_id: subject.clientId,
      scope: formatScope(subject.scopes),
      ...(subject.role === undefined ? {} : { role: subject.role }),
      iat: now,
      nbf: now,
      exp: now + this.options.ttlSeconds,
      jti: randomUUID(),
      ...(subject.sessionId === undefined ? {} : { sid: subject.sessionId }),
    };
    return { token: this.signClaims(claims), expiresIn: this.options.ttlSeconds, claims };
  }

  /**
   * Signs exactly these claims. Tokens are issued through `issue`; this is public so tests
   * can mint expired or foreign-audience tokens with the real key.
   */
  signClaims(claims: AccessTokenClaims): string {
    const { kid, privateKey } = this.keyRing.activeKey();
    return jwt.sign(claims, privateKey, {
      algorithm: SIGNING_ALGORITHM,
      header: { alg: SIGNING_ALGORITHM, typ: ACCESS_TOKEN_TYPE, kid },
    });
  }
}
