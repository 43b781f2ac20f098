import { redirect } from '@sveltejs/kit';
import { setFlash } from '$lib/server/flash';
import { callContext } from '$lib/server/request';
import { runtime } from '$lib/server/runtime';
import { endSession } from '$lib/server/session/lifecycle';
import type { Actions, PageServerLoad } from './$types';

// Signing out changes state, so it is a POST (a form action); a GET just goes home.
export const load: PageServerLoad = () => redirect(303, '/');

export const actions: Actions = {
  default: async (event) => {
    const rt = runtime();
    // The hook already opened (and maybe refreshed) the session; revoke what the cookie now holds.
    await endSession(rt, event.cookies, null, callContext(event));
    setFlash(event.cookies, 'signed-out', rt.secureCookies);
    redirect(303, '/');
  },
};
