import { fail, redirect } from '@sveltejs/kit';
import { setFlash } from '$lib/server/flash';
import { homeOf } from '$lib/server/guards';
import { callContext } from '$lib/server/request';
import { safeReturnTo } from '$lib/server/return-to';
import { runtime } from '$lib/server/runtime';
import { startSession } from '$lib/server/session/lifecycle';
import { field } from '$lib/server/upstream';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals, url }) => {
  const returnTo = safeReturnTo(url.searchParams.get('returnTo'), '');
  if (locals.user !== null) redirect(303, returnTo === '' ? homeOf(locals.user.role) : returnTo);
  return { returnTo };
};

const text = (form: FormData, name: string): string => {
  const value = form.get(name);
  return typeof value === 'string' ? value : '';
};

export const actions: Actions = {
  default: async (event) => {
    const form = await event.request.formData();
    const username = text(form, 'username').trim();
    const password = text(form, 'password');
    const returnTo = safeReturnTo(text(form, 'returnTo'), '');
    // What the user typed comes back, except the password.
    const values = { username, returnTo };
    const errors: Record<string, string> = {};
    if (username === '') errors['username'] = 'Enter your username.';
    if (password === '') errors['password'] = 'Enter your password.';
    if (Object.keys(errors).length > 0) return fail(400, { values, errors });

    const rt = runtime();
    const context = callContext(event);
    const result = await rt.auth.passwordGrant(username, password, context);
    if (!result.ok) {
      const message =
        result.error === 'invalid_grant'
          ? 'The username or password is not right.'
          : result.error === 'throttled'
            ? `Too many attempts. Try again in ${result.retryAfterSeconds ?? 30} seconds.`
            : 'Signing in is unavailable right now. Please try again in a moment.';
      const status = result.error === 'invalid_grant' ? 400 : result.error === 'throttled' ? 429 : 503;
      return fail(status, { values, errors: { form: message } });
    }
    // The header shows the company; the login still succeeds if ms-users cannot say it now.
    const me = await rt.upstream
      .call(
        'ms-users',
        { route: '/api/users/me', path: '/api/users/me', token: result.tokens.accessToken },
        context,
      )
      .catch(() => null);
    const company = field(me?.body, 'companyName');
    const name = typeof company === 'string' && company !== '' ? company : username;
    startSession(
      rt,
      event.cookies,
      { id: result.subject, role: result.role, name },
      result.tokens,
      Date.now(),
    );
    setFlash(event.cookies, 'signed-in', rt.secureCookies);
    redirect(303, returnTo === '' ? homeOf(result.role) : returnTo);
  },
};
