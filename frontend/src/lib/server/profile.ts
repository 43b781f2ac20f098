import { error } from '@sveltejs/kit';
import { toProfile } from '$lib/profile';
import type { Profile } from '$lib/profile';
import type { Api } from './api.js';

/** The signed-in account, for the role areas' pages. */
export async function loadProfile(api: Api): Promise<Profile> {
  const response = await api('ms-users', { route: '/api/users/me', path: '/api/users/me' });
  const profile = response.status === 200 ? toProfile(response.body) : null;
  if (profile === null) error(502, 'Your profile could not be loaded. Please try again.');
  return profile;
}
