import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { httpRequest, type JsonResponse } from '@marketshare/platform/testing';
import { withConcurrency } from '../support/stock-harness.js';
import {
  bearer,
  field,
  problemFields,
  productRow,
  startCatalogueService,
  type CatalogueTestService,
} from './products-support.js';

/** POST /api/products/{id}/stock-adjustments: relative, atomic, never below 0, never losing a reservation. */
describe('ms-products stock adjustments', function () {
  this.timeout(120_000);
  let service: CatalogueTestService;
  let sellerToken: string;
  let ordersToken: string;

  before(async () => {
    service = await startCatalogueService();
    sellerToken = service.issuer.userToken(randomUUID(), 'seller');
    ordersToken = service.issuer.serviceToken('ms-orders', 'stock:reserve');
  });
  after(async () => {
    await service?.stop();
  });

  const create = async (stock: number) => {
    const created = await httpRequest(`${service.url}/api/products`, {
      headers: bearer(sellerToken),
      json: { name: 'Forklift battery', category: 'tools', priceMinor: 99_000, currency: 'EUR', stock },
    });
    assert.equal(created.status, 201, created.text);
    return String(field(created.body, 'id'));
  };
  const adjust = (id: string, body: unknown, token = sellerToken) =>
    httpRequest(`${service.url}/api/products/${id}/stock-adjustments`, {
      headers: bearer(token),
      json: body,
    });
  const reserve = (productId: string, quantity: number) =>
    httpRequest(`${service.url}/internal/stock/reservations`, {
      headers: bearer(ordersToken),
      json: { orderId: `adj-${randomUUID()}`, items: [{ productId, quantity }] },
    });
  const stockOf = async (id: string) => Number((await productRow(service.pool, id))?.['stock']);

  it('adds and takes away units, answering the product with its new stock and ETag', async () => {
    const id = await create(10);
    const added = await adjust(id, { delta: 5 });
    assert.equal(added.status, 200, added.text);
    assert.equal(field(added.body, 'stock'), 15);
    assert.equal(added.headers.get('etag'), '"2-seller"');
    const taken = await adjust(id, { delta: -15 });
    assert.equal(taken.status, 200, taken.text);
    assert.equal(field(taken.body, 'stock'), 0);
    assert.equal(field(taken.body, 'inStock'), false);
  });

  it('refuses to take more than there is (409 delta_exceeds_stock) and changes nothing', async () => {
    const id = await create(3);
    const before = await productRow(service.pool, id);
    const refused = await adjust(id, { delta: -4 });
    assert.equal(refused.status, 409, refused.text);
    assert.match(String(refused.headers.get('content-type')), /^application\/problem\+json/);
    assert.equal(field(refused.body, 'code'), 'delta_exceeds_stock');
    assert.deepEqual(problemFields(refused), ['delta']);
    const tooMany = await adjust(id, { delta: 1_000_000_000 });
    assert.equal(tooMany.status, 409, tooMany.text);
    assert.equal(field(tooMany.body, 'code'), 'delta_exceeds_stock_limit');
    assert.deepEqual(await productRow(service.pool, id), before);
  });

  it('validates the body (400 naming delta, unknown fields refused) and hides others’ products (404)', async () => {
    const id = await create(3);
    const before = await productRow(service.pool, id);
    for (const body of [
      { delta: 1.5 },
      { delta: '1' },
      {},
      { delta: 2_000_000_000 },
      { delta: 1, stock: 9 },
    ]) {
      const response = await adjust(id, body);
      assert.equal(response.status, 400, `${JSON.stringify(body)}: ${response.text}`);
    }
    assert.ok(problemFields(await adjust(id, { delta: 1.5 })).includes('delta'));
    assert.equal(
      (await adjust(id, { delta: 1 }, service.issuer.userToken(randomUUID(), 'seller'))).status,
      404,
    );
    assert.equal(
      (await adjust(id, { delta: 1 }, service.issuer.userToken(randomUUID(), 'consumer'))).status,
      403,
    );
    assert.equal((await adjust(randomUUID(), { delta: 1 })).status, 404);
    assert.deepEqual(await productRow(service.pool, id), before);
  });

  it('never loses a unit when 50 reservations race 50 adjustments: final = initial + Σdelta − reserved', async () => {
    const initial = 40;
    const id = await create(initial);
    const deltas = Array.from({ length: 50 }, (_, index) => (index % 3 === 0 ? -2 : 3));
    // Alternate the two kinds so they really run at the same time.
    type Outcome = { kind: 'adjust' | 'reserve'; delta: number; response: JsonResponse };
    const tasks = deltas.flatMap((delta): (() => Promise<Outcome>)[] => [
      async () => ({ kind: 'adjust', delta, response: await adjust(id, { delta }) }),
      async () => ({ kind: 'reserve', delta: 0, response: await reserve(id, 2) }),
    ]);
    const results = await withConcurrency(25, tasks);
    let applied = 0;
    let reservedUnits = 0;
    for (const { kind, delta, response } of results) {
      if (kind === 'adjust') {
        if (response.status === 200) applied += delta;
        else assert.equal(field(response.body, 'code'), 'delta_exceeds_stock', response.text);
      } else if (response.status === 201) reservedUnits += 2;
      else assert.equal(field(response.body, 'code'), 'stock_unavailable', response.text);
    }
    assert.ok(reservedUnits > 0 && applied !== 0);
    assert.equal(await stockOf(id), initial + applied - reservedUnits);
    const { rows } = await service.pool.query<{ units: number }>(
      `SELECT COALESCE(SUM(quantity), 0)::int AS units FROM stock_reservation_items WHERE product_id = $1`,
      [id],
    );
    assert.equal(rows[0]?.units, reservedUnits, 'every answered reservation holds its units');
  });
});
