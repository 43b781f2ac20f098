import { loadConsumerAnalytics, sellerNames } from '$lib/server/orders';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => {
  const analytics = await loadConsumerAnalytics(locals.api);
  const sellerIds = analytics.byCurrency.flatMap((spend) =>
    spend.topSellers.map((seller) => seller.sellerId),
  );
  return { analytics, sellers: await sellerNames(locals.api, sellerIds) };
};
