import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor, type JsonResponse } from '@marketshare/platform/testing';
import { field } from './support/gateway-client.js';
import { OrdersWorld, ordersIn, type OrderView, type Person } from './support/orders-world.js';
import { e2eWorld } from './support/world.js';

interface Rating {
  average: number | null;
  count: number;
}

/** How long a duplicate review.created is given to (wrongly) change the aggregate again. */
const DUPLICATE_GRACE_MS = 2_000;

const mean = (ratings: readonly number[]) => ratings.reduce((sum, r) => sum + r, 0) / ratings.length;

describe('e2e: reviews through the gateway, and the ratings they give in ms-products', function () {
  this.timeout(180_000);
  let world: OrdersWorld;
  let seller: Person;
  let consumers: Person[];
  let bolts: string;
  let nuts: string;
  /** each consumer's order of both products */
  const orderOf = new Map<string, OrderView>();

  const advance = (order: OrderView, status: string, token: string) =>
    world.w.gateway.call(`/api/orders/${order.id}/status`, { method: 'POST', token, json: { status } });
  const review = (person: Person, productId: string, rating: number, text = 'Good value.') =>
    world.w.gateway.call('/api/reviews', {
      method: 'POST',
      token: person.token,
      json: { productId, rating, text },
    });
  const ratingOfProduct = async (productId: string): Promise<Rating> =>
    field((await world.w.gateway.call(`/api/products/${productId}`)).body, 'rating') as Rating; // ProductView.rating
  const ratingOfSeller = async (): Promise<Rating> => {
    const response = await world.w.gateway.call(`/api/products/sellers/${seller.id}/rating`);
    assert.equal(response.status, 200, response.text);
    return response.body as Rating; // ms-products' SellerRating schema
  };
  const codeOf = (response: JsonResponse) => field(response.body, 'code');

  before(async () => {
    world = new OrdersWorld(await e2eWorld());
    seller = await world.person('seller');
    [bolts, nuts] = await Promise.all([world.createProduct(seller, 50), world.createProduct(seller, 50)]);
    consumers = await world.crowd(4, 'consumer');
    for (const consumer of consumers) {
      const [order] = ordersIn(
        await world.checkout(consumer, [
          { productId: bolts, quantity: 1 },
          { productId: nuts, quantity: 2 },
        ]),
      );
      assert.equal(order?.status, 'RECEIVED');
      orderOf.set(consumer.id, order);
    }
  });

  it('refuses a review before delivery (403) and takes it after, once (409 the second time)', async () => {
    const [first] = consumers;
    assert.ok(first);
    const order = orderOf.get(first.id);
    assert.ok(order);
    const early = await review(first, bolts, 5);
    assert.equal(early.status, 403, early.text);
    assert.equal(codeOf(early), 'review_not_allowed');
    assert.equal((await advance(order, 'IN_DELIVERY', seller.token)).status, 200);
    assert.equal((await review(first, bolts, 5)).status, 403, 'in delivery is not delivered');
    // Consumers cannot move their order along; sellers cannot review.
    assert.equal((await advance(order, 'DELIVERED', first.token)).status, 403);
    assert.equal((await review(seller, bolts, 5)).status, 403);
    assert.equal((await advance(order, 'DELIVERED', seller.token)).status, 200);

    const accepted = await review(first, bolts, 5);
    assert.equal(accepted.status, 201, accepted.text);
    const again = await review(first, bolts, 1);
    assert.equal(again.status, 409, again.text);
    assert.equal(codeOf(again), 'review_exists');
  });

  it("keeps each product's and the seller's rating equal to the reviews given", async () => {
    // The first consumer reviewed bolts with 5 above; the others receive their orders now.
    for (const consumer of consumers.slice(1)) {
      const order = orderOf.get(consumer.id);
      assert.ok(order);
      assert.equal((await advance(order, 'IN_DELIVERY', seller.token)).status, 200);
      assert.equal((await advance(order, 'DELIVERED', seller.token)).status, 200);
    }
    const boltRatings = [5, 4, 2, 4];
    const nutRatings = [3, 1, 5];
    const given = await Promise.all([
      ...consumers.slice(1).map((consumer, index) => review(consumer, bolts, boltRatings[index + 1] ?? 0)),
      ...consumers.slice(0, 3).map((consumer, index) => review(consumer, nuts, nutRatings[index] ?? 0)),
    ]);
    for (const response of given) assert.equal(response.status, 201, response.text);

    const expectProduct = async (productId: string, ratings: number[]) => {
      await waitFor(async () => (await ratingOfProduct(productId)).count === ratings.length, {
        timeoutMs: 30_000,
        intervalMs: 250,
        what: `ms-products to count ${ratings.length} reviews`,
      });
    };
    await expectProduct(bolts, boltRatings);
    await expectProduct(nuts, nutRatings);
    await sleep(DUPLICATE_GRACE_MS);
    const boltRating = await ratingOfProduct(bolts);
    const nutRating = await ratingOfProduct(nuts);
    assert.equal(boltRating.count, boltRatings.length, 'each review counted once');
    assert.equal(nutRating.count, nutRatings.length);
    assert.ok(Math.abs((boltRating.average ?? 0) - mean(boltRatings)) < 0.01, JSON.stringify(boltRating));
    assert.ok(Math.abs((nutRating.average ?? 0) - mean(nutRatings)) < 0.01, JSON.stringify(nutRating));
    const sellerRating = await ratingOfSeller();
    assert.equal(sellerRating.count, boltRatings.length + nutRatings.length);
    assert.ok(Math.abs((sellerRating.average ?? 0) - mean([...boltRatings, ...nutRatings])) < 0.01);
  });

  it('lists a product’s reviews to anyone, newest first, page by page', async () => {
    const seen: { rating: number; createdAt: string; id: string }[] = [];
    let cursor: unknown = null;
    do {
      const query = cursor === null ? '' : `&cursor=${String(cursor)}`;
      const page = await world.w.gateway.call(`/api/reviews?productId=${bolts}&limit=3${query}`);
      assert.equal(page.status, 200, page.text);
      seen.push(...(field(page.body, 'items') as typeof seen)); // ms-orders' ReviewPage schema
      cursor = field(page.body, 'nextCursor');
    } while (typeof cursor === 'string');
    assert.equal(seen.length, 4);
    assert.equal(new Set(seen.map((item) => item.id)).size, 4, 'no repeats');
    assert.deepEqual(seen.map((item) => item.rating).sort(), [2, 4, 4, 5]);
    const times = seen.map((item) => item.createdAt);
    assert.deepEqual(times, [...times].sort().reverse(), 'newest first');
  });
});
