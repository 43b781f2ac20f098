/** ms-users' routes in the authorization matrix. */
import { randomUUID } from 'node:crypto';
import { MATRIX_PASSWORD } from './constants.js';
import { guarded, outcomes, type RouteCase } from './types.js';

const PEOPLE_OK = (status: number) => ({
  consumerA: status,
  consumerB: status,
  sellerA: status,
  sellerB: status,
  admin: status,
});

/** Scope-guarded internal routes: people's tokens carry no scope, so only the right client gets in. */
const SCOPE_ONLY =
  "People's tokens carry no scope: every person gets 403 insufficient_scope, like a scopeless client.";

export const USERS_ROUTES: RouteCase[] = [
  {
    service: 'ms-users',
    method: 'post',
    path: '/api/users',
    via: 'gateway',
    expect: outcomes(201),
    request: () => {
      const tag = randomUUID().slice(0, 8);
      return {
        path: '/api/users',
        json: {
          role: 'consumer',
          username: `matrix_${tag}`,
          email: `${tag}@matrix.test`,
          companyName: `Matrix ${tag} GmbH`,
          password: MATRIX_PASSWORD,
        },
      };
    },
    note: 'Registration is public: a token changes nothing (each request registers a new account).',
  },
  {
    service: 'ms-users',
    method: 'get',
    path: '/api/users',
    via: 'gateway',
    expect: guarded({ admin: 200 }),
    request: () => ({ path: '/api/users?limit=1' }),
  },
  {
    service: 'ms-users',
    method: 'get',
    path: '/api/users/me',
    via: 'gateway',
    expect: guarded(PEOPLE_OK(200)),
    request: () => ({ path: '/api/users/me' }),
  },
  {
    service: 'ms-users',
    method: 'patch',
    path: '/api/users/me',
    via: 'gateway',
    expect: guarded(PEOPLE_OK(200)),
    request: (_, who) => ({ path: '/api/users/me', json: { displayName: `Matrix ${who}` } }),
  },
  {
    service: 'ms-users',
    method: 'delete',
    path: '/api/users/me',
    via: 'gateway',
    expect: guarded(PEOPLE_OK(204)),
    request: () => ({ path: '/api/users/me' }),
    runLast: true,
    note:
      'Deactivates the caller, so it runs after every other route. The deactivated account cannot ' +
      'deactivate itself again: its token was revoked with the first deactivation.',
  },
  {
    service: 'ms-users',
    method: 'post',
    path: '/api/users/{id}/deactivate',
    via: 'gateway',
    expect: guarded({ admin: 200 }),
    request: async (fixtures, who) => ({
      // The admin deactivates a fresh account; the others aim at a bystander nobody else uses.
      path: `/api/users/${who === 'admin' ? await fixtures.freshAccount() : fixtures.bystander}/deactivate`,
      json: { reason: 'authorization matrix' },
    }),
  },
  {
    service: 'ms-users',
    method: 'get',
    path: '/api/users/sellers/{id}',
    via: 'gateway',
    expect: outcomes(200),
    request: (fixtures) => ({ path: `/api/users/sellers/${fixtures.people.sellerA.id}` }),
  },
  {
    service: 'ms-users',
    method: 'post',
    path: '/api/users/password-reset',
    via: 'gateway',
    expect: outcomes(202),
    request: () => ({
      path: '/api/users/password-reset',
      json: { email: `nobody-${randomUUID()}@matrix.test` },
    }),
    note: 'Public, and 202 whether or not the email belongs to an account (here it belongs to none).',
  },
  {
    service: 'ms-users',
    method: 'post',
    path: '/api/users/password-reset/confirm',
    via: 'gateway',
    expect: outcomes(400),
    request: () => ({
      path: '/api/users/password-reset/confirm',
      json: { token: `not-a-reset-token-${randomUUID()}`, newPassword: MATRIX_PASSWORD },
    }),
    note: 'Public; deliberately minimal: an unknown reset token is 400 invalid_reset_token for everyone.',
  },
  {
    service: 'ms-users',
    method: 'post',
    path: '/internal/users/verify-credentials',
    via: 'direct',
    expect: guarded({}),
    request: () => ({
      path: '/internal/users/verify-credentials',
      json: { username: `nobody_${randomUUID().slice(0, 8)}`, password: MATRIX_PASSWORD },
    }),
    note:
      `${SCOPE_ONLY} users:verify_credentials is minted by ms-auth for itself only (it cannot be ` +
      "obtained from the token endpoint), so even ms-orders' token with all its scopes is refused.",
  },
  {
    service: 'ms-users',
    method: 'get',
    path: '/internal/users/{id}',
    via: 'direct',
    expect: guarded({ serviceWithScope: 200 }),
    request: (fixtures) => ({ path: `/internal/users/${fixtures.people.consumerA.id}` }),
    note: `${SCOPE_ONLY} users:read lets a client read any account.`,
  },
];
