import { fail, redirect } from '@sveltejs/kit';
import { fieldErrors } from '$lib/server/catalogue';
import { setFlash } from '$lib/server/flash';
import { homeOf } from '$lib/server/guards';
import { callContext } from '$lib/server/request';
import { runtime } from '$lib/server/runtime';
import { startSession } from '$lib/server/session/lifecycle';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals }) => {
  if (locals.user !== null) redirect(303, homeOf(locals.user.role));
};

const text = (form: FormData, name: string): string => {
  const value = form.get(name);
  return typeof value === 'string' ? value : '';
};

const CONFLICTS: Record<string, [string, string]> = {
  username_taken: ['username', 'This username is taken. Choose another.'],
  email_taken: ['email', 'An account with this email exists. Sign in or reset its password.'],
};

export const actions: Actions = {
  default: async (event) => {
    const form = await event.request.formData();
    const values = {
      role: text(form, 'role'),
      companyName: text(form, 'companyName').trim(),
      username: text(form, 'username').trim(),
      email: text(form, 'email').trim(),
    };
    const password = text(form, 'password');
    const errors: Record<string, string> = {};
    if (values.role !== 'consumer' && values.role !== 'seller') errors['role'] = 'Choose buyer or seller.';
    if (values.companyName === '') errors['companyName'] = 'Enter your company name.';
    if (values.username === '') errors['username'] = 'Choose a username.';
    if (values.email === '') errors['email'] = 'Enter your email address.';
    if (password === '') errors['password'] = 'Choose a password.';
    if (Object.keys(errors).length > 0) return fail(400, { values, errors });

    const rt = runtime();
    const context = callContext(event);
    const response = await event.locals
      .api('ms-users', {
        method: 'POST',
        route: '/api/users',
        path: '/api/users',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...values, password }),
      })
      .catch(() => null);
    if (response === null || response.status >= 500) {
      return fail(503, {
        values,
        errors: { form: 'Registration is unavailable right now. Please try again.' },
      });
    }
    if (response.status === 429) {
      return fail(429, { values, errors: { form: 'Too many registrations from here. Try again later.' } });
    }
    if (response.status !== 201) {
      const code =
        typeof response.body === 'object' && response.body !== null
          ? Reflect.get(response.body, 'code')
          : undefined;
      const conflict = typeof code === 'string' ? CONFLICTS[code] : undefined;
      const found = conflict
        ? { [conflict[0]]: conflict[1] }
        : fieldErrors(response.body, 'The account could not be made.');
      return fail(response.status, { values, errors: found });
    }

    // Registered: sign in the same way the login page does, so the user goes straight on.
    const grant = await rt.auth.passwordGrant(values.username, password, context);
    if (!grant.ok) redirect(303, '/login');
    startSession(
      rt,
      event.cookies,
      { id: grant.subject, role: grant.role, name: values.companyName },
      grant.tokens,
      Date.now(),
    );
    setFlash(event.cookies, 'signed-in', rt.secureCookies);
    redirect(303, homeOf(grant.role));
  },
};
