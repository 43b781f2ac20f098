import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { httpRequest } from '@marketshare/platform/testing';
import { call, startOrdersApp, type OrdersTestApp } from '../support/orders-harness.js';

/**
 * A fixed fixture of orders written straight into MongoDB, and the figures it must give, worked
 * out by hand (the numbers below are literals, never recomputed with the code under test).
 */
type Line = [productId: string, name: string, quantity: number, unitPriceMinor: number];
// prettier-ignore
type Row = [id: string, consumer: string, seller: string, status: string, currency: string, at: string, fee: number, lines: Line[]];

// One order a line: a table reads better than prettier's one field a line.
// prettier-ignore
const FIXTURE: Row[] = [
  // consumer c-ana, EUR, counting
  ['o01', 'c-ana', 's-alpha', 'DELIVERED', 'EUR', '2023-11-05T10:00:00.000Z', 240, [['p-bolt', 'Bolt M8', 10, 1000], ['p-nut', 'Nut M8', 4, 500]]],
  ['o02', 'c-ana', 's-beta', 'RECEIVED', 'EUR', '2023-12-31T23:59:59.999Z', 100, [['p-gear', 'Gear', 2, 2500]]],
  ['o03', 'c-ana', 's-alpha', 'IN_DELIVERY', 'EUR', '2024-01-01T00:00:00.000Z', 500, [['p-bolt', 'Bolt M8', 30, 1000]]],
  ['o04', 'c-ana', 's-gamma', 'DELIVERED', 'EUR', '2024-01-20T08:00:00.000Z', 500, [['p-saw', 'Saw', 1, 30000]]],
  ['o05', 'c-ana', 's-delta', 'RECEIVED', 'EUR', '2024-03-10T12:00:00.000Z', 20, [['p-tape', 'Tape', 1, 999]]],
  ['o06', 'c-ana', 's-epsilon', 'DELIVERED', 'EUR', '2024-03-11T12:00:00.000Z', 20, [['p-glue', 'Glue', 1, 1001]]],
  ['o07', 'c-ana', 's-zeta', 'DELIVERED', 'EUR', '2024-03-12T12:00:00.000Z', 20, [['p-pen', 'Pen', 1, 999]]],
  // consumer c-ana, EUR, never counted (each would change the figures if it were)
  ['o08', 'c-ana', 's-alpha', 'CANCELLED', 'EUR', '2024-01-15T09:00:00.000Z', 500, [['p-bolt', 'Bolt (cancelled name)', 99, 1000]]],
  ['o09', 'c-ana', 's-beta', 'REJECTED', 'EUR', '2024-01-16T09:00:00.000Z', 0, [['p-gear', 'Gear', 20, 2500]]],
  ['o10', 'c-ana', 's-gamma', 'OUT_OF_STOCK', 'EUR', '2024-01-17T09:00:00.000Z', 0, [['p-saw', 'Saw', 3, 30000]]],
  // consumer c-ana, USD
  ['o11', 'c-ana', 's-alpha', 'DELIVERED', 'USD', '2024-01-31T23:59:59.999Z', 20, [['p-widget-us', 'Widget (US)', 1, 1000]]],
  ['o12', 'c-ana', 's-beta', 'RECEIVED', 'USD', '2025-02-01T00:00:00.000Z', 20, [['p-gear-us', 'Gear (US)', 1, 1001]]],
  // another consumer, buying from s-alpha
  ['o13', 'c-other', 's-alpha', 'DELIVERED', 'EUR', '2024-01-10T15:30:00.000Z', 500, [
    ['p-bolt', 'Bolt M8 (new)', 40, 1000], ['p-washer', 'Washer', 4, 250], ['p-clip', 'Clip', 4, 250],
    ['p-rivet', 'Rivet', 4, 100], ['p-pin', 'Pin', 2, 300], ['p-hook', 'Hook', 1, 5000],
  ]],
  ['o14', 'c-other', 's-alpha', 'DELIVERED', 'GBP', '2024-02-01T00:00:00.000Z', 100, [['p-bolt-gb', 'Bolt (UK)', 5, 1000]]],
  ['o15', 'c-other', 's-alpha', 'REJECTED', 'EUR', '2024-02-02T00:00:00.000Z', 0, [['p-nut', 'Nut M8', 14, 500]]],
  // a seller with nothing but an out-of-stock order
  ['o16', 'c-ana', 's-void', 'OUT_OF_STOCK', 'EUR', '2024-04-01T00:00:00.000Z', 0, [['p-void', 'Void', 1, 777]]],
];

function orderDocument([id, consumerId, sellerId, status, currency, at, fee, lines]: Row) {
  const items = lines.map(([productId, name, quantity, unitPriceMinor]) => ({
    productId,
    name,
    quantity,
    unitPriceMinor,
    lineTotalMinor: quantity * unitPriceMinor,
  }));
  const createdAt = new Date(at);
  return {
    _id: id,
    checkoutId: `checkout-${id}`,
    consumerId,
    sellerId,
    status,
    currency,
    items,
    totalMinor: items.reduce((sum, item) => sum + item.lineTotalMinor, 0),
    platformFeeMinor: fee,
    statusHistory: [{ status, at: createdAt, by: 'system' }],
    createdAt,
    updatedAt: createdAt,
  };
}

const ZERO_STATUSES = {
  RECEIVED: 0,
  IN_DELIVERY: 0,
  DELIVERED: 0,
  CANCELLED: 0,
  REJECTED: 0,
  OUT_OF_STOCK: 0,
};
const OPEN = { from: null, to: null };

describe('ms-orders analytics', function () {
  this.timeout(60_000);
  let app: OrdersTestApp;
  before(async () => {
    app = await startOrdersApp();
    await app.models.orders.insertMany(FIXTURE.map(orderDocument));
  });
  after(async () => {
    await app?.stop();
  });
  const consumer = (id: string, query = '') =>
    call(app, 'GET', `/api/analytics/consumer${query}`, app.consumerToken(id));
  const seller = (id: string, query = '') =>
    call(app, 'GET', `/api/analytics/seller${query}`, app.sellerToken(id));

  it("gives a consumer's purchases per currency, counting only RECEIVED, IN_DELIVERY and DELIVERED", async () => {
    const response = await consumer('c-ana');
    assert.equal(response.status, 200, response.text);
    assert.deepEqual(response.body, {
      range: OPEN,
      orderCount: 9,
      byCurrency: [
        {
          currency: 'EUR',
          orderCount: 7,
          totalSpentMinor: 79999,
          averageOrderMinor: 11428, // 79999 / 7 = 11428.43
          // o03 and o04 both total 30000: the earlier one is the biggest
          biggestPurchase: { orderId: 'o03', totalMinor: 30000, createdAt: '2024-01-01T00:00:00.000Z' },
          spendByMonth: [
            { month: '2023-11', spentMinor: 12000, orderCount: 1 },
            { month: '2023-12', spentMinor: 5000, orderCount: 1 },
            { month: '2024-01', spentMinor: 60000, orderCount: 2 },
            { month: '2024-03', spentMinor: 2999, orderCount: 3 },
          ],
          // s-delta and s-zeta both at 999: s-delta wins the fifth place by id
          topSellers: [
            { sellerId: 's-alpha', spentMinor: 42000, orderCount: 2 },
            { sellerId: 's-gamma', spentMinor: 30000, orderCount: 1 },
            { sellerId: 's-beta', spentMinor: 5000, orderCount: 1 },
            { sellerId: 's-epsilon', spentMinor: 1001, orderCount: 1 },
            { sellerId: 's-delta', spentMinor: 999, orderCount: 1 },
          ],
        },
        {
          currency: 'USD',
          orderCount: 2,
          totalSpentMinor: 2001,
          averageOrderMinor: 1001, // 1000.5 rounded half up
          biggestPurchase: { orderId: 'o12', totalMinor: 1001, createdAt: '2025-02-01T00:00:00.000Z' },
          spendByMonth: [
            { month: '2024-01', spentMinor: 1000, orderCount: 1 },
            { month: '2025-02', spentMinor: 1001, orderCount: 1 },
          ],
          topSellers: [
            { sellerId: 's-beta', spentMinor: 1001, orderCount: 1 },
            { sellerId: 's-alpha', spentMinor: 1000, orderCount: 1 },
          ],
        },
      ],
    });
  });

  it("gives a seller's sales per currency, fees, top products and every status", async () => {
    const response = await seller('s-alpha');
    assert.equal(response.status, 200, response.text);
    assert.deepEqual(response.body, {
      range: OPEN,
      orderCount: 5,
      ordersByStatus: {
        RECEIVED: 0,
        IN_DELIVERY: 1,
        DELIVERED: 4,
        CANCELLED: 1,
        REJECTED: 1,
        OUT_OF_STOCK: 0,
      },
      byCurrency: [
        {
          currency: 'EUR',
          orderCount: 3,
          revenueMinor: 90000, // 12000 + 30000 + 48000
          platformFeeMinor: 1240, // 240 + 500 + 500
          netRevenueMinor: 88760,
          unitsSold: 99, // 14 + 30 + 55
          revenueByMonth: [
            { month: '2023-11', revenueMinor: 12000, orderCount: 1 },
            { month: '2024-01', revenueMinor: 78000, orderCount: 2 },
          ],
          // four products at 4 units: by revenue, then clip before washer by id; pin and hook drop out
          topProducts: [
            { productId: 'p-bolt', name: 'Bolt M8 (new)', units: 80, revenueMinor: 80000 },
            { productId: 'p-nut', name: 'Nut M8', units: 4, revenueMinor: 2000 },
            { productId: 'p-clip', name: 'Clip', units: 4, revenueMinor: 1000 },
            { productId: 'p-washer', name: 'Washer', units: 4, revenueMinor: 1000 },
            { productId: 'p-rivet', name: 'Rivet', units: 4, revenueMinor: 400 },
          ],
        },
        {
          currency: 'GBP',
          orderCount: 1,
          revenueMinor: 5000,
          platformFeeMinor: 100,
          netRevenueMinor: 4900,
          unitsSold: 5,
          revenueByMonth: [{ month: '2024-02', revenueMinor: 5000, orderCount: 1 }],
          topProducts: [{ productId: 'p-bolt-gb', name: 'Bolt (UK)', units: 5, revenueMinor: 5000 }],
        },
        {
          currency: 'USD',
          orderCount: 1,
          revenueMinor: 1000,
          platformFeeMinor: 20,
          netRevenueMinor: 980,
          unitsSold: 1,
          revenueByMonth: [{ month: '2024-01', revenueMinor: 1000, orderCount: 1 }],
          topProducts: [{ productId: 'p-widget-us', name: 'Widget (US)', units: 1, revenueMinor: 1000 }],
        },
      ],
    });
  });

  it('counts orders that never moved money by status only', async () => {
    const response = await seller('s-void');
    assert.equal(response.status, 200, response.text);
    assert.deepEqual(response.body, {
      range: OPEN,
      orderCount: 0,
      ordersByStatus: { ...ZERO_STATUSES, OUT_OF_STOCK: 1 },
      byCurrency: [],
    });
  });

  it('answers zeros and empty lists for accounts without orders', async () => {
    assert.deepEqual((await consumer('c-new')).body, { range: OPEN, orderCount: 0, byCurrency: [] });
    assert.deepEqual((await seller('s-new')).body, {
      range: OPEN,
      orderCount: 0,
      ordersByStatus: ZERO_STATUSES,
      byCurrency: [],
    });
  });

  it('limits the figures to whole UTC days from `from` through `to`', async () => {
    const january = await consumer('c-ana', '?from=2024-01-01&to=2024-01-31');
    assert.equal(january.status, 200, january.text);
    assert.deepEqual(january.body, {
      range: { from: '2024-01-01', to: '2024-01-31' },
      orderCount: 3,
      byCurrency: [
        {
          currency: 'EUR',
          orderCount: 2,
          totalSpentMinor: 60000,
          averageOrderMinor: 30000,
          biggestPurchase: { orderId: 'o03', totalMinor: 30000, createdAt: '2024-01-01T00:00:00.000Z' },
          spendByMonth: [{ month: '2024-01', spentMinor: 60000, orderCount: 2 }],
          topSellers: [
            { sellerId: 's-alpha', spentMinor: 30000, orderCount: 1 },
            { sellerId: 's-gamma', spentMinor: 30000, orderCount: 1 },
          ],
        },
        {
          currency: 'USD',
          orderCount: 1,
          totalSpentMinor: 1000,
          averageOrderMinor: 1000,
          biggestPurchase: { orderId: 'o11', totalMinor: 1000, createdAt: '2024-01-31T23:59:59.999Z' },
          spendByMonth: [{ month: '2024-01', spentMinor: 1000, orderCount: 1 }],
          topSellers: [{ sellerId: 's-alpha', spentMinor: 1000, orderCount: 1 }],
        },
      ],
    });
    const fromOnly = (await consumer('c-ana', '?from=2025-01-01')).body as { orderCount: number };
    assert.equal(fromOnly.orderCount, 1);
    const toOnly = (await consumer('c-ana', '?to=2023-12-31')).body as { orderCount: number };
    assert.equal(toOnly.orderCount, 2);
    const sales = await seller('s-alpha', '?from=2024-01-02&to=2024-02-29');
    assert.equal(sales.status, 200, sales.text);
    const body = sales.body as {
      orderCount: number;
      ordersByStatus: unknown;
      byCurrency: { currency: string }[];
    };
    assert.equal(body.orderCount, 3);
    assert.deepEqual(body.ordersByStatus, { ...ZERO_STATUSES, DELIVERED: 3, CANCELLED: 1, REJECTED: 1 });
    assert.deepEqual(
      body.byCurrency.map((entry) => entry.currency),
      ['EUR', 'GBP', 'USD'],
    );
  });

  it('refuses the other role (403) and anonymous callers (401)', async () => {
    assert.equal((await call(app, 'GET', '/api/analytics/consumer', app.sellerToken('s-alpha'))).status, 403);
    assert.equal((await call(app, 'GET', '/api/analytics/seller', app.consumerToken('c-ana'))).status, 403);
    const admin = app.issuer.userToken('root', 'admin');
    assert.equal((await call(app, 'GET', '/api/analytics/consumer', admin)).status, 403);
    assert.equal((await call(app, 'GET', '/api/analytics/seller', admin)).status, 403);
    for (const path of ['/api/analytics/consumer', '/api/analytics/seller']) {
      const anonymous = await httpRequest(`${app.url}${path}`);
      assert.equal(anonymous.status, 401);
    }
  });

  it('refuses bad and unknown query fields with 400 naming the field', async () => {
    const cases: [string, string][] = [
      ['?from=2024-13-01', 'query.from'],
      ['?to=2023-02-29', 'query.to'],
      ['?from=yesterday', 'query.from'],
      ['?from=2024-01-01T00:00:00Z', 'query.from'],
      ['?from=2024-02-01&to=2024-01-31', 'query.to'],
      ['?currency=EUR', 'query.currency'],
      ['?months=12', 'query.months'],
      ['?from=2024-01-01&from=2024-02-01', 'query.from'],
    ];
    for (const [query, field] of cases) {
      for (const response of [await consumer('c-ana', query), await seller('s-alpha', query)]) {
        assert.equal(response.status, 400, `${query}: ${response.text}`);
        assert.match(response.headers.get('content-type') ?? '', /application\/problem\+json/);
        const errors = (response.body as { errors?: { field: string }[] }).errors ?? [];
        assert.ok(
          errors.some((error) => error.field === field),
          `${query}: ${response.text}`,
        );
      }
    }
  });

  it('refuses operator injection in the query with 400', async () => {
    const queries = [
      '?from[$gt]=',
      '?from=%7B%22%24gt%22%3A%22%22%7D',
      '?$where=1',
      '?consumerId=c-other',
      '?sellerId=s-alpha',
      '?a.b=1',
      '?to[$ne]=2024-01-01',
    ];
    for (const query of queries) {
      for (const response of [await consumer('c-ana', query), await seller('s-beta', query)]) {
        assert.equal(response.status, 400, `${query}: ${response.text}`);
        assert.match(response.headers.get('content-type') ?? '', /application\/problem\+json/);
      }
    }
  });

  it('documents both endpoints in the OpenAPI document', async () => {
    const document = await httpRequest(`${app.url}/api/orders/openapi.json`);
    assert.equal(document.status, 200, document.text);
    const paths = (document.body as { paths: Record<string, { get?: { parameters?: { name: string }[] } }> })
      .paths;
    for (const path of ['/api/analytics/consumer', '/api/analytics/seller']) {
      const names = (paths[path]?.get?.parameters ?? []).map((parameter) => parameter.name);
      assert.deepEqual(names.sort(), ['from', 'to'], path);
    }
  });

  it('reflects orders written by checkout and the status machine', async () => {
    const product = app.products.addProduct({
      sellerId: 's-live',
      name: 'Live Widget',
      priceMinor: 1250,
      stock: 20,
    });
    const token = app.consumerToken('c-live');
    const checkout = async () => {
      const response = await call(app, 'POST', '/api/orders/checkout', token, {
        json: { items: [{ productId: product.id, quantity: 3 }] },
        headers: { 'idempotency-key': randomUUID() },
      });
      assert.equal(response.status, 201, response.text);
      const [order] = (response.body as { orders: { id: string; createdAt: string }[] }).orders;
      assert.ok(order);
      return order;
    };
    const kept = await checkout();
    const cancelled = await checkout();
    const move = (id: string, status: string, as: string) =>
      call(app, 'POST', `/api/orders/${id}/status`, as, { json: { status } });
    assert.equal((await move(kept.id, 'IN_DELIVERY', app.sellerToken('s-live'))).status, 200);
    assert.equal((await move(cancelled.id, 'CANCELLED', token)).status, 200);

    const month = kept.createdAt.slice(0, 7);
    assert.deepEqual((await consumer('c-live')).body, {
      range: OPEN,
      orderCount: 1,
      byCurrency: [
        {
          currency: 'EUR',
          orderCount: 1,
          totalSpentMinor: 3750,
          averageOrderMinor: 3750,
          biggestPurchase: { orderId: kept.id, totalMinor: 3750, createdAt: kept.createdAt },
          spendByMonth: [{ month, spentMinor: 3750, orderCount: 1 }],
          topSellers: [{ sellerId: 's-live', spentMinor: 3750, orderCount: 1 }],
        },
      ],
    });
    assert.deepEqual((await seller('s-live')).body, {
      range: OPEN,
      orderCount: 1,
      ordersByStatus: { ...ZERO_STATUSES, IN_DELIVERY: 1, CANCELLED: 1 },
      byCurrency: [
        {
          currency: 'EUR',
          orderCount: 1,
          revenueMinor: 3750,
          platformFeeMinor: 75, // 2 % of 3750
          netRevenueMinor: 3675,
          unitsSold: 3,
          revenueByMonth: [{ month, revenueMinor: 3750, orderCount: 1 }],
          topProducts: [{ productId: product.id, name: 'Live Widget', units: 3, revenueMinor: 3750 }],
        },
      ],
    });
  });
});
