import { productItems } from '$lib/products';
import { loadProfile } from '$lib/server/profile';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => {
  const [profile, mine] = await Promise.all([
    loadProfile(locals.api),
    locals.api('ms-products', { route: '/api/products/mine', path: '/api/products/mine?limit=10' }),
  ]);
  return {
    profile,
    products: mine.status === 200 ? productItems(mine.body) : [],
    productsUnavailable: mine.status !== 200,
  };
};
