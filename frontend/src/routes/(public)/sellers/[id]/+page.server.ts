import { error } from '@sveltejs/kit';
import { isUuid, searchProducts, sellerProfile, sellerRating } from '$lib/server/catalogue';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, params, url }) => {
  if (!isUuid(params.id)) error(404, { message: 'There is no such seller.' });
  const cursor = (url.searchParams.get('cursor') ?? '').trim();
  const query = new URLSearchParams({ sellerId: params.id, sort: 'newest', limit: '12' });
  if (cursor !== '') query.set('cursor', cursor);
  const [seller, rating, catalogue] = await Promise.all([
    sellerProfile(locals.api, params.id),
    sellerRating(locals.api, params.id),
    searchProducts(locals.api, query),
  ]);
  if (seller === 'unavailable') error(503, { message: 'Seller profiles are unavailable right now.' });
  if (seller === null) error(404, { message: 'There is no such seller, or they no longer sell here.' });
  return {
    seller,
    rating,
    cursor,
    catalogue: catalogue.kind === 'ok' ? { items: catalogue.items, nextCursor: catalogue.nextCursor } : null,
  };
};
