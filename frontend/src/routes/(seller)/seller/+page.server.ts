import { productItems } from '$lib/products';
import { loadProfile } from '$lib/server/profile';
import { loadSellerAnalytics } from '$lib/server/seller';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => {
  const [profile, mine, analytics] = await Promise.all([
    loadProfile(locals.api),
    locals.api('ms-products', { route: '/api/products/mine', path: '/api/products/mine?limit=4' }),
    loadSellerAnalytics(locals.api),
  ]);
  return {
    profile,
    analytics,
    products: mine.status === 200 ? productItems(mine.body) : [],
    productsUnavailable: mine.status !== 200,
  };
};
