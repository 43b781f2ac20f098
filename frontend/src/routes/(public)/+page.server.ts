import { categoryFacets, productItems } from '$lib/products';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => {
  const search = (query: string) =>
    locals.api('ms-products', { route: '/api/products', path: `/api/products?${query}` }).catch(() => null);
  // Both lists at once: the page waits for the slower, not for the sum.
  const [newest, topRated] = await Promise.all([
    search('sort=newest&limit=8'),
    search('sort=rating&minRating=4&limit=4'),
  ]);
  if (newest === null || newest.status !== 200) {
    return { products: [], topRated: [], categories: [], unavailable: true };
  }
  return {
    products: productItems(newest.body),
    // A failed second list only leaves its section out.
    topRated: topRated?.status === 200 ? productItems(topRated.body) : [],
    categories: categoryFacets(newest.body),
    unavailable: false,
  };
};
