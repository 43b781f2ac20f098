import { fail } from '@sveltejs/kit';
import { cancelOrder, createReview, loadOrder, reviewedProducts, sellerNames } from '$lib/server/orders';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, params }) => {
  const order = await loadOrder(locals.api, params.id);
  const productIds = order.items.map((item) => item.productId);
  const [sellers, reviewed] = await Promise.all([
    sellerNames(locals.api, [order.sellerId]),
    order.status === 'DELIVERED'
      ? reviewedProducts(locals.api, productIds)
      : Promise.resolve(new Set<string>()),
  ]);
  return { order, seller: sellers[order.sellerId] ?? 'Seller', reviewed: [...reviewed] };
};

const text = (form: FormData, name: string): string => {
  const value = form.get(name);
  return typeof value === 'string' ? value : '';
};

export const actions: Actions = {
  cancel: async ({ locals, params }) => {
    const result = await cancelOrder(locals.api, params.id);
    if (result.ok) return { cancelled: true };
    const message =
      result.problem.code === 'illegal_transition'
        ? 'This order can no longer be cancelled: the seller has already sent it, or it is closed.'
        : result.problem.detail;
    return fail(result.problem.status, { cancelError: message });
  },
  review: async ({ locals, request }) => {
    const form = await request.formData();
    const productId = text(form, 'productId');
    const typedRating = text(form, 'rating');
    const reviewText = text(form, 'text').trim();
    const values = { productId, rating: typedRating, text: reviewText };
    const rating = Number(typedRating);
    const errors: Record<string, string> = {};
    if (!Number.isInteger(rating) || rating < 1 || rating > 5)
      errors['rating'] = 'Choose a rating from 1 to 5 stars.';
    if (reviewText.length > 2000) errors['text'] = 'Keep the review under 2000 characters.';
    if (Object.keys(errors).length > 0) return fail(400, { review: { values, errors } });
    const result = await createReview(locals.api, { productId, rating, text: reviewText });
    if (result.ok) return { reviewed: productId };
    const { problem } = result;
    if (problem.status === 403)
      errors['form'] = 'You can review a product only once an order of yours with it has been delivered.';
    else if (problem.status === 409) errors['form'] = 'You have already reviewed this product.';
    else if (Object.keys(problem.fields).length > 0) Object.assign(errors, problem.fields);
    else errors['form'] = problem.detail;
    return fail(problem.status, { review: { values, errors } });
  },
};
