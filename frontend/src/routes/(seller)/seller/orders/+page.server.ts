import { fail } from '@sveltejs/kit';
import { isOrderStatus } from '$lib/seller';
import { advanceOrder, listSellerOrders, problemErrors } from '$lib/server/seller';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
  const given = url.searchParams.get('status');
  const status = isOrderStatus(given) ? given : null;
  const cursor = url.searchParams.get('cursor');
  return { status, page: await listSellerOrders(locals.api, { status, cursor }) };
};

export const actions: Actions = {
  advance: async ({ locals, request }) => {
    const form = await request.formData();
    const id = form.get('id');
    const to = form.get('to');
    if (typeof id !== 'string' || (to !== 'IN_DELIVERY' && to !== 'DELIVERED'))
      return fail(400, { id: '', message: 'Choose an order and its next step.' });
    const response = await advanceOrder(locals.api, id, to);
    if (response.status === 409)
      return fail(409, { id, message: 'The order changed meanwhile; its current status is shown.' });
    if (response.status !== 200)
      return fail(502, { id, message: problemErrors(response.body)['form'] ?? '' });
    return { id, message: to === 'IN_DELIVERY' ? 'Order marked as shipped.' : 'Order marked as delivered.' };
  },
};
