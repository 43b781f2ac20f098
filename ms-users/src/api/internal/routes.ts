import { defineRoute, HttpProblem, type Principal, type Route } from '@marketshare/platform';
import type { AccountService } from '../../domain/accounts.js';
import type { LoginGuard } from '../../domain/credentials.js';
import { LoginThrottledError } from '../../domain/errors.js';
import type { UsersMetrics } from '../../metrics.js';
import { problem, signedIn } from '../users-route.js';
import { INVALID_CREDENTIALS, presentInternalAccount, presentInternalAccountDetail } from './presenters.js';
import {
  InternalAccountDetailView,
  InternalAccountParams,
  VerifyCredentialsBody,
  VerifyCredentialsResult,
} from './schemas.js';

export interface InternalRoutesDeps {
  accounts: AccountService;
  loginGuard: LoginGuard;
  metrics: UsersMetrics;
}

/** Only ms-auth's own client-credentials token may check passwords: the scope alone is not enough. */
const CREDENTIALS_CLIENT = 'ms-auth';

function requireCredentialsClient(principal: Principal): void {
  if (principal.kind !== 'service' || principal.clientId !== CREDENTIALS_CLIENT) {
    throw new HttpProblem(403, 'forbidden_client', 'This client may not verify credentials.');
  }
}

/** Service-to-service routes: never routed by the gateway and left out of the OpenAPI document. */
export function internalRoutes({ accounts, loginGuard, metrics }: InternalRoutesDeps): Route[] {
  return [
    defineRoute({
      method: 'post',
      path: '/internal/users/verify-credentials',
      operationId: 'verifyCredentials',
      summary: 'Check a username (or email) and password for ms-auth',
      internal: true,
      auth: { scopes: ['users:verify_credentials'] },
      body: VerifyCredentialsBody,
      responses: {
        200: { description: 'valid true with the account, or valid false', schema: VerifyCredentialsResult },
        429: problem('Too many failed attempts for this username; see Retry-After'),
      },
      handler: async ({ principal, body }) => {
        requireCredentialsClient(signedIn(principal));
        const check = await loginGuard.verifyCredentials(body.username, body.password);
        metrics.loginChecks.inc({ outcome: check.outcome });
        if (check.outcome === 'throttled') throw new LoginThrottledError(check.retryAfterSeconds);
        if (check.outcome !== 'valid') return { body: INVALID_CREDENTIALS };
        return { body: { valid: true, account: presentInternalAccount(check.account) } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/internal/users/:id',
      operationId: 'getAccountForService',
      summary: 'Id, username, role, status, email and company of an account (for ms-auth and ms-email)',
      internal: true,
      auth: { scopes: ['users:read'] },
      params: InternalAccountParams,
      responses: {
        200: { description: 'The account', schema: InternalAccountDetailView },
        404: problem('No such account'),
      },
      handler: async ({ params }) => ({ body: presentInternalAccountDetail(await accounts.get(params.id)) }),
    }),
  ];
}
