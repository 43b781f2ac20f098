import { isRole, type Role } from '@marketshare/platform';

/** The claims of every access token (RFC 9068 profile). `role` is present for people only. */
export interface AccessTokenClaims {
  iss: string;
  aud: string;
  sub: string;
  client_id: string;
  /** Space-separated. */
  scope: string;
  role?: Role;
  iat: number;
  nbf: number;
  exp: number;
  jti: string;
  /** The sign-in (refresh-token family) the token was minted for; absent without one. */
  sid?: string;
}

export const ACCESS_TOKEN_TYPE = 'at+jwt';

/** Reads verified JWT claims; anything not shaped like our tokens is refused. */
export function readAccessTokenClaims(payload: Record<string, unknown>): AccessTokenClaims | undefined {
  const { iss, aud, sub, client_id: clientId, scope, role, iat, nbf, exp, jti, sid } = payload;
  if (typeof iss !== 'string' || typeof aud !== 'string' || typeof sub !== 'string') return undefined;
  if (typeof clientId !== 'string' || typeof scope !== 'string' || typeof jti !== 'string') return undefined;
  if (typeof iat !== 'number' || typeof nbf !== 'number' || typeof exp !== 'number') return undefined;
  if (role !== undefined && !isRole(role)) return undefined;
  if (sid !== undefined && typeof sid !== 'string') return undefined;
  return {
    iss,
    aud,
    sub,
    client_id: clientId,
    scope,
    ...(role === undefined ? {} : { role }),
    iat,
    nbf,
    exp,
    jti,
    ...(sid === undefined ? {} : { sid }),
  };
}

/** A compact JWS has three dot-separated parts; our refresh tokens have none. */
export function looksLikeJwt(token: string): boolean {
  return token.split('.').length === 3;
}
