import { defineRoute, type RateLimiter, type Route } from '@marketshare/platform';
import type { ClientAuthenticator } from '../../domain/clients/client-authentication.js';
import { OAuthError } from '../../domain/oauth-error.js';
import type { TokenRevocation } from '../../domain/revocation.js';
import { authenticateClient, valueOf } from '../oauth/client-authentication.js';
import { NO_STORE, oauthEndpoint } from '../oauth/oauth-problem.js';
import { OAUTH_ERROR_RESPONSES } from '../oauth/oauth-schemas.js';
import { RevocationRequestForm } from './revocation-schemas.js';

/** `POST /api/auth/revoke` (RFC 7009): logout. Answers 200 whether or not the token was known. */
export function revocationRoute(deps: {
  clients: ClientAuthenticator;
  revocation: TokenRevocation;
  perIpLimit: RateLimiter;
}): Route {
  return oauthEndpoint(
    defineRoute({
      method: 'post',
      path: '/api/auth/revoke',
      operationId: 'revokeToken',
      summary: 'Revoke a refresh token (its whole sign-in) or an access token (RFC 7009)',
      tags: ['oauth'],
      auth: 'public',
      rateLimit: deps.perIpLimit,
      body: RevocationRequestForm,
      bodyFormat: 'form',
      bodyLimitBytes: 16 * 1024,
      responses: { 200: { description: 'Revoked, or nothing to revoke' }, ...OAUTH_ERROR_RESPONSES },
      handler: async ({ body, ctx }) => {
        const caller = await authenticateClient(deps.clients, ctx.get('authorization'), body);
        const token = valueOf(body.token);
        if (token === undefined) throw new OAuthError('invalid_request', 'The parameter token is required.');
        await deps.revocation.revoke(caller, token);
        return { status: 200, body: '', headers: NO_STORE };
      },
    }),
  );
}
