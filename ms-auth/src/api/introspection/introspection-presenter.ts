import type { RouteResult, Static } from '@marketshare/platform';
import type { Introspection } from '../../domain/introspection.js';
import { formatScope } from '../../domain/scopes.js';
import { NO_STORE } from '../oauth/oauth-problem.js';
import type { IntrospectionResponse } from './introspection-schemas.js';

const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

function body(result: Introspection): Static<typeof IntrospectionResponse> {
  if (!result.active) return { active: false };
  if (result.tokenType === 'refresh_token') {
    return {
      active: true,
      token_type: 'refresh_token',
      sub: result.subject,
      client_id: result.clientId,
      scope: formatScope(result.scope),
      iat: seconds(result.issuedAt),
      exp: seconds(result.expiresAt),
    };
  }
  const { claims } = result;
  return {
    active: true,
    token_type: 'access_token',
    sub: claims.sub,
    client_id: claims.client_id,
    scope: claims.scope,
    ...(claims.role === undefined ? {} : { role: claims.role }),
    exp: claims.exp,
    iat: claims.iat,
    nbf: claims.nbf,
    iss: claims.iss,
    aud: claims.aud,
    jti: claims.jti,
  };
}

export function presentIntrospection(result: Introspection): RouteResult {
  return { status: 200, body: body(result), headers: NO_STORE };
}
