/**
 * The page the emailed link opens: ms-users sends `${PUBLIC_URL}/reset-password?token=...`
 * (ms-users/src/domain/password-reset.ts), and PUBLIC_URL is the gateway, i.e. this site.
 */
import { fail } from '@sveltejs/kit';
import { fieldErrors } from '$lib/server/catalogue';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ url }) => ({ token: url.searchParams.get('token') ?? '' });

const text = (form: FormData, name: string): string => {
  const value = form.get(name);
  return typeof value === 'string' ? value : '';
};

export const actions: Actions = {
  default: async ({ locals, request }) => {
    const form = await request.formData();
    const token = text(form, 'token');
    const newPassword = text(form, 'newPassword');
    if (token === '') return fail(400, { errors: { form: 'This link is incomplete. Ask for a new one.' } });
    if (newPassword === '') return fail(400, { errors: { newPassword: 'Choose a new password.' } });
    if (newPassword !== text(form, 'confirmPassword')) {
      return fail(400, { errors: { confirmPassword: 'The two passwords are not the same.' } });
    }
    const response = await locals
      .api('ms-users', {
        method: 'POST',
        route: '/api/users/password-reset/confirm',
        path: '/api/users/password-reset/confirm',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token, newPassword }),
      })
      .catch(() => null);
    if (response === null || response.status >= 500) {
      return fail(503, { errors: { form: 'Password reset is unavailable right now. Please try again.' } });
    }
    if (response.status !== 204) {
      const code =
        typeof response.body === 'object' && response.body !== null
          ? Reflect.get(response.body, 'code')
          : undefined;
      if (code === 'invalid_reset_token') {
        return fail(400, {
          errors: { form: 'This link has expired or was already used. Ask for a new one.' },
        });
      }
      return fail(response.status, {
        errors: fieldErrors(response.body, 'The password could not be changed.'),
      });
    }
    return { changed: true };
  },
};
