import { HttpProblem, defineRoute, type RateLimiter, type Route } from '@marketshare/platform';
import type { AuthMetrics } from '../../domain/auth-metrics.js';
import type { ClientAuthenticator } from '../../domain/clients/client-authentication.js';
import type { TokenGrants } from '../../domain/grants/token-grants.js';
import { authenticateClient } from '../oauth/client-authentication.js';
import type { ClientRateLimit } from '../oauth/client-rate-limit.js';
import { asOAuthError, oauthEndpoint } from '../oauth/oauth-problem.js';
import { OAUTH_ERROR_RESPONSES } from '../oauth/oauth-schemas.js';
import { presentTokens } from './token-presenter.js';
import { grantTypeLabel, parseTokenRequest } from './token-request-parser.js';
import { TokenRequestForm, TokenResponse } from './token-schemas.js';

/** The `error` label: the RFC 6749 code, or what else stopped the request. */
function refusalLabel(error: unknown): string {
  const refusal = asOAuthError(error);
  if (refusal) return refusal.code;
  return error instanceof HttpProblem && error.status === 429 ? 'rate_limited' : 'server_error';
}

export interface TokenRouteDeps {
  clients: ClientAuthenticator;
  grants: TokenGrants;
  metrics: AuthMetrics;
  perIpLimit: RateLimiter;
  perClientLimit: ClientRateLimit;
}

/** `POST /api/auth/token` (RFC 6749 §3.2): the password, refresh_token and client_credentials grants. */
export function tokenRoute(deps: TokenRouteDeps): Route {
  return oauthEndpoint(
    defineRoute({
      method: 'post',
      path: '/api/auth/token',
      operationId: 'issueToken',
      summary: 'Issue tokens (client authenticated with HTTP Basic or client_secret_post)',
      tags: ['oauth'],
      auth: 'public',
      rateLimit: deps.perIpLimit,
      body: TokenRequestForm,
      bodyFormat: 'form',
      bodyLimitBytes: 16 * 1024,
      responses: {
        200: { description: 'Tokens (Cache-Control: no-store)', schema: TokenResponse },
        ...OAUTH_ERROR_RESPONSES,
      },
      handler: async ({ body, ctx }) => {
        try {
          const client = await authenticateClient(deps.clients, ctx.get('authorization'), body);
          deps.perClientLimit.hit(client.id);
          const issued = await deps.grants.grant(client, parseTokenRequest(body));
          deps.metrics.tokenIssued(issued.grantType);
          return presentTokens(issued);
        } catch (error) {
          // Refusals the platform raises before this handler (a repeated parameter) are not counted here.
          deps.metrics.tokenRefused(grantTypeLabel(body), refusalLabel(error));
          throw error;
        }
      },
    }),
  );
}
