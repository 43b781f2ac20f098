/**
 * What a cast can see of its own data, through the gateway as its principals see it: the
 * consumer's account, cart, orders and reviews, the seller's account, products and orders, the
 * public product and seller pages; plus how many accounts and products exist at all. Taken
 * before and after a batch of rejected requests, the two must be equal.
 */
import type { JsonResponse } from '@marketshare/platform/testing';
import type { World } from '../support/world.js';
import type { Cast } from './cast.js';

/** Fields that differ from one read to the next without any write: a refusal's request id. */
const VOLATILE_FIELDS = new Set(['request_id']);

function stable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stable);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !VOLATILE_FIELDS.has(key))
      .map(([key, member]) => [key, stable(member)]),
  );
}

const view = (response: JsonResponse) => ({ status: response.status, body: stable(response.body) });

export async function snapshotOf(world: World, cast: Cast): Promise<Record<string, unknown>> {
  const { gateway } = world;
  const asConsumer = (path: string) => gateway.call(path, { token: cast.consumer.session.token }).then(view);
  const asSeller = (path: string) => gateway.call(path, { token: cast.seller.session.token }).then(view);
  const anyone = (path: string) => gateway.call(path).then(view);
  const entries = {
    consumerAccount: asConsumer('/api/users/me'),
    consumerCart: asConsumer('/api/cart'),
    consumerOrders: asConsumer('/api/orders?limit=100'),
    consumerReviews: asConsumer('/api/reviews/mine?limit=100'),
    sellerAccount: asSeller('/api/users/me'),
    sellerProducts: asSeller('/api/products/mine?limit=100'),
    sellerOrders: asSeller('/api/orders?limit=100'),
    product: asConsumer(`/api/products/${cast.productId}`),
    sellerPage: anyone(`/api/users/sellers/${cast.seller.id}`),
    accounts: world.countAccounts(),
    products: world.productsDb
      .query<{ n: string }>('SELECT count(*) AS n FROM products')
      .then((result) => result.rows[0]?.n),
  };
  const values = await Promise.all(Object.values(entries));
  return Object.fromEntries(Object.keys(entries).map((name, index) => [name, values[index]]));
}
