/**
 * The catalogue pages' calls to the services, and reading their problem+json field errors into
 * `{ input name: message }` for the forms. Server-only: it calls with the session's token.
 */
import type { Api } from './api.js';
import type { UpstreamResponse } from './upstream.js';
import {
  get,
  nextCursorOf,
  toImages,
  toProduct,
  toProducts,
  toRating,
  toReviews,
  toSellerProfile,
  type Product,
  type ProductImage,
  type Rating,
  type Review,
  type SellerProfile,
} from '$lib/catalogue';
import { categoryFacets, type CategoryCount } from '$lib/products';

/** A call that failed outright (the service is down) reads as null, so pages show a message. */
async function call(api: Api, ...args: Parameters<Api>): Promise<UpstreamResponse | null> {
  return api(...args).catch(() => null);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string): boolean => UUID.test(value);

/**
 * Field errors of a problem: `query.minRating` → `minRating`. A problem without field errors
 * lands under `form` with its detail.
 */
export function fieldErrors(body: unknown, fallback: string): Record<string, string> {
  const errors: Record<string, string> = {};
  const list = get(body, 'errors');
  if (Array.isArray(list)) {
    for (const entry of list) {
      const field = get(entry, 'field');
      const message = get(entry, 'message');
      if (typeof field !== 'string' || typeof message !== 'string') continue;
      const name = field.replace(/^(query|body|params)\./, '').replace(/^\//, '') || 'form';
      errors[name] ??= message.charAt(0).toUpperCase() + message.slice(1);
    }
  }
  if (Object.keys(errors).length === 0) {
    const detail = get(body, 'detail');
    errors['form'] = typeof detail === 'string' && detail !== '' ? detail : fallback;
  }
  return errors;
}

export type SearchOutcome =
  | { kind: 'ok'; items: Product[]; nextCursor: string | null; categories: CategoryCount[] }
  | { kind: 'invalid'; errors: Record<string, string> }
  | { kind: 'unavailable' };

export async function searchProducts(api: Api, query: URLSearchParams): Promise<SearchOutcome> {
  const response = await call(api, 'ms-products', {
    route: '/api/products',
    path: `/api/products?${query.toString()}`,
  });
  if (response === null || response.status >= 500) return { kind: 'unavailable' };
  if (response.status !== 200) {
    return { kind: 'invalid', errors: fieldErrors(response.body, 'These filters cannot be used.') };
  }
  return {
    kind: 'ok',
    items: toProducts(response.body),
    nextCursor: nextCursorOf(response.body),
    categories: categoryFacets(response.body),
  };
}

/** null: no such (published) product; 'unavailable': the service did not answer. */
export async function findProduct(api: Api, id: string): Promise<Product | null | 'unavailable'> {
  const response = await call(api, 'ms-products', {
    route: '/api/products/:id',
    path: `/api/products/${id}`,
  });
  if (response === null || response.status >= 500) return 'unavailable';
  return response.status === 200 ? toProduct(response.body) : null;
}

export async function productImages(api: Api, id: string): Promise<ProductImage[]> {
  const response = await call(api, 'ms-products', {
    route: '/api/products/:id/images',
    path: `/api/products/${id}/images`,
  });
  return response?.status === 200 ? toImages(response.body) : [];
}

export async function productReviews(
  api: Api,
  productId: string,
  cursor: string,
): Promise<{ items: Review[]; nextCursor: string | null } | null> {
  const query = new URLSearchParams({ productId, limit: '5' });
  if (cursor !== '') query.set('cursor', cursor);
  const response = await call(api, 'ms-orders', { route: '/api/reviews', path: `/api/reviews?${query}` });
  if (response?.status !== 200) return null;
  return { items: toReviews(response.body), nextCursor: nextCursorOf(response.body) };
}

export async function sellerProfile(api: Api, id: string): Promise<SellerProfile | null | 'unavailable'> {
  const response = await call(api, 'ms-users', {
    route: '/api/users/sellers/:id',
    path: `/api/users/sellers/${encodeURIComponent(id)}`,
  });
  if (response === null || response.status >= 500) return 'unavailable';
  return response.status === 200 ? toSellerProfile(response.body) : null;
}

export async function sellerRating(api: Api, id: string): Promise<Rating | null> {
  const response = await call(api, 'ms-products', {
    route: '/api/products/sellers/:sellerId/rating',
    path: `/api/products/sellers/${encodeURIComponent(id)}/rating`,
  });
  return response?.status === 200 ? toRating(response.body) : null;
}

/** The units of a product already in the consumer's cart, so "add" adds to them. */
async function quantityInCart(api: Api, productId: string): Promise<number> {
  const response = await call(api, 'ms-orders', { route: '/api/cart', path: '/api/cart' });
  const items = get(response?.body, 'items');
  if (!Array.isArray(items)) return 0;
  const line: unknown = items.find((item: unknown) => get(item, 'productId') === productId.toLowerCase());
  const quantity = get(line, 'quantity');
  return typeof quantity === 'number' ? quantity : 0;
}

export type CartOutcome =
  { ok: true; quantity: number } | { ok: false; status: number; errors: Record<string, string> };

export async function addToCart(api: Api, productId: string, quantity: number): Promise<CartOutcome> {
  const total = (await quantityInCart(api, productId)) + quantity;
  const response = await call(api, 'ms-orders', {
    method: 'PUT',
    route: '/api/cart/items/:productId',
    path: `/api/cart/items/${productId}`,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ quantity: total }),
  });
  if (response === null || response.status >= 500) {
    return {
      ok: false,
      status: 503,
      errors: { form: 'The cart is unavailable right now. Please try again.' },
    };
  }
  if (response.status !== 200) {
    const code = get(response.body, 'code');
    const message =
      code === 'cart_full'
        ? 'Your cart is full. Check out or remove something first.'
        : code === 'product_not_found'
          ? 'This product is no longer for sale.'
          : null;
    const errors = fieldErrors(response.body, 'The product could not be added.');
    return { ok: false, status: response.status, errors: message === null ? errors : { form: message } };
  }
  return { ok: true, quantity: total };
}
