import { error, fail } from '@sveltejs/kit';
import {
  addToCart,
  findProduct,
  isUuid,
  productImages,
  productReviews,
  sellerProfile,
  sellerRating,
} from '$lib/server/catalogue';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, params, url }) => {
  if (!isUuid(params.id)) error(404, { message: 'There is no such product.' });
  const product = await findProduct(locals.api, params.id);
  if (product === 'unavailable') error(503, { message: 'The catalogue is unavailable right now.' });
  if (product === null) error(404, { message: 'There is no such product, or it is no longer for sale.' });
  const reviewsCursor = (url.searchParams.get('reviews') ?? '').trim();
  // The rest of the page is optional: each part shows its own "unavailable" state.
  const [images, reviews, seller, rating] = await Promise.all([
    productImages(locals.api, product.id),
    productReviews(locals.api, product.id, reviewsCursor),
    sellerProfile(locals.api, product.sellerId),
    sellerRating(locals.api, product.sellerId),
  ]);
  return {
    product,
    images,
    selectedImage: url.searchParams.get('image') ?? '',
    reviews,
    reviewsCursor,
    seller: typeof seller === 'object' ? seller : null,
    sellerRating: rating,
    canBuy: locals.user?.role === 'consumer',
    signedIn: locals.user !== null,
  };
};

export const actions: Actions = {
  addToCart: async ({ locals, params, request }) => {
    const form = await request.formData();
    const raw = form.get('quantity');
    const typed = typeof raw === 'string' ? raw.trim() : '';
    const values = { quantity: typed };
    // Role guards cover pages; an action posted by a non-consumer gets a plain answer here.
    if (locals.user?.role !== 'consumer') {
      return fail(403, { values, errors: { form: 'Sign in with a buyer account to order.' } });
    }
    if (!/^\d+$/.test(typed) || Number(typed) < 1) {
      return fail(400, { values, errors: { quantity: 'Enter a whole number of at least 1.' } });
    }
    const outcome = await addToCart(locals.api, params.id, Number(typed));
    if (!outcome.ok) return fail(outcome.status, { values, errors: outcome.errors });
    return { added: Number(typed), inCart: outcome.quantity };
  },
};
