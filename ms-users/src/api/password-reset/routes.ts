import { defineRoute, fixedWindowRateLimit, type Route } from '@marketshare/platform';
import type { PasswordResetService } from '../../domain/password-reset.js';
import { problem } from '../users-route.js';
import { ResetConfirmBody, ResetRequestBody } from './schemas.js';

export interface PasswordResetRoutesDeps {
  resets: PasswordResetService;
  requestsPerHourPerClient: number;
}

const TAGS = ['password-reset'];

export function passwordResetRoutes({ resets, requestsPerHourPerClient }: PasswordResetRoutesDeps): Route[] {
  return [
    defineRoute({
      method: 'post',
      path: '/api/users/password-reset',
      operationId: 'requestPasswordReset',
      summary: 'Email a one-time password reset link',
      tags: TAGS,
      auth: 'public',
      // Each accepted request may send an email: bound what one address can trigger.
      rateLimit: fixedWindowRateLimit({ windowMs: 3_600_000, max: requestsPerHourPerClient }),
      body: ResetRequestBody,
      responses: {
        202: { description: 'Accepted, whether or not the email belongs to an account' },
        400: problem('Invalid input'),
        429: problem('Too many requests from this address'),
      },
      handler: async ({ body }) => {
        await resets.request(body.email);
        return { status: 202 };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/users/password-reset/confirm',
      operationId: 'confirmPasswordReset',
      summary: 'Set a new password with a reset token (works once)',
      tags: TAGS,
      auth: 'public',
      body: ResetConfirmBody,
      responses: {
        204: { description: 'Password changed' },
        400: problem('invalid_reset_token, or the new password is refused by the policy'),
      },
      handler: async ({ body }) => {
        await resets.confirm(body.token, body.newPassword);
        return { status: 204 };
      },
    }),
  ];
}
