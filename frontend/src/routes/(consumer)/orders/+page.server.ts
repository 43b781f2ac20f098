import { isOrderStatus } from '$lib/orders';
import { listOrders, sellerNames } from '$lib/server/orders';
import type { PageServerLoad } from './$types';

const PAGE_SIZE = 10;
const CURSOR = /^[A-Za-z0-9_-]{1,200}$/;

export const load: PageServerLoad = async ({ locals, url }) => {
  const given = url.searchParams.get('status');
  const status = isOrderStatus(given) ? given : null;
  const rawCursor = url.searchParams.get('cursor');
  const cursor = rawCursor !== null && CURSOR.test(rawCursor) ? rawCursor : null;
  const page = await listOrders(locals.api, { status, cursor, limit: PAGE_SIZE });
  return {
    status,
    cursor,
    page,
    sellers: await sellerNames(
      locals.api,
      page.items.map((order) => order.sellerId),
    ),
  };
};
