import { defineRoute, type RateLimiter, type Route } from '@marketshare/platform';
import type { ClientAuthenticator } from '../../domain/clients/client-authentication.js';
import type { TokenIntrospection } from '../../domain/introspection.js';
import { OAuthError } from '../../domain/oauth-error.js';
import { authenticateClient, valueOf } from '../oauth/client-authentication.js';
import { oauthEndpoint } from '../oauth/oauth-problem.js';
import { OAUTH_ERROR_RESPONSES } from '../oauth/oauth-schemas.js';
import { presentIntrospection } from './introspection-presenter.js';
import { IntrospectionRequestForm, IntrospectionResponse } from './introspection-schemas.js';

/** `POST /api/auth/introspect` (RFC 7662), for authenticated clients. */
export function introspectionRoute(deps: {
  clients: ClientAuthenticator;
  introspection: TokenIntrospection;
  perIpLimit: RateLimiter;
}): Route {
  return oauthEndpoint(
    defineRoute({
      method: 'post',
      path: '/api/auth/introspect',
      operationId: 'introspectToken',
      summary: 'Tell whether a token is active and what it carries (RFC 7662)',
      tags: ['oauth'],
      auth: 'public',
      rateLimit: deps.perIpLimit,
      body: IntrospectionRequestForm,
      bodyFormat: 'form',
      bodyLimitBytes: 16 * 1024,
      responses: {
        200: { description: 'The token state', schema: IntrospectionResponse },
        ...OAUTH_ERROR_RESPONSES,
      },
      handler: async ({ body, ctx }) => {
        const caller = await authenticateClient(deps.clients, ctx.get('authorization'), body);
        const token = valueOf(body.token);
        if (token === undefined) throw new OAuthError('invalid_request', 'The parameter token is required.');
        return presentIntrospection(await deps.introspection.introspect(caller, token));
      },
    }),
  );
}
