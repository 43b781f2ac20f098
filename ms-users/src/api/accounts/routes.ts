import { defineRoute, fixedWindowRateLimit, type AuthPolicy, type Route } from '@marketshare/platform';
import type { AccountService } from '../../domain/accounts.js';
import type { UsersMetrics } from '../../metrics.js';
import { problem, signedIn } from '../users-route.js';
import { presentAccount, presentAccountForAdmin } from './presenters.js';
import {
  AccountIdParams,
  AccountView,
  AdminAccountView,
  DeactivateBody,
  RegisterBody,
  UpdateOwnBody,
} from './schemas.js';

export interface AccountRoutesDeps {
  accounts: AccountService;
  metrics: UsersMetrics;
  registrationsPerHourPerClient: number;
}

const ANYONE_SIGNED_IN: AuthPolicy = { roles: ['seller', 'consumer', 'admin'] };
const TAGS = ['accounts'];

export function accountRoutes({
  accounts,
  metrics,
  registrationsPerHourPerClient,
}: AccountRoutesDeps): Route[] {
  const registrationLimit = fixedWindowRateLimit({ windowMs: 3_600_000, max: registrationsPerHourPerClient });
  return [
    defineRoute({
      method: 'post',
      path: '/api/users',
      operationId: 'register',
      summary: 'Register a seller or consumer account',
      tags: TAGS,
      auth: 'public',
      rateLimit: registrationLimit,
      body: RegisterBody,
      responses: {
        201: { description: 'Registered', schema: AccountView },
        400: problem('Invalid input or password refused by the policy'),
        409: problem('username_taken or email_taken'),
        429: problem('Too many registrations from this address'),
      },
      handler: async ({ body }) => {
        const account = await accounts.register(body);
        metrics.registered.inc({ role: account.role });
        return { status: 201, body: presentAccount(account) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/users/me',
      operationId: 'getOwnAccount',
      summary: 'The signed-in account',
      tags: TAGS,
      auth: ANYONE_SIGNED_IN,
      responses: {
        200: { description: 'The account', schema: AccountView },
        404: problem('No such account'),
      },
      handler: async ({ principal }) => ({
        body: presentAccount(await accounts.get(signedIn(principal).subject)),
      }),
    }),
    defineRoute({
      method: 'patch',
      path: '/api/users/me',
      operationId: 'updateOwnAccount',
      summary: 'Change company details, profile, email or password',
      tags: TAGS,
      auth: ANYONE_SIGNED_IN,
      body: UpdateOwnBody,
      responses: {
        200: { description: 'The updated account', schema: AccountView },
        400: problem('Invalid input, password refused, or current password missing or wrong'),
        409: problem('email_taken or account_deactivated'),
        429: problem('Too many wrong current passwords'),
      },
      handler: async ({ principal, body }) => ({
        body: presentAccount(await accounts.updateOwn(signedIn(principal).subject, body)),
      }),
    }),
    defineRoute({
      method: 'delete',
      path: '/api/users/me',
      operationId: 'deactivateOwnAccount',
      summary: 'Deactivate the signed-in account (it can no longer log in)',
      tags: TAGS,
      auth: ANYONE_SIGNED_IN,
      responses: { 204: { description: 'Deactivated' }, 404: problem('No such account') },
      handler: async ({ principal }) => {
        await accounts.deactivateOwn(signedIn(principal).subject);
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/users/:id/deactivate',
      operationId: 'deactivateAccount',
      summary: 'Deactivate any account (admins only)',
      tags: ['admin'],
      auth: { roles: ['admin'] },
      params: AccountIdParams,
      body: DeactivateBody,
      responses: {
        200: { description: 'The deactivated account', schema: AdminAccountView },
        404: problem('No such account'),
      },
      handler: async ({ params, body }) => ({
        body: presentAccountForAdmin(await accounts.deactivateByAdmin(params.id, body.reason)),
      }),
    }),
  ];
}
