import { takeFlash } from '$lib/server/flash';
import { runtime } from '$lib/server/runtime';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = ({ locals, cookies }) => ({
  // Only who the user is: the session's tokens never leave $lib/server.
  viewer: locals.user,
  flash: takeFlash(cookies, runtime().secureCookies),
});
