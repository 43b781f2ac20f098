/**
 * Orders through the gateway: the routes ms-orders serves, who sees and moves which order, and
 * 300 checkouts at once on a little stock — nothing oversold, stock conserved, one email each.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { httpRequest } from '@marketshare/platform/testing';
import { field } from './support/gateway-client.js';
import { OrdersWorld, ordersIn, unitsOf, type OrderLine, type Person } from './support/orders-world.js';
import { e2eWorld, type World } from './support/world.js';

describe('end to end: orders through the gateway', function () {
  this.timeout(60_000);
  let w: World;
  let o: OrdersWorld;

  before(async function () {
    this.timeout(300_000);
    w = await e2eWorld();
    o = new OrdersWorld(w);
  });

  it('routes /api/cart, /api/orders, /api/reviews and /api/analytics to ms-orders', async () => {
    const ordersUrl = w.stack.info.urls.services['ms-orders'] ?? '';
    const paths = [
      '/api/cart',
      '/api/orders',
      '/api/orders/checkout',
      '/api/reviews',
      `/api/reviews?productId=${randomUUID()}`,
      '/api/analytics/consumer',
      '/api/analytics/seller',
    ];
    for (const path of paths) {
      const viaGateway = await w.gateway.call(path);
      const direct = await httpRequest(`${ordersUrl}${path}`);
      // The frontend's prefix would answer 503 (it is not built); ms-orders answers as itself.
      assert.deepEqual(
        [viaGateway.status, field(viaGateway.body, 'code'), field(viaGateway.body, 'instance')],
        [direct.status, field(direct.body, 'code'), field(direct.body, 'instance')],
        `${path} reaches ms-orders`,
      );
      assert.notEqual(viaGateway.status, 503, path);
    }
    for (const path of ['/api/cart', '/api/orders']) {
      const anonymous = await w.gateway.call(path);
      assert.equal(anonymous.status, 401, path);
      assert.match(anonymous.headers.get('content-type') ?? '', /^application\/problem\+json/);
      assert.equal(field(anonymous.body, 'type'), 'urn:marketshare:problem:unauthenticated');
    }
  });

  describe('who sees and moves an order', () => {
    let seller: Person;
    let otherSeller: Person;
    let consumer: Person;
    let otherConsumer: Person;
    let productId = '';
    let orderId = '';

    before(async () => {
      [seller, otherSeller, consumer, otherConsumer] = await Promise.all([
        o.person('seller'),
        o.person('seller'),
        o.person('consumer'),
        o.person('consumer'),
      ]);
      productId = await o.createProduct(seller, 10);
    });

    it('checks out the cart into an order that only its consumer and its seller see', async () => {
      const put = await w.gateway.call(`/api/cart/items/${productId}`, {
        method: 'PUT',
        token: consumer.token,
        json: { quantity: 2 },
      });
      assert.equal(put.status, 200, put.text);
      const key = randomUUID();
      const [order, ...more] = ordersIn(await o.checkout(consumer, undefined, { idempotencyKey: key }));
      assert.ok(order);
      assert.deepEqual(more, []);
      orderId = order.id;
      assert.deepEqual(
        [order.status, order.consumerId, order.sellerId, order.items.map((i) => [i.productId, i.quantity])],
        ['RECEIVED', consumer.id, seller.id, [[productId, 2]]],
      );
      const replay = ordersIn(await o.checkout(consumer, undefined, { idempotencyKey: key }));
      assert.deepEqual(
        replay.map((r) => r.id),
        [orderId],
        'a replay of the key answers the same order',
      );
      const cart = await w.gateway.call('/api/cart', { token: consumer.token });
      assert.deepEqual(field(cart.body, 'items'), [], 'the bought line left the cart');
      assert.equal(await o.stockOf(productId), 8);

      for (const owner of [consumer, seller]) {
        const read = await w.gateway.call(`/api/orders/${orderId}`, { token: owner.token });
        assert.equal(read.status, 200, read.text);
        assert.ok((await o.ordersOf(owner)).some((listed) => listed.id === orderId));
      }
      for (const stranger of [otherConsumer, otherSeller]) {
        const read = await w.gateway.call(`/api/orders/${orderId}`, { token: stranger.token });
        assert.equal(read.status, 404, `${stranger.role} reads another's order`);
        assert.equal(field(read.body, 'code'), 'order_not_found');
        assert.deepEqual(await o.ordersOf(stranger), []);
      }
    });

    it('refuses checkout to sellers and status moves to consumers and strangers', async () => {
      const sellerCheckout = await o.checkout(seller, [{ productId, quantity: 1 }]);
      assert.equal(sellerCheckout.status, 403, sellerCheckout.text);
      const move = (person: Person, status: string) =>
        w.gateway.call(`/api/orders/${orderId}/status`, {
          method: 'POST',
          token: person.token,
          json: { status },
        });
      for (const status of ['IN_DELIVERY', 'DELIVERED']) {
        const byConsumer = await move(consumer, status);
        assert.equal(byConsumer.status, 403, `consumer → ${status}`);
        assert.equal(field(byConsumer.body, 'code'), 'status_change_not_allowed');
      }
      assert.equal((await move(otherSeller, 'IN_DELIVERY')).status, 404);
      assert.equal((await move(otherConsumer, 'CANCELLED')).status, 404);
      const shipped = await move(seller, 'IN_DELIVERY');
      assert.equal(shipped.status, 200, shipped.text);
      assert.equal(field(shipped.body, 'status'), 'IN_DELIVERY');
      const tooLate = await move(consumer, 'CANCELLED');
      assert.equal(tooLate.status, 409);
      assert.equal(field(tooLate.body, 'code'), 'illegal_transition');
      assert.equal(await o.stockOf(productId), 8, 'refused moves changed nothing');
    });
  });

  describe('300 checkouts at once on little stock', () => {
    const INITIAL_STOCK = 20;
    const CONSUMERS = 30;
    const CHECKOUTS_EACH = 10;
    // Past the gateway's own 30 s server timeout: the gateway, not the client, bounds a checkout.
    const CHECKOUT_TIMEOUT_MS = 45_000;

    it('oversells nothing, conserves stock, and sends exactly one email per order', async function () {
      this.timeout(240_000);
      const [nordwerk, labline] = await Promise.all([o.person('seller'), o.person('seller')]);
      const [bolts, nuts, gloves] = await Promise.all([
        o.createProduct(nordwerk, INITIAL_STOCK, 40),
        o.createProduct(nordwerk, INITIAL_STOCK, 15),
        o.createProduct(labline, INITIAL_STOCK, 990),
      ]);
      const products = [bolts, nuts, gloves];
      const consumers = await o.crowd(CONSUMERS, 'consumer');
      // Checkout i: bolts always, nuts every third, gloves (the other seller) every other one.
      const baskets = consumers.flatMap((consumer, k) =>
        Array.from({ length: CHECKOUTS_EACH }, (_, j) => {
          const i = k * CHECKOUTS_EACH + j;
          const items: OrderLine[] = [{ productId: bolts, quantity: 1 + (i % 2) }];
          if (i % 3 === 0) items.push({ productId: nuts, quantity: 1 });
          if (i % 2 === 1) items.push({ productId: gloves, quantity: 1 + (i % 3) });
          return { consumer, items };
        }),
      );

      // All 300 are in flight through the gateway at the same time.
      const responses = await Promise.all(
        baskets.map(({ consumer, items }) => o.checkout(consumer, items, { timeoutMs: CHECKOUT_TIMEOUT_MS })),
      );
      // A call to ms-products that overran its bound under this load is refused as promised:
      // 503 products_unavailable, nothing ordered, nothing left reserved (checked below).
      const refused = responses.filter((response) => response.status !== 201);
      for (const response of refused) {
        assert.equal(response.status, 503, response.text);
        assert.equal(field(response.body, 'code'), 'products_unavailable', response.text);
      }
      const orders = responses.flatMap((response, index) => {
        if (response.status !== 201) return [];
        const placed = ordersIn(response);
        const basket = baskets[index];
        assert.ok(basket);
        // One order per seller of the basket, for its consumer.
        assert.equal(placed.length, basket.items.some((item) => item.productId === gloves) ? 2 : 1);
        assert.ok(placed.every((order) => order.consumerId === basket.consumer.id));
        return placed;
      });
      const received = orders.filter((order) => order.status === 'RECEIVED');
      const outOfStock = orders.filter((order) => order.status === 'OUT_OF_STOCK');
      assert.equal(received.length + outOfStock.length, orders.length, 'no other outcome');
      for (const productId of products) {
        const sold = unitsOf(received, productId);
        assert.ok(sold > 0 && sold <= INITIAL_STOCK, `sold ${sold} of ${INITIAL_STOCK}`);
      }
      await o.expectStockConserved(new Map(products.map((id) => [id, INITIAL_STOCK])), received, 30_000);

      // Its /healthz answers late while the burst runs, so the gateway may have taken it out.
      await o.gatewaySeesUp('ms-orders');
      // What each consumer lists is exactly what their checkouts answered.
      for (const consumer of consumers) {
        const listed = (await o.ordersOf(consumer)).map((order) => `${order.id} ${order.status}`);
        const answered = orders
          .filter((order) => order.consumerId === consumer.id)
          .map((order) => `${order.id} ${order.status}`);
        assert.deepEqual(listed.sort(), answered.sort());
      }
      await o.expectOneEmailPerOrder(orders, consumers, 120_000);
    });
  });
});
