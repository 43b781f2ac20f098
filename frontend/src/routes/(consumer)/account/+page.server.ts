import { error, fail, redirect } from '@sveltejs/kit';
import { toProfile } from '$lib/profile';
import { setFlash } from '$lib/server/flash';
import { problemOf } from '$lib/server/orders';
import { callContext } from '$lib/server/request';
import { runtime } from '$lib/server/runtime';
import { endSession } from '$lib/server/session/lifecycle';
import { field } from '$lib/server/upstream';
import type { Actions, PageServerLoad } from './$types';

/** The editable details; pages show the rest through $lib/profile. */
const EDITABLE = ['companyName', 'displayName', 'email', 'phone', 'address', 'website'] as const;
type Editable = (typeof EDITABLE)[number];
const NULLABLE: readonly Editable[] = ['displayName', 'phone', 'address', 'website'];

export const load: PageServerLoad = async ({ locals, url }) => {
  const response = await locals.api('ms-users', { route: '/api/users/me', path: '/api/users/me' });
  const details = Object.fromEntries(
    EDITABLE.map((key) => {
      const value = field(response.body, key);
      return [key, typeof value === 'string' ? value : ''];
    }),
  );
  const profile = response.status === 200 ? toProfile(response.body) : null;
  if (profile === null) error(502, 'Your profile could not be loaded. Please try again.');
  return {
    profile,
    details,
    confirmDeactivate: url.searchParams.get('confirm') === 'deactivate',
  };
};

const MESSAGES: Record<string, string> = {
  email_taken: 'Another account uses this email address.',
};

export const actions: Actions = {
  profile: async ({ request, locals }) => {
    const form = await request.formData();
    const values = Object.fromEntries(
      EDITABLE.map((key) => {
        const value = form.get(key);
        return [key, typeof value === 'string' ? value.trim() : ''];
      }),
    );
    const currentPassword = form.get('currentPassword');
    const response = await locals.api('ms-users', { route: '/api/users/me', path: '/api/users/me' });
    // Only what changed is sent: an unchanged email must not ask for the password.
    const changes: Record<string, string | null> = {};
    for (const key of EDITABLE) {
      const before = field(response.body, key);
      const now = values[key] ?? '';
      if (now === (typeof before === 'string' ? before : '')) continue;
      changes[key] = now === '' && NULLABLE.includes(key) ? null : now;
    }
    if (Object.keys(changes).length === 0) return { saved: false, unchanged: true };
    if (typeof currentPassword === 'string' && currentPassword !== '')
      changes['currentPassword'] = currentPassword;
    const errors: Record<string, string> = {};
    if ('email' in changes && !('currentPassword' in changes))
      errors['currentPassword'] = 'Enter your current password to change the email.';
    if (changes['companyName'] === '') errors['companyName'] = 'Enter your company name.';
    if (Object.keys(errors).length > 0) return fail(400, { values, errors });

    const updated = await locals.api('ms-users', {
      method: 'PATCH',
      route: '/api/users/me',
      path: '/api/users/me',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(changes),
    });
    if (updated.status === 200) {
      const company = changes['companyName'];
      if (typeof company === 'string') locals.renameViewer(company);
      return { saved: true };
    }
    const problem = problemOf(updated);
    const fieldErrors = { ...problem.fields };
    if (Object.keys(fieldErrors).length === 0) fieldErrors['form'] = MESSAGES[problem.code] ?? problem.detail;
    if (problem.code === 'email_taken') fieldErrors['email'] = MESSAGES['email_taken'] ?? problem.detail;
    return fail(problem.status, { values, errors: fieldErrors });
  },
  deactivate: async (event) => {
    const response = await event.locals.api('ms-users', {
      method: 'DELETE',
      route: '/api/users/me',
      path: '/api/users/me',
    });
    if (response.status !== 204)
      return fail(response.status, {
        deactivateError: 'Your account could not be deactivated. Please try again.',
      });
    // The account is closed: end the session here (its refresh token revoked), then go home.
    const rt = runtime();
    await endSession(rt, event.cookies, null, callContext(event));
    setFlash(event.cookies, 'signed-out', rt.secureCookies);
    redirect(303, '/');
  },
};
