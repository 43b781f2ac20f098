import type { RouteResult, Static } from '@marketshare/platform';
import type { IssuedTokens } from '../../domain/grants/token-request.js';
import { formatScope } from '../../domain/scopes.js';
import { NO_STORE } from '../oauth/oauth-problem.js';
import type { TokenResponse } from './token-schemas.js';

export function presentTokens(issued: IssuedTokens): RouteResult {
  const body: Static<typeof TokenResponse> = {
    access_token: issued.accessToken,
    token_type: 'Bearer',
    expires_in: issued.expiresIn,
    ...(issued.refreshToken === undefined ? {} : { refresh_token: issued.refreshToken }),
    scope: formatScope(issued.scope),
  };
  return { status: 200, body, headers: NO_STORE };
}
