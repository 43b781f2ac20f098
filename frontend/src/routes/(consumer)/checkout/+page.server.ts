import { randomUUID } from 'node:crypto';
import { fail } from '@sveltejs/kit';
import { splitBySeller, totalsByCurrency } from '$lib/orders';
import { checkout, loadCart, sellerNames } from '$lib/server/orders';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => {
  const cart = await loadCart(locals.api);
  const groups = splitBySeller(cart.items).map((group) => ({
    ...group,
    totals: totalsByCurrency(
      group.lines.map((line) => ({ currency: line.currency, minor: line.lineTotalMinor })),
    ),
  }));
  return {
    cart,
    groups,
    sellers: await sellerNames(
      locals.api,
      groups.map((group) => group.sellerId),
    ),
    // One key per checkout attempt, made when the page is drawn: a double click or a resubmitted
    // form sends the same key, and ms-orders answers it with the orders it made the first time.
    idempotencyKey: randomUUID(),
  };
};

const KEY = /^[\x21-\x7e]{1,255}$/;

const MESSAGES: Record<string, string> = {
  cart_empty: 'Your cart is empty: there is nothing to order.',
  product_unavailable: 'Some products in your cart are no longer for sale. Remove them and try again.',
  idempotency_key_reused:
    'Your cart changed while this order was being placed. Please check it and try again.',
  products_unavailable: 'We cannot reach the stock service right now. Nothing was ordered; please try again.',
  checkout_in_progress: 'This order is still being placed. Wait a moment, then look at your orders.',
};

export const actions: Actions = {
  place: async ({ request, locals }) => {
    const key = (await request.formData()).get('idempotencyKey');
    if (typeof key !== 'string' || !KEY.test(key))
      return fail(400, { error: 'This checkout form is out of date. Please open the checkout again.' });
    const result = await checkout(locals.api, key);
    if (!result.ok) {
      const error = MESSAGES[result.problem.code] ?? result.problem.detail;
      return fail(result.problem.status >= 500 ? 503 : result.problem.status, { error });
    }
    return {
      placed: result.orders,
      placedSellers: await sellerNames(
        locals.api,
        result.orders.map((order) => order.sellerId),
      ),
    };
  },
};
