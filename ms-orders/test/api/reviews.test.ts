import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { httpRequest } from '@marketshare/platform/testing';
import { deliveredProduct, moveOrder, placeOrder } from '../support/deliveries.js';
import { call, startOrdersApp, type OrdersTestApp } from '../support/orders-harness.js';

interface ReviewBody {
  id: string;
  productId: string;
  rating: number;
  text: string;
  createdAt: string;
}
interface ReviewPageBody {
  items: ReviewBody[];
  nextCursor: string | null;
}
const codeOf = (body: unknown) => (body as { code?: string }).code;
const fieldsOf = (body: unknown) =>
  ((body as { errors?: { field: string }[] }).errors ?? []).map((e) => e.field);

describe('ms-orders reviews: one per delivered product, listed per product', function () {
  this.timeout(90_000);
  let app: OrdersTestApp;
  before(async () => {
    app = await startOrdersApp();
  });
  after(async () => {
    await app?.stop();
  });

  const postReview = (consumer: string, json: unknown) =>
    call(app, 'POST', '/api/reviews', app.consumerToken(consumer), { json });
  const anonymous = (path: string) => httpRequest(`${app.url}${path}`, { method: 'GET' });
  const reviewCount = () => app.models.reviews.countDocuments();

  it('refuses a review before delivery with 403 (received, in delivery, cancelled, never bought)', async () => {
    const product = app.products.addProduct({ sellerId: 'shop-early' });
    const [received] = await placeOrder(app, 'early-1', [product.id]);
    const [shipping] = await placeOrder(app, 'early-2', [product.id]);
    const [cancelled] = await placeOrder(app, 'early-3', [product.id]);
    assert.ok(received && shipping && cancelled);
    await moveOrder(app, shipping, 'IN_DELIVERY');
    await moveOrder(app, cancelled, 'CANCELLED', 'early-3');
    // Someone else's delivery does not count either.
    const [delivered] = await placeOrder(app, 'early-5', [product.id]);
    assert.ok(delivered);
    await moveOrder(app, delivered, 'IN_DELIVERY');
    await moveOrder(app, delivered, 'DELIVERED');
    for (const consumer of ['early-1', 'early-2', 'early-3', 'early-4']) {
      const response = await postReview(consumer, { productId: product.id, rating: 5, text: 'Too early' });
      assert.equal(response.status, 403, `${consumer}: ${response.text}`);
      assert.equal(codeOf(response.body), 'review_not_allowed');
      assert.match(response.headers.get('content-type') ?? '', /application\/problem\+json/);
    }
    assert.equal(await app.models.reviews.countDocuments({ productId: product.id }), 0);
  });

  it('takes one review after delivery (201) and refuses the second with 409', async () => {
    const { product, order } = await deliveredProduct(app, 'reviewer-1', 'shop-1');
    const first = await postReview('reviewer-1', {
      productId: product.id,
      rating: 4,
      text: '  Solid and well packed.\n',
    });
    assert.equal(first.status, 201, first.text);
    const review = first.body as ReviewBody & Record<string, unknown>;
    assert.equal(review.productId, product.id);
    assert.equal(review.rating, 4);
    assert.equal(review.text, 'Solid and well packed.');
    assert.ok(!Number.isNaN(Date.parse(review.createdAt)));
    assert.deepEqual(Object.keys(review).sort(), ['createdAt', 'id', 'productId', 'rating', 'text']);

    const second = await postReview('reviewer-1', {
      productId: product.id,
      rating: 1,
      text: 'Changed my mind',
    });
    assert.equal(second.status, 409, second.text);
    assert.equal(codeOf(second.body), 'review_exists');

    const stored = await app.models.reviews.find({ productId: product.id }).lean();
    assert.equal(stored.length, 1);
    assert.equal(stored[0]?.rating, 4);
    assert.equal(stored[0]?.orderId, order.id);
    // The event went into the review's own document, in the same write.
    const events = stored[0]?.outbox ?? [];
    assert.equal(events.length, 1);
    assert.equal(events[0]?.type, 'review.created');
    assert.equal(events[0]?.sentAt, null);
    assert.deepEqual(events[0]?.data, {
      reviewId: review.id,
      productId: product.id,
      sellerId: 'shop-1',
      consumerId: 'reviewer-1',
      rating: 4,
    });
  });

  it('accepts a rating without text, and product ids in capitals', async () => {
    const { product } = await deliveredProduct(app, 'reviewer-2', 'shop-2');
    const response = await postReview('reviewer-2', { productId: product.id.toUpperCase(), rating: 5 });
    assert.equal(response.status, 201, response.text);
    assert.equal((response.body as ReviewBody).text, '');
    assert.equal((response.body as ReviewBody).productId, product.id);
  });

  it('lets one of 20 concurrent reviews of the same product through', async () => {
    const { product } = await deliveredProduct(app, 'reviewer-3', 'shop-3');
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        postReview('reviewer-3', { productId: product.id, rating: 1 + (index % 5), text: `take ${index}` }),
      ),
    );
    assert.equal(responses.filter((response) => response.status === 201).length, 1);
    assert.equal(responses.filter((response) => response.status === 409).length, 19);
    const stored = await app.models.reviews.find({ productId: product.id }).lean();
    assert.equal(stored.length, 1);
    assert.equal(stored[0]?.outbox.length, 1);
  });

  it('lets consumers only write reviews (seller 403, anonymous 401)', async () => {
    const { product } = await deliveredProduct(app, 'reviewer-4', 'shop-4');
    const before = await reviewCount();
    const seller = await call(app, 'POST', '/api/reviews', app.sellerToken('shop-4'), {
      json: { productId: product.id, rating: 5, text: 'My own product is great' },
    });
    assert.equal(seller.status, 403);
    const nobody = await httpRequest(`${app.url}/api/reviews`, {
      method: 'POST',
      json: { productId: product.id, rating: 5 },
    });
    assert.equal(nobody.status, 401);
    assert.equal((await call(app, 'GET', '/api/reviews/mine', app.sellerToken('shop-4'))).status, 403);
    assert.equal((await anonymous('/api/reviews/mine')).status, 401);
    assert.equal(await reviewCount(), before);
  });

  it('refuses invalid input with 400 naming the field, storing nothing', async () => {
    const { product } = await deliveredProduct(app, 'reviewer-5', 'shop-5');
    const before = await reviewCount();
    const invalid: [unknown, string][] = [
      [{ productId: product.id, rating: 0 }, 'rating'],
      [{ productId: product.id, rating: 6 }, 'rating'],
      [{ productId: product.id, rating: 2.5 }, 'rating'],
      [{ productId: product.id, rating: '5' }, 'rating'],
      [{ productId: product.id, rating: null }, 'rating'],
      [{ productId: product.id }, 'rating'],
      [{ productId: 'not-a-uuid', rating: 3 }, 'productId'],
      [{ rating: 3 }, 'productId'],
      [{ productId: product.id, rating: 3, text: 'x'.repeat(2001) }, 'text'],
      [{ productId: product.id, rating: 3, text: 'bell\u0007' }, 'text'],
      [{ productId: product.id, rating: 3, text: 7 }, 'text'],
      [{ productId: product.id, rating: 3, consumerId: 'someone-else' }, 'consumerId'],
    ];
    for (const [json, field] of invalid) {
      const response = await postReview('reviewer-5', json);
      assert.equal(response.status, 400, `${JSON.stringify(json)}: ${response.text}`);
      assert.ok(fieldsOf(response.body).includes(field), `${field} named in ${response.text}`);
    }
    assert.equal(await reviewCount(), before);
    // Multi-line text with tabs is fine; 2000 characters is the limit.
    const longest = await postReview('reviewer-5', {
      productId: product.id,
      rating: 3,
      text: `a\tb\n${'x'.repeat(1996)}`,
    });
    assert.equal(longest.status, 201, longest.text);
  });

  it('refuses operators and dotted or $ keys in bodies and queries with 400, matching nothing', async () => {
    const { product } = await deliveredProduct(app, 'reviewer-6', 'shop-6');
    const token = app.consumerToken('reviewer-6');
    const before = await reviewCount();
    const attempts = [
      postReview('reviewer-6', { productId: { $gt: '' }, rating: 5 }),
      postReview('reviewer-6', { productId: product.id, rating: { $gt: 0 } }),
      postReview('reviewer-6', { productId: product.id, rating: 5, text: { $ne: null } }),
      postReview('reviewer-6', { productId: product.id, rating: 5, $where: '1' }),
      postReview('reviewer-6', { productId: product.id, rating: 5, 'a.b': 1 }),
      anonymous('/api/reviews?productId[$gt]='),
      anonymous(`/api/reviews?productId=${encodeURIComponent('{"$gt":""}')}`),
      anonymous(`/api/reviews?productId=${product.id}&$where=1`),
      anonymous(`/api/reviews?productId=${product.id}&consumerId=reviewer-6`),
      anonymous(`/api/reviews?productId=${product.id}&cursor=eyIkZ3QiOiIifQ`),
      anonymous('/api/reviews'),
      call(app, 'GET', '/api/reviews/mine?productId[$ne]=x', token),
    ];
    for (const response of await Promise.all(attempts)) {
      assert.equal(response.status, 400, response.text);
      assert.match(response.headers.get('content-type') ?? '', /application\/problem\+json/);
    }
    assert.equal(await reviewCount(), before);
  });

  it('lists a product’s reviews newest first, page by page, to anyone', async () => {
    const product = app.products.addProduct({ sellerId: 'shop-7', stock: 100 });
    const other = app.products.addProduct({ sellerId: 'shop-7', stock: 100 });
    const posted: string[] = [];
    for (let index = 0; index < 7; index += 1) {
      const consumer = `lister-${index}`;
      const orders = await placeOrder(app, consumer, [product.id, other.id]);
      for (const order of orders) {
        await moveOrder(app, order, 'IN_DELIVERY');
        await moveOrder(app, order, 'DELIVERED');
      }
      const response = await postReview(consumer, {
        productId: product.id,
        rating: 1 + (index % 5),
        text: `#${index}`,
      });
      assert.equal(response.status, 201, response.text);
      posted.push((response.body as ReviewBody).id);
      if (index % 2 === 0)
        assert.equal((await postReview(consumer, { productId: other.id, rating: 2 })).status, 201);
    }

    const seen: ReviewBody[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `?productId=${product.id}&limit=3${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await anonymous(`/api/reviews${query}`);
      assert.equal(page.status, 200, page.text);
      const body = page.body as ReviewPageBody;
      assert.ok(body.items.length <= 3);
      seen.push(...body.items);
      cursor = body.nextCursor;
      pages += 1;
    } while (cursor && pages < 10);
    assert.equal(pages, 3);
    const ids = seen.map((review) => review.id);
    assert.equal(new Set(ids).size, ids.length, 'no review twice');
    assert.deepEqual([...ids].sort(), [...posted].sort(), 'every review, and only this product’s');
    const keys = seen.map((review) => [review.createdAt, review.id].join(' '));
    assert.deepEqual(keys, [...keys].sort().reverse(), 'newest first');
    for (const review of seen) {
      assert.deepEqual(Object.keys(review).sort(), ['createdAt', 'id', 'productId', 'rating', 'text']);
    }

    // A signed-in caller reads the same; an invalid token is refused.
    const signedIn = await call(
      app,
      'GET',
      `/api/reviews?productId=${product.id}&limit=100`,
      app.sellerToken('x'),
    );
    assert.equal((signedIn.body as ReviewPageBody).items.length, 7);
    assert.equal((await call(app, 'GET', `/api/reviews?productId=${product.id}`, 'not-a-token')).status, 401);
    const others = await anonymous(`/api/reviews?productId=${other.id}`);
    assert.equal((others.body as ReviewPageBody).items.length, 4);
    const none = await anonymous(`/api/reviews?productId=${randomUUID()}`);
    assert.deepEqual(none.body, { items: [], nextCursor: null });
  });

  it('lists the consumer’s own reviews, optionally of one product', async () => {
    const first = await deliveredProduct(app, 'reviewer-8', 'shop-8');
    const second = await deliveredProduct(app, 'reviewer-8', 'shop-9');
    const token = app.consumerToken('reviewer-8');
    assert.deepEqual(
      (await call(app, 'GET', `/api/reviews/mine?productId=${first.product.id}`, token)).body,
      {
        items: [],
        nextCursor: null,
      },
    );
    for (const { product } of [first, second]) {
      assert.equal((await postReview('reviewer-8', { productId: product.id, rating: 3 })).status, 201);
    }
    const mine = await call(app, 'GET', '/api/reviews/mine', token);
    assert.equal(mine.status, 200, mine.text);
    assert.deepEqual(
      (mine.body as ReviewPageBody).items.map((review) => review.productId).sort(),
      [first.product.id, second.product.id].sort(),
    );
    const one = await call(app, 'GET', `/api/reviews/mine?productId=${first.product.id}`, token);
    assert.deepEqual(
      (one.body as ReviewPageBody).items.map((review) => review.productId),
      [first.product.id],
    );
    const someoneElse = await call(app, 'GET', '/api/reviews/mine', app.consumerToken('reviewer-9'));
    assert.deepEqual((someoneElse.body as ReviewPageBody).items, []);
  });
});
