/** ms-auth's routes in the authorization matrix. */
import { outcomes, type RouteCase } from './types.js';

/**
 * The OAuth endpoints authenticate the calling client (HTTP Basic or client_secret_post), not a
 * bearer token: whoever presents only a bearer token is an unauthenticated client.
 */
const CLIENT_AUTHENTICATED =
  'Client-authenticated (HTTP Basic or client_secret_post): a bearer access token is no client ' +
  'credential, so every principal gets 401 invalid_client.';

export const AUTH_ROUTES: RouteCase[] = [
  {
    service: 'ms-auth',
    method: 'post',
    path: '/api/auth/token',
    via: 'gateway',
    expect: outcomes(401),
    request: () => ({ path: '/api/auth/token', form: { grant_type: 'client_credentials' } }),
    note: CLIENT_AUTHENTICATED,
  },
  {
    service: 'ms-auth',
    method: 'post',
    path: '/api/auth/introspect',
    via: 'gateway',
    expect: outcomes(401),
    request: () => ({ path: '/api/auth/introspect', form: { token: 'not-a-token' } }),
    note: CLIENT_AUTHENTICATED,
  },
  {
    service: 'ms-auth',
    method: 'post',
    path: '/api/auth/revoke',
    via: 'gateway',
    expect: outcomes(401),
    request: () => ({ path: '/api/auth/revoke', form: { token: 'not-a-token' } }),
    note: CLIENT_AUTHENTICATED,
  },
  {
    service: 'ms-auth',
    method: 'get',
    path: '/.well-known/jwks.json',
    via: 'gateway',
    expect: outcomes(200),
    request: () => ({ path: '/.well-known/jwks.json' }),
  },
  {
    service: 'ms-auth',
    method: 'get',
    path: '/.well-known/oauth-authorization-server',
    via: 'gateway',
    expect: outcomes(200),
    request: () => ({ path: '/.well-known/oauth-authorization-server' }),
  },
];
