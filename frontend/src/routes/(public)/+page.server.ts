import { categoryFacets, productItems } from '$lib/products';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => {
  const response = await locals
    .api('ms-products', { route: '/api/products', path: '/api/products?sort=newest&limit=8' })
    .catch(() => null);
  if (response === null || response.status !== 200) {
    return { products: [], categories: [], unavailable: true };
  }
  return {
    products: productItems(response.body),
    categories: categoryFacets(response.body),
    unavailable: false,
  };
};
