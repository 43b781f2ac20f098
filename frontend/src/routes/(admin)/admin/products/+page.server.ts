import { fail } from '@sveltejs/kit';
import { toSellerProduct } from '$lib/seller';
import { findProducts, moderateProduct } from '$lib/server/admin';
import { problemErrors } from '$lib/server/seller';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
  const q = (url.searchParams.get('q') ?? '').trim();
  return { q, products: await findProducts(locals.api, q) };
};

export const actions: Actions = {
  unpublish: async ({ locals, request }) => {
    const form = await request.formData();
    const id = String(form.get('id') ?? '');
    const reason = String(form.get('reason') ?? '').trim();
    if (reason === '')
      return fail(400, { id, error: 'Say why, for the seller.', message: '', product: null });
    const response = await moderateProduct(locals.api, id, reason);
    if (response.status !== 200)
      return fail(400, { id, error: problemErrors(response.body)['form'] ?? '', message: '', product: null });
    // The product goes back to the page: search no longer finds it, and this is where Restore is.
    const product = toSellerProduct(response.body);
    return { id, error: '', message: `Unpublished “${product?.name ?? id}”.`, product };
  },
  restore: async ({ locals, request }) => {
    const id = String((await request.formData()).get('id') ?? '');
    const response = await moderateProduct(locals.api, id, null);
    if (response.status !== 200)
      return fail(404, { id, error: '', message: 'The product could not be restored.', product: null });
    const product = toSellerProduct(response.body);
    return {
      id,
      error: '',
      message: `Restored “${product?.name ?? id}”: its seller can publish it again.`,
      product,
    };
  },
};
