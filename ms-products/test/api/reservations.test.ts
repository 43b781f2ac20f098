import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { httpRequest, type JsonResponse } from '@marketshare/platform/testing';
import {
  insertProduct,
  metricValue,
  startProductsApp,
  withConcurrency,
  type ProductsTestApp,
} from '../support/stock-harness.js';

const RESERVATIONS = '/internal/stock/reservations';

interface Item {
  productId: string;
  quantity: number;
}

describe('ms-products stock reservations (internal, for ms-orders)', function () {
  this.timeout(60_000);
  let service: ProductsTestApp;
  let ordersToken: string;

  before(async () => {
    service = await startProductsApp();
    ordersToken = service.issuer.serviceToken('ms-orders', 'stock:reserve users:read');
  });
  after(async () => {
    await service?.stop();
  });

  const reserve = (orderId: string, items: Item[], token = ordersToken) =>
    httpRequest(`${service.url}${RESERVATIONS}`, {
      headers: { authorization: `Bearer ${token}` },
      json: { orderId, items },
    });
  const transition = (orderId: string, action: 'release' | 'confirm', token = ordersToken) =>
    httpRequest(`${service.url}${RESERVATIONS}/${encodeURIComponent(orderId)}/${action}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
  const stockOf = async (productId: string) => {
    const { rows } = await service.pool.query<{ stock: number }>('SELECT stock FROM products WHERE id = $1', [
      productId,
    ]);
    return rows[0]?.stock;
  };
  const reservedUnits = async (productId: string) => {
    const { rows } = await service.pool.query<{ units: number }>(
      `SELECT COALESCE(SUM(i.quantity), 0)::int AS units FROM stock_reservation_items i
       JOIN stock_reservations r USING (order_id) WHERE i.product_id = $1 AND r.status IN ('reserved', 'confirmed')`,
      [productId],
    );
    return rows[0]?.units;
  };
  const reservationCount = async (orderId: string) => {
    const { rows } = await service.pool.query('SELECT 1 FROM stock_reservations WHERE order_id = $1', [
      orderId,
    ]);
    return rows.length;
  };
  /** The problem body without what differs per request. */
  const problemOf = (response: JsonResponse) => {
    assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
    const { request_id: _requestId, instance: _instance, ...rest } = response.body as Record<string, unknown>;
    return rest;
  };

  describe('reserving', () => {
    it('lets exactly the stock be reserved when 200 orders compete for 50 units', async () => {
      const productId = await insertProduct(service.pool, { stock: 50, priceMinor: 1250 });
      let lowestSeen = 50;
      let polling = true;
      const poller = (async () => {
        while (polling) {
          lowestSeen = Math.min(lowestSeen, (await stockOf(productId)) ?? -1);
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      })();
      const responses = await withConcurrency(
        50,
        Array.from(
          { length: 200 },
          (_, index) => () => reserve(`race-${index}`, [{ productId, quantity: 1 }]),
        ),
      );
      polling = false;
      await poller;

      const reserved = responses.filter((response) => response.status === 201);
      const refused = responses.filter((response) => response.status === 409);
      assert.equal(reserved.length, 50, 'exactly the stock is reserved');
      assert.equal(refused.length, 150);
      for (const response of refused) {
        const body = problemOf(response);
        assert.equal(body['code'], 'stock_unavailable');
        assert.equal(body['reason'], 'insufficient_stock');
        assert.deepEqual(body['shortages'], [{ productId, requested: 1, available: 0 }]);
      }
      assert.deepEqual(reserved[0]?.body, {
        orderId: (reserved[0]?.body as { orderId: string }).orderId,
        status: 'reserved',
        items: [{ productId, sellerId: 'seller-1', quantity: 1, unitPriceMinor: 1250, currency: 'EUR' }],
      });
      const remaining = await stockOf(productId);
      assert.equal(remaining, 0);
      assert.ok(lowestSeen >= 0, `stock was never negative (lowest seen ${lowestSeen})`);
      assert.equal(
        50,
        (remaining ?? NaN) + ((await reservedUnits(productId)) ?? NaN),
        'initial = remaining + reserved',
      );
      assert.equal(
        await metricValue(service.metrics, 'stock_reservations_total', { outcome: 'reserved' }),
        50,
      );
      assert.equal(
        await metricValue(service.metrics, 'stock_reservations_total', { outcome: 'rejected' }),
        150,
      );
    });

    it('reserves nothing of a multi-item order when one item lacks stock', async () => {
      const plenty = await insertProduct(service.pool, { stock: 10 });
      const scarce = await insertProduct(service.pool, { stock: 1 });
      const other = await insertProduct(service.pool, { stock: 5, sellerId: 'seller-2' });
      const response = await reserve('multi-short', [
        { productId: plenty, quantity: 2 },
        { productId: scarce, quantity: 2 },
        { productId: other, quantity: 1 },
      ]);
      assert.equal(response.status, 409);
      assert.deepEqual(problemOf(response), {
        type: 'urn:marketshare:problem:stock_unavailable',
        title: 'Conflict',
        status: 409,
        code: 'stock_unavailable',
        detail: 'Not every item is available; nothing was reserved.',
        orderId: 'multi-short',
        reservationStatus: 'rejected',
        reason: 'insufficient_stock',
        shortages: [{ productId: scarce, requested: 2, available: 1 }],
      });
      assert.deepEqual(
        [await stockOf(plenty), await stockOf(scarce), await stockOf(other)],
        [10, 1, 5],
        'every stock unchanged',
      );
      const { rows } = await service.pool.query(
        "SELECT 1 FROM stock_reservation_items WHERE order_id = 'multi-short'",
      );
      assert.equal(rows.length, 0);
    });

    it('refuses unpublished and unknown products as product_unavailable, without disclosing their stock', async () => {
      const hidden = await insertProduct(service.pool, { stock: 7, status: 'unpublished' });
      const fine = await insertProduct(service.pool, { stock: 7 });
      const missing = randomUUID();
      const response = await reserve('unavailable-1', [
        { productId: fine, quantity: 1 },
        { productId: hidden, quantity: 1 },
        { productId: missing, quantity: 3 },
      ]);
      assert.equal(response.status, 409);
      const body = problemOf(response);
      assert.equal(body['reason'], 'product_unavailable');
      assert.deepEqual(body['shortages'], [
        { productId: hidden, requested: 1, available: 0 },
        { productId: missing, requested: 3, available: 0 },
      ]);
      assert.deepEqual([await stockOf(hidden), await stockOf(fine)], [7, 7]);
    });

    it('reserves several products (of several sellers) at their current prices', async () => {
      const first = await insertProduct(service.pool, { stock: 3, priceMinor: 500, currency: 'EUR' });
      const second = await insertProduct(service.pool, {
        stock: 4,
        priceMinor: 12_000,
        currency: 'USD',
        sellerId: 'seller-9',
      });
      const response = await reserve('multi-ok', [
        { productId: second, quantity: 4 },
        { productId: first.toUpperCase(), quantity: 1 },
      ]);
      assert.equal(response.status, 201);
      assert.deepEqual(response.body, {
        orderId: 'multi-ok',
        status: 'reserved',
        items: [
          { productId: second, sellerId: 'seller-9', quantity: 4, unitPriceMinor: 12_000, currency: 'USD' },
          { productId: first, sellerId: 'seller-1', quantity: 1, unitPriceMinor: 500, currency: 'EUR' },
        ],
      });
      assert.deepEqual([await stockOf(first), await stockOf(second)], [2, 0]);
    });
  });

  describe('idempotency by order id', () => {
    it('answers a retry with the same answer and reserves nothing more', async () => {
      const productId = await insertProduct(service.pool, { stock: 10, priceMinor: 700 });
      const first = await reserve('retry-1', [{ productId, quantity: 3 }]);
      await service.pool.query('UPDATE products SET price_minor = 900 WHERE id = $1', [productId]);
      const again = await reserve('retry-1', [{ productId, quantity: 3 }]);
      assert.equal(first.status, 201);
      assert.equal(again.status, 201);
      assert.deepEqual(again.body, first.body, 'the stored answer, at the price reserved at');
      assert.equal(await stockOf(productId), 7);
      assert.equal(await reservationCount('retry-1'), 1);
    });

    it('answers 20 concurrent duplicates alike, with one reservation', async () => {
      const productId = await insertProduct(service.pool, { stock: 30 });
      const other = await insertProduct(service.pool, { stock: 30 });
      const items = [
        { productId, quantity: 2 },
        { productId: other, quantity: 5 },
      ];
      const before = await metricValue(service.metrics, 'stock_reservations_total', { outcome: 'duplicate' });
      const responses = await Promise.all(Array.from({ length: 20 }, () => reserve('dup-burst', items)));
      assert.deepEqual(
        responses.map((response) => response.status),
        Array.from({ length: 20 }, () => 201),
      );
      for (const response of responses) assert.deepEqual(response.body, responses[0]?.body);
      assert.deepEqual([await stockOf(productId), await stockOf(other)], [28, 25]);
      assert.equal(await reservedUnits(productId), 2);
      assert.equal(
        (await metricValue(service.metrics, 'stock_reservations_total', { outcome: 'duplicate' })) - before,
        19,
      );
    });

    it('treats the same items in another order as the same request', async () => {
      const a = await insertProduct(service.pool, { stock: 5 });
      const b = await insertProduct(service.pool, { stock: 5 });
      const first = await reserve('reordered', [
        { productId: a, quantity: 1 },
        { productId: b, quantity: 2 },
      ]);
      const again = await reserve('reordered', [
        { productId: b, quantity: 2 },
        { productId: a, quantity: 1 },
      ]);
      assert.equal(again.status, 201);
      assert.deepEqual(again.body, first.body);
      assert.deepEqual([await stockOf(a), await stockOf(b)], [4, 3]);
    });

    it('answers a retried refusal with the same refusal', async () => {
      const productId = await insertProduct(service.pool, { stock: 1 });
      const first = await reserve('refused-retry', [{ productId, quantity: 2 }]);
      await service.pool.query('UPDATE products SET stock = 100 WHERE id = $1', [productId]);
      const again = await reserve('refused-retry', [{ productId, quantity: 2 }]);
      assert.equal(first.status, 409);
      assert.equal(again.status, 409);
      assert.deepEqual(problemOf(again), problemOf(first));
      assert.equal(await stockOf(productId), 100, 'the retry reserved nothing');
    });

    it('refuses the same order id with different items (409 reservation_conflict)', async () => {
      const productId = await insertProduct(service.pool, { stock: 10 });
      assert.equal((await reserve('conflict-1', [{ productId, quantity: 1 }])).status, 201);
      const other = await reserve('conflict-1', [{ productId, quantity: 2 }]);
      assert.equal(other.status, 409);
      assert.equal(problemOf(other)['code'], 'reservation_conflict');
      assert.equal(await stockOf(productId), 9);
    });
  });

  describe('release and confirm', () => {
    it('puts the stock back once however often it is released', async () => {
      const productId = await insertProduct(service.pool, { stock: 10 });
      assert.equal((await reserve('release-1', [{ productId, quantity: 4 }])).status, 201);
      assert.equal(await stockOf(productId), 6);
      const [first, second] = await Promise.all([
        transition('release-1', 'release'),
        transition('release-1', 'release'),
      ]);
      const third = await transition('release-1', 'release');
      for (const response of [first, second, third]) {
        assert.equal(response.status, 200);
        assert.deepEqual(response.body, {
          orderId: 'release-1',
          status: 'released',
          items: [{ productId, sellerId: 'seller-1', quantity: 4, unitPriceMinor: 1999, currency: 'EUR' }],
        });
      }
      assert.equal(await stockOf(productId), 10, 'stock back once');
      const confirm = await transition('release-1', 'confirm');
      assert.equal(confirm.status, 409);
      assert.equal(problemOf(confirm)['code'], 'reservation_released');
      const reReserve = await reserve('release-1', [{ productId, quantity: 4 }]);
      assert.equal(reReserve.status, 409, 'a released order id is not reserved again');
      assert.equal(problemOf(reReserve)['code'], 'reservation_released');
      assert.equal(await stockOf(productId), 10);
    });

    it('releases a refused reservation as a no-op and answers 404 for an order never seen', async () => {
      const productId = await insertProduct(service.pool, { stock: 1 });
      assert.equal((await reserve('release-refused', [{ productId, quantity: 5 }])).status, 409);
      const released = await transition('release-refused', 'release');
      assert.equal(released.status, 200);
      assert.deepEqual(released.body, { orderId: 'release-refused', status: 'rejected', items: [] });
      assert.equal(await stockOf(productId), 1);

      const unknown = await transition('never-reserved', 'release');
      assert.equal(unknown.status, 404);
      assert.equal(problemOf(unknown)['code'], 'reservation_not_found');
      assert.equal(await reservationCount('never-reserved'), 0, 'nothing recorded');
      assert.equal((await transition('never-reserved', 'confirm')).status, 404);
    });

    it('waits for a reservation still being made before answering a release', async () => {
      const productId = await insertProduct(service.pool, { stock: 3 });
      const client = await service.pool.connect();
      try {
        // A reserve transaction of this order id that has not committed yet.
        await client.query('BEGIN');
        await client.query(
          `INSERT INTO stock_reservations (order_id, status, request_hash, answer)
           VALUES ('in-flight', 'rejected', 'h', $1::jsonb)`,
          [
            JSON.stringify({
              orderId: 'in-flight',
              status: 'rejected',
              reason: 'insufficient_stock',
              shortages: [{ productId, requested: 9, available: 3 }],
            }),
          ],
        );
        let settled = false;
        const release = transition('in-flight', 'release').finally(() => {
          settled = true;
        });
        await new Promise((resolve) => setTimeout(resolve, 300));
        assert.equal(settled, false, 'the release waits for the reserve to finish');
        await client.query('COMMIT');
        const response = await release;
        assert.equal(response.status, 200);
        assert.deepEqual(response.body, { orderId: 'in-flight', status: 'rejected', items: [] });
      } finally {
        client.release();
      }
    });

    it('confirms a delivered order: the stock stays taken, and it can no longer be released', async () => {
      const productId = await insertProduct(service.pool, { stock: 8, priceMinor: 300 });
      assert.equal((await reserve('confirm-1', [{ productId, quantity: 3 }])).status, 201);
      const expected = {
        orderId: 'confirm-1',
        status: 'confirmed',
        items: [{ productId, sellerId: 'seller-1', quantity: 3, unitPriceMinor: 300, currency: 'EUR' }],
      };
      const first = await transition('confirm-1', 'confirm');
      const second = await transition('confirm-1', 'confirm');
      assert.equal(first.status, 200);
      assert.deepEqual(first.body, expected);
      assert.deepEqual(second.body, expected);
      assert.equal(await stockOf(productId), 5);
      const release = await transition('confirm-1', 'release');
      assert.equal(release.status, 409);
      assert.equal(problemOf(release)['code'], 'reservation_confirmed');
      assert.equal(await stockOf(productId), 5);
      const retry = await reserve('confirm-1', [{ productId, quantity: 3 }]);
      assert.equal(retry.status, 201);
      assert.deepEqual(retry.body, expected, 'a late retry sees the confirmed reservation');
      assert.equal(await stockOf(productId), 5);
    });
  });

  describe('authorization', () => {
    it('answers 401 without a token and 403 without the scope or to a person', async () => {
      const productId = await insertProduct(service.pool, { stock: 5 });
      const items = [{ productId, quantity: 1 }];
      const anonymous = await httpRequest(`${service.url}${RESERVATIONS}`, {
        json: { orderId: 'auth-1', items },
      });
      assert.equal(anonymous.status, 401);
      assert.match(anonymous.headers.get('www-authenticate') ?? '', /^Bearer /);

      const noScope = await reserve('auth-1', items, service.issuer.serviceToken('ms-orders', 'users:read'));
      assert.equal(noScope.status, 403);
      assert.equal(problemOf(noScope)['code'], 'insufficient_scope');

      const otherService = await reserve(
        'auth-1',
        items,
        service.issuer.serviceToken('ms-email', 'users:read'),
      );
      assert.equal(otherService.status, 403);

      const consumer = await reserve('auth-1', items, service.issuer.userToken('buyer-1', 'consumer'));
      assert.equal(consumer.status, 403);
      const admin = await reserve(
        'auth-1',
        items,
        service.issuer.userToken('admin-1', 'admin', 'stock:reserve'),
      );
      assert.equal(admin.status, 403, 'a person is refused even with the scope');
      assert.equal(problemOf(admin)['code'], 'forbidden_client');

      const bad = await reserve('auth-1', items, 'not-a-jwt');
      assert.equal(bad.status, 401);

      for (const action of ['release', 'confirm'] as const) {
        assert.equal(
          (await transition('auth-1', action, service.issuer.userToken('s', 'seller'))).status,
          403,
        );
        const unauthenticated = await httpRequest(`${service.url}${RESERVATIONS}/auth-1/${action}`, {
          method: 'POST',
        });
        assert.equal(unauthenticated.status, 401);
      }
      assert.equal(await stockOf(productId), 5);
      assert.equal(await reservationCount('auth-1'), 0);
    });
  });

  describe('bad input', () => {
    let productId: string;
    let otherId: string;
    before(async () => {
      productId = await insertProduct(service.pool, { stock: 5 });
      otherId = await insertProduct(service.pool, { stock: 5 });
    });

    const post = (body: string, contentType = 'application/json') =>
      httpRequest(`${service.url}${RESERVATIONS}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ordersToken}`, 'content-type': contentType },
        body,
      });
    const fieldsOf = (response: JsonResponse) =>
      ((problemOf(response)['errors'] ?? []) as { field: string }[]).map((error) => error.field);

    const cases: { name: string; body: () => unknown; field: string }[] = [
      {
        name: 'an unknown top-level field',
        body: () => ({ orderId: 'bad-1', items: [{ productId, quantity: 1 }], note: 'x' }),
        field: 'note',
      },
      {
        name: 'an unknown item field',
        body: () => ({ orderId: 'bad-1', items: [{ productId, quantity: 1, price: 1 }] }),
        field: 'items.0.price',
      },
      {
        name: 'quantity 0',
        body: () => ({ orderId: 'bad-1', items: [{ productId, quantity: 0 }] }),
        field: 'items.0.quantity',
      },
      {
        name: 'quantity over 1000',
        body: () => ({ orderId: 'bad-1', items: [{ productId, quantity: 1001 }] }),
        field: 'items.0.quantity',
      },
      {
        name: 'a fractional quantity',
        body: () => ({ orderId: 'bad-1', items: [{ productId, quantity: 1.5 }] }),
        field: 'items.0.quantity',
      },
      {
        name: 'a quantity as a string',
        body: () => ({ orderId: 'bad-1', items: [{ productId, quantity: '1' }] }),
        field: 'items.0.quantity',
      },
      {
        name: 'a product twice',
        body: () => ({
          orderId: 'bad-1',
          items: [
            { productId, quantity: 1 },
            { productId: otherId, quantity: 1 },
            { productId, quantity: 2 },
          ],
        }),
        field: 'items.2.productId',
      },
      {
        name: 'a product twice in another letter case',
        body: () => ({
          orderId: 'bad-1',
          items: [
            { productId, quantity: 1 },
            { productId: productId.toUpperCase(), quantity: 1 },
          ],
        }),
        field: 'items.1.productId',
      },
      {
        name: '101 items',
        body: () => ({
          orderId: 'bad-1',
          items: Array.from({ length: 101 }, () => ({ productId: randomUUID(), quantity: 1 })),
        }),
        field: 'items',
      },
      { name: 'no items', body: () => ({ orderId: 'bad-1', items: [] }), field: 'items' },
      {
        name: 'a product id that is no uuid',
        body: () => ({ orderId: 'bad-1', items: [{ productId: "1' OR '1'='1", quantity: 1 }] }),
        field: 'items.0.productId',
      },
      {
        name: 'an order id with other characters',
        body: () => ({ orderId: 'bad 1;--', items: [{ productId, quantity: 1 }] }),
        field: 'orderId',
      },
      {
        name: 'an order id of 65 characters',
        body: () => ({ orderId: 'x'.repeat(65), items: [{ productId, quantity: 1 }] }),
        field: 'orderId',
      },
      { name: 'no order id', body: () => ({ items: [{ productId, quantity: 1 }] }), field: 'orderId' },
      {
        name: 'items that are no list',
        body: () => ({ orderId: 'bad-1', items: { productId, quantity: 1 } }),
        field: 'items',
      },
    ];
    for (const testCase of cases) {
      it(`answers 400 naming the field for ${testCase.name}`, async () => {
        const response = await post(JSON.stringify(testCase.body()));
        assert.equal(response.status, 400, response.text);
        assert.equal(problemOf(response)['code'], 'validation_failed');
        assert.ok(
          fieldsOf(response).includes(testCase.field),
          `${testCase.field} in ${fieldsOf(response).join(', ')}`,
        );
      });
    }

    it('answers malformed JSON, a wrong content type and a huge body with 4xx problems', async () => {
      const malformed = await post('{"orderId": "bad-1", "items": [');
      assert.equal(malformed.status, 400);
      assert.equal(problemOf(malformed)['code'], 'malformed_body');
      const text = await post('orderId=bad-1', 'text/plain');
      assert.equal(text.status, 415);
      const huge = await post(JSON.stringify({ orderId: 'bad-1', items: [], pad: 'x'.repeat(20_000) }));
      assert.equal(huge.status, 413);
      const invalidParam = await transition('bad id!', 'release');
      assert.equal(invalidParam.status, 400);
      assert.ok(fieldsOf(invalidParam).includes('params.orderId'));
    });

    it('changed nothing', async () => {
      assert.deepEqual([await stockOf(productId), await stockOf(otherId)], [5, 5]);
      assert.equal(await reservationCount('bad-1'), 0);
    });
  });

  // Mocha runs a suite's own tests before its nested suites: this one sits in a suite to run last.
  describe('metrics', () => {
    it('exposes the reservation metrics on /metrics', async () => {
      const response = await httpRequest(`${service.url}/metrics`);
      assert.match(response.text, /stock_reservations_total\{outcome="released",service="ms-products"\} 1\n/);
      assert.match(
        response.text,
        /stock_reservations_total\{outcome="confirmed",service="ms-products"\} 1\n/,
      );
      assert.match(
        response.text,
        /stock_reservation_duration_seconds_count\{[^}]*outcome="reserved"[^}]*\} \d+\n/,
      );
    });
  });
});
