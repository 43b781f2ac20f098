import { readSearchForm, searchQuery, type Product } from '$lib/catalogue';
import type { CategoryCount } from '$lib/products';
import { searchProducts } from '$lib/server/catalogue';
import type { PageServerLoad } from './$types';

interface Results {
  errors: Record<string, string>;
  items: Product[];
  nextCursor: string | null;
  categories: CategoryCount[];
  unavailable: boolean;
}

const EMPTY: Results = { errors: {}, items: [], nextCursor: null, categories: [], unavailable: false };

export const load: PageServerLoad = async ({ locals, url }) => {
  const form = readSearchForm(url);
  const { query, errors } = searchQuery(form, { limit: '12' });
  if (Object.keys(errors).length > 0) return { form, ...EMPTY, errors };
  const result = await searchProducts(locals.api, query);
  if (result.kind === 'unavailable') return { form, ...EMPTY, unavailable: true };
  if (result.kind === 'invalid') return { form, ...EMPTY, errors: result.errors };
  const { items, nextCursor, categories } = result;
  return { form, ...EMPTY, items, nextCursor, categories };
};
