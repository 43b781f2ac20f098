import { fail } from '@sveltejs/kit';
import { deactivateAccount, searchAccounts, toAdminAccount } from '$lib/server/admin';
import { problemErrors } from '$lib/server/seller';
import type { Actions, PageServerLoad } from './$types';

const ROLES = ['seller', 'consumer', 'admin'];
const STATUSES = ['active', 'deactivated'];

export const load: PageServerLoad = async ({ locals, url }) => {
  const given = (name: string, allowed?: string[]) => {
    const value = (url.searchParams.get(name) ?? '').trim();
    return allowed === undefined || allowed.includes(value) ? value : '';
  };
  const query = {
    q: given('q'),
    role: given('role', ROLES),
    status: given('status', STATUSES),
    cursor: given('cursor'),
  };
  return { query, page: await searchAccounts(locals.api, query) };
};

export const actions: Actions = {
  deactivate: async ({ locals, request }) => {
    const form = await request.formData();
    const id = String(form.get('id') ?? '');
    const reason = String(form.get('reason') ?? '').trim();
    if (reason === '') return fail(400, { id, error: 'Say why the account is deactivated.', message: '' });
    const response = await deactivateAccount(locals.api, id, reason);
    if (response.status !== 200)
      return fail(response.status === 404 ? 404 : 400, {
        id,
        error: problemErrors(response.body)['form'] ?? '',
        message: '',
      });
    const account = toAdminAccount(response.body);
    return {
      id,
      error: '',
      message: `Deactivated ${account?.username ?? 'the account'}. They are signed out on their next request.`,
    };
  },
};
