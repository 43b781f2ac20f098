/** ms-products' routes in the authorization matrix. */
import { randomUUID } from 'node:crypto';
import { guarded, outcomes, REVOKED, type Outcome, type PrincipalName, type RouteCase } from './types.js';

/** A seller's own product: seller A 2xx, seller B 404 (another seller's product is not found). */
const SELLER_A_ONLY = (status: number): Partial<Record<PrincipalName, Outcome>> => ({
  sellerA: status,
  sellerB: 404,
});

const HIDES_EXISTENCE = "Another seller's product answers 404, as if it did not exist.";
const OWN_FRESH =
  "Seller A's request goes to a fresh product of its own; everyone else's to seller A's shared one.";

/** Internal reservation routes: only a client token with stock:reserve gets through (people are 403). */
const RESERVE_NOTE =
  "stock:reserve is ms-orders' scope; people's tokens never carry it (and are refused even if " +
  'they did). Commit, release and confirm are tried on an order id no reservation was made for: 404.';

export const PRODUCTS_ROUTES: RouteCase[] = [
  {
    service: 'ms-products',
    method: 'get',
    path: '/api/products',
    via: 'gateway',
    expect: outcomes(200, { deactivated: REVOKED }),
    request: () => ({ path: '/api/products?q=washer&limit=1' }),
  },
  {
    service: 'ms-products',
    method: 'get',
    path: '/api/products/mine',
    via: 'gateway',
    expect: guarded({ sellerA: 200, sellerB: 200 }),
    request: () => ({ path: '/api/products/mine?limit=1' }),
  },
  {
    service: 'ms-products',
    method: 'post',
    path: '/api/products',
    via: 'gateway',
    expect: guarded({ sellerA: 201, sellerB: 201 }),
    request: () => ({
      path: '/api/products',
      json: {
        name: `Matrix spring washer ${randomUUID().slice(0, 6)}`,
        category: 'Industrial supplies',
        priceMinor: 120,
        currency: 'EUR',
        stock: 10,
        // Kept out of the public catalogue: the matrix should not change what others find.
        status: 'unpublished',
      },
    }),
  },
  {
    service: 'ms-products',
    method: 'get',
    path: '/api/products/{id}',
    via: 'gateway',
    expect: outcomes(404, { sellerA: 200, admin: 200, deactivated: REVOKED }),
    request: (fixtures) => ({ path: `/api/products/${fixtures.unpublishedProduct}` }),
    note: 'Tried on an unpublished product: only its seller and admins see it; everyone else gets 404.',
  },
  {
    service: 'ms-products',
    method: 'patch',
    path: '/api/products/{id}',
    via: 'gateway',
    expect: guarded(SELLER_A_ONLY(200)),
    request: (fixtures) => ({
      path: `/api/products/${fixtures.product}`,
      json: { description: 'Spring steel, DIN 127.' },
    }),
    note: HIDES_EXISTENCE,
  },
  {
    service: 'ms-products',
    method: 'post',
    path: '/api/products/{id}/publish',
    via: 'gateway',
    expect: guarded(SELLER_A_ONLY(200)),
    request: async (fixtures, who) => ({
      path: `/api/products/${who === 'sellerA' ? await fixtures.freshProduct() : fixtures.product}/publish`,
    }),
    note: `${HIDES_EXISTENCE} ${OWN_FRESH}`,
  },
  {
    service: 'ms-products',
    method: 'post',
    path: '/api/products/{id}/unpublish',
    via: 'gateway',
    expect: guarded(SELLER_A_ONLY(200)),
    request: async (fixtures, who) => ({
      path: `/api/products/${who === 'sellerA' ? await fixtures.freshProduct() : fixtures.product}/unpublish`,
    }),
    note: `${HIDES_EXISTENCE} ${OWN_FRESH}`,
  },
  {
    service: 'ms-products',
    method: 'post',
    path: '/api/products/{id}/stock-adjustments',
    via: 'gateway',
    expect: guarded(SELLER_A_ONLY(200)),
    request: (fixtures) => ({
      path: `/api/products/${fixtures.product}/stock-adjustments`,
      json: { delta: 1 },
    }),
    note: HIDES_EXISTENCE,
  },
  {
    service: 'ms-products',
    method: 'post',
    path: '/api/products/{id}/moderation',
    via: 'gateway',
    expect: guarded({ admin: 200 }),
    request: async (fixtures, who) => ({
      path: `/api/products/${who === 'admin' ? await fixtures.freshProduct() : fixtures.product}/moderation`,
      json: { reason: 'authorization matrix' },
    }),
    note: "The admin moderates a fresh product; the others' requests aim at seller A's shared one.",
  },
  {
    service: 'ms-products',
    method: 'delete',
    path: '/api/products/{id}/moderation',
    via: 'gateway',
    expect: guarded({ admin: 200 }),
    request: async (fixtures, who) => ({
      path: `/api/products/${who === 'admin' ? await fixtures.freshProduct() : fixtures.product}/moderation`,
    }),
    note: 'The admin lifts (a no-op) on a fresh product.',
  },
  {
    service: 'ms-products',
    method: 'delete',
    path: '/api/products/{id}',
    via: 'gateway',
    expect: guarded(SELLER_A_ONLY(204)),
    request: async (fixtures, who) => ({
      path: `/api/products/${who === 'sellerA' ? await fixtures.freshProduct() : fixtures.product}`,
    }),
    note: `${HIDES_EXISTENCE} ${OWN_FRESH}`,
  },
  {
    service: 'ms-products',
    method: 'post',
    path: '/api/products/{id}/images',
    via: 'gateway',
    expect: guarded({ sellerA: 201 }),
    request: (fixtures) => ({
      path: `/api/products/${fixtures.product}/images`,
      multipart: fixtures.imageForm(),
    }),
    note: 'Unlike the product routes, another seller learns the product exists: 403, not 404.',
  },
  {
    service: 'ms-products',
    method: 'get',
    path: '/api/products/{id}/images',
    via: 'gateway',
    expect: outcomes(200, { deactivated: REVOKED }),
    request: (fixtures) => ({ path: `/api/products/${fixtures.product}/images` }),
  },
  {
    service: 'ms-products',
    method: 'get',
    path: '/api/products/{id}/images/{imageId}',
    via: 'gateway',
    expect: outcomes(200, { deactivated: REVOKED }),
    request: (fixtures) => ({ path: `/api/products/${fixtures.product}/images/${fixtures.image}` }),
  },
  {
    service: 'ms-products',
    method: 'get',
    path: '/api/products/{id}/images/{imageId}/thumbnail',
    via: 'gateway',
    expect: outcomes(200, { deactivated: REVOKED }),
    request: (fixtures) => ({ path: `/api/products/${fixtures.product}/images/${fixtures.image}/thumbnail` }),
  },
  {
    service: 'ms-products',
    method: 'delete',
    path: '/api/products/{id}/images/{imageId}',
    via: 'gateway',
    expect: guarded({ sellerA: 204, admin: 204 }),
    request: async (fixtures, who) => {
      if (who === 'sellerA' || who === 'admin') {
        const fresh = await fixtures.freshImage();
        return { path: `/api/products/${fresh.productId}/images/${fresh.imageId}` };
      }
      return { path: `/api/products/${fixtures.product}/images/${fixtures.image}` };
    },
    note: 'Seller A and the admin each delete a fresh image; another seller gets 403, not 404.',
  },
  {
    service: 'ms-products',
    method: 'get',
    path: '/api/products/sellers/{sellerId}/rating',
    via: 'gateway',
    expect: outcomes(200),
    request: (fixtures) => ({ path: `/api/products/sellers/${fixtures.people.sellerA.id}/rating` }),
  },
  {
    service: 'ms-products',
    method: 'post',
    path: '/internal/stock/reservations',
    via: 'direct',
    expect: guarded({ serviceWithScope: 201 }),
    request: (fixtures) => ({
      path: '/internal/stock/reservations',
      // A new order id each time: one unit held until the hold runs out and the sweep puts it back.
      json: { orderId: `matrix-${randomUUID()}`, items: [{ productId: fixtures.product, quantity: 1 }] },
    }),
    note: RESERVE_NOTE,
  },
  ...(['commit', 'release', 'confirm'] as const).map((action): RouteCase => ({
    service: 'ms-products',
    method: 'post',
    path: `/internal/stock/reservations/{orderId}/${action}`,
    via: 'direct',
    expect: guarded({ serviceWithScope: 404 }),
    request: () => ({ path: `/internal/stock/reservations/matrix-none-${randomUUID()}/${action}` }),
    note: RESERVE_NOTE,
  })),
];
