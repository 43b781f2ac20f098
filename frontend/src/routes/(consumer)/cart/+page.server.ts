import { fail } from '@sveltejs/kit';
import { clearCart, loadCart, removeLine, setQuantity } from '$lib/server/orders';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => ({ cart: await loadCart(locals.api) });

const text = (form: FormData, name: string): string => {
  const value = form.get(name);
  return typeof value === 'string' ? value.trim() : '';
};

const PRODUCT_ID = /^[0-9a-f-]{36}$/i;

export const actions: Actions = {
  quantity: async ({ request, locals }) => {
    const form = await request.formData();
    const productId = text(form, 'productId');
    const typed = text(form, 'quantity');
    const quantity = Number(typed);
    if (!PRODUCT_ID.test(productId))
      return fail(400, { productId, typed, error: 'This line is not in your cart.' });
    if (!Number.isInteger(quantity) || quantity < 1 || quantity > 1000)
      return fail(400, { productId, typed, error: 'Enter a whole number from 1 to 1000.' });
    const result = await setQuantity(locals.api, productId, quantity);
    if (!result.ok) {
      const error =
        result.problem.code === 'product_not_found'
          ? 'This product is no longer for sale.'
          : (result.problem.fields['quantity'] ?? result.problem.detail);
      return fail(result.problem.status, { productId, typed, error });
    }
    return { updated: productId };
  },
  remove: async ({ request, locals }) => {
    const productId = text(await request.formData(), 'productId');
    const result = await removeLine(locals.api, productId);
    if (!result.ok)
      return fail(result.problem.status, { productId, typed: '', error: result.problem.detail });
    return { removed: productId };
  },
  clear: async ({ locals }) => {
    const result = await clearCart(locals.api);
    if (!result.ok)
      return fail(result.problem.status, { productId: '', typed: '', error: result.problem.detail });
    return { cleared: true };
  },
};
