import { loadProfile } from '$lib/server/profile';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => ({ profile: await loadProfile(locals.api) });
