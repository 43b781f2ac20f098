import { fail } from '@sveltejs/kit';
import { fieldErrors } from '$lib/server/catalogue';
import type { Actions } from './$types';

export const actions: Actions = {
  default: async ({ locals, request }) => {
    const form = await request.formData();
    const raw = form.get('email');
    const email = typeof raw === 'string' ? raw.trim() : '';
    const values = { email };
    if (email === '') return fail(400, { values, errors: { email: 'Enter the email of your account.' } });
    const response = await locals
      .api('ms-users', {
        method: 'POST',
        route: '/api/users/password-reset',
        path: '/api/users/password-reset',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email }),
      })
      .catch(() => null);
    if (response === null || response.status >= 500) {
      return fail(503, {
        values,
        errors: { form: 'Password reset is unavailable right now. Please try again.' },
      });
    }
    if (response.status === 429) {
      return fail(429, { values, errors: { form: 'Too many requests from here. Try again in an hour.' } });
    }
    if (response.status !== 202) {
      return fail(response.status, {
        values,
        errors: fieldErrors(response.body, 'The request was refused.'),
      });
    }
    // The same answer whether or not the email has an account: nobody learns who is registered.
    return { sent: email };
  },
};
