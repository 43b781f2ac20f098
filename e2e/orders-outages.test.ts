/**
 * Orders ride out outages of what they depend on, end to end through the gateway: RabbitMQ cut
 * off from ms-orders (by a proxy: the shared broker keeps running for everyone else), and
 * ms-products stopped and started again on its port.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { JsonResponse } from '@marketshare/platform/testing';
import { waitFor } from '@marketshare/platform/testing';
import { field } from './support/gateway-client.js';
import { OrdersWorld, ordersIn, type OrderView, type Person } from './support/orders-world.js';
import { e2eWorld, type World } from './support/world.js';

/** A 503 for a checkout must come this fast: ms-orders gives up on ms-products, it does not hang. */
const FAST_REFUSAL_MS = 10_000;

interface Timed {
  response: JsonResponse;
  ms: number;
}

async function timed(request: Promise<JsonResponse>): Promise<Timed> {
  const started = Date.now();
  const response = await request;
  return { response, ms: Date.now() - started };
}

function assertProductsUnavailable({ response, ms }: Timed): void {
  assert.equal(response.status, 503, response.text);
  assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.equal(field(response.body, 'code'), 'products_unavailable');
  assert.ok(ms < FAST_REFUSAL_MS, `refused after ${ms} ms`);
}

describe('end to end: orders through outages', function () {
  this.timeout(60_000);
  let w: World;
  let o: OrdersWorld;
  let seller: Person;
  const STOCK = 1_000;

  before(async function () {
    this.timeout(300_000);
    w = await e2eWorld();
    o = new OrdersWorld(w);
    seller = await o.person('seller');
  });

  describe('RabbitMQ cut off from ms-orders', () => {
    after(() => w.stack.rabbitProxy.resume());

    it('accepts checkouts meanwhile, then publishes every event and sends each email once', async function () {
      this.timeout(150_000);
      const proxy = w.stack.rabbitProxy;
      const productId = await o.createProduct(seller, STOCK);
      const consumers = await o.crowd(6, 'consumer');
      const buyOne = (consumer: Person) => o.checkout(consumer, [{ productId, quantity: 1 }]);
      // Cut once the first checkout is answered, while the others are in flight: their events
      // may be sent already, cut off mid-way or unconfirmed.
      const during = consumers.flatMap((consumer) => [buyOne(consumer), buyOne(consumer)]);
      await Promise.race(during);
      await proxy.pause();
      const duringOrders = (await Promise.all(during)).flatMap(ordersIn);
      const cutOrders = (await Promise.all(consumers.map(buyOne))).flatMap(ordersIn);
      const orders = [...duringOrders, ...cutOrders];
      assert.deepEqual(
        orders.filter((order) => order.status !== 'RECEIVED'),
        [],
        'accepted while the broker is away',
      );
      // Those made during the cut wait in ms-orders' outbox: nothing about them can arrive.
      await waitFor(async () => (await o.outboxBacklog()) >= cutOrders.length, {
        timeoutMs: 20_000,
        what: 'the unsent events in the outbox_backlog gauge',
      });
      await sleep(1_000);
      assert.equal((await o.emailsAbout(new Set(cutOrders.map((order) => order.id)))).size, 0);

      proxy.resume();
      await waitFor(async () => (await o.outboxBacklog()) === 0, {
        timeoutMs: 60_000,
        intervalMs: 500,
        what: 'ms-orders to publish its outbox once RabbitMQ is back',
      });
      await o.expectOneEmailPerOrder(orders, consumers, 60_000);
    });
  });

  describe('ms-products stopped and started again', () => {
    let stopped = false;
    after(async function () {
      this.timeout(150_000);
      if (stopped) await w.stack.startService('ms-products');
    });

    it('refuses checkouts fast with 503, stores no order and leaves no reservation behind', async function () {
      this.timeout(150_000);
      const productId = await o.createProduct(seller, STOCK);
      const [steady, ...buyers] = await o.crowd(4, 'consumer');
      assert.ok(steady);
      const accepted = ordersIn(await o.checkout(steady, [{ productId, quantity: 3 }]));

      // Buyers keep checking out one at a time while ms-products goes away under them.
      const answers = new Map<string, Timed[]>(buyers.map((buyer) => [buyer.id, []]));
      let outage = false;
      const keepBuying = async (buyer: Person) => {
        const mine = answers.get(buyer.id) ?? [];
        let sinceOutage = 0;
        while (sinceOutage < 3) {
          mine.push(await timed(o.checkout(buyer, [{ productId, quantity: 2 }])));
          if (outage) sinceOutage += 1;
        }
      };
      const buying = Promise.all(buyers.map(keepBuying));
      await waitFor(() => [...answers.values()].every((mine) => mine.length >= 2), {
        timeoutMs: 30_000,
        what: 'a few checkouts before the outage',
      });
      stopped = true;
      await w.stack.stopService('ms-products');
      outage = true;
      await buying;

      // Every answer is an order or a fast, documented refusal; the last ones are refusals.
      for (const buyer of buyers) {
        const mine = answers.get(buyer.id) ?? [];
        const placed: OrderView[] = [];
        for (const answer of mine) {
          if (answer.response.status === 201) placed.push(...ordersIn(answer.response));
          else assertProductsUnavailable(answer);
        }
        const last = mine.at(-1);
        assert.ok(last);
        assertProductsUnavailable(last);
        assert.ok(placed.every((order) => order.status === 'RECEIVED'));
        accepted.push(...placed);
        // No order was stored for a refused checkout: the list is exactly the accepted ones.
        const listed = (await o.ordersOf(buyer)).map((order) => order.id).sort();
        assert.deepEqual(listed, placed.map((order) => order.id).sort());
      }

      // A burst while it is down: all refused fast, nothing stored.
      const burst = await Promise.all(
        Array.from({ length: 10 }, () => timed(o.checkout(steady, [{ productId, quantity: 1 }]))),
      );
      burst.forEach(assertProductsUnavailable);
      assert.deepEqual(
        (await o.ordersOf(steady)).map((order) => order.id),
        accepted.filter((order) => order.consumerId === steady.id).map((order) => order.id),
      );

      await w.stack.startService('ms-products');
      stopped = false;
      await o.gatewaySeesUp('ms-products');
      await o.expectStockConserved(new Map([[productId, STOCK]]), accepted, 30_000);
      const again = ordersIn(await o.checkout(steady, [{ productId, quantity: 1 }]));
      assert.equal(again[0]?.status, 'RECEIVED', 'checkouts work again');
    });
  });
});
