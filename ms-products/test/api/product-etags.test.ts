import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { httpRequest, type JsonResponse } from '@marketshare/platform/testing';
import {
  bearer,
  field,
  problemFields,
  productRow,
  startCatalogueService,
  type CatalogueTestService,
} from './products-support.js';

const newProduct = { name: 'Pallet jack', category: 'tools', priceMinor: 45_000, currency: 'EUR', stock: 20 };

/** ETag / If-Match on products: a stale write is refused (412) and changes nothing. */
describe('ms-products product versions (ETag, If-Match)', function () {
  this.timeout(60_000);
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

  const request = (
    method: string,
    path: string,
    options: { headers?: Record<string, string>; json?: unknown } = {},
  ) =>
    httpRequest(`${service.url}${path}`, {
      method,
      headers: { ...bearer(sellerToken), ...options.headers },
      ...(options.json === undefined ? {} : { json: options.json }),
    });
  const create = async () => {
    const created = await request('POST', '/api/products', { json: newProduct });
    assert.equal(created.status, 201, created.text);
    return { id: String(field(created.body, 'id')), etag: created.headers.get('etag') ?? '' };
  };
  const patch = (id: string, json: unknown, ifMatch?: string) =>
    request('PATCH', `/api/products/${id}`, {
      json,
      headers: ifMatch === undefined ? {} : { 'if-match': ifMatch },
    });
  const reserve = (productId: string, quantity: number) =>
    httpRequest(`${service.url}/internal/stock/reservations`, {
      headers: bearer(ordersToken),
      json: { orderId: `etag-${randomUUID()}`, items: [{ productId, quantity }] },
    });
  const assertPreconditionFailed = (response: JsonResponse) => {
    assert.equal(response.status, 412, response.text);
    assert.match(String(response.headers.get('content-type')), /^application\/problem\+json/);
    assert.equal(field(response.body, 'code'), 'precondition_failed');
  };

  it('tags every view of a product with a strong ETag from its version, the owner view apart', async () => {
    const { id, etag } = await create();
    assert.equal(etag, '"1-seller"');
    const own = await request('GET', `/api/products/${id}`);
    assert.equal(own.headers.get('etag'), '"1-seller"');
    const anonymous = await httpRequest(`${service.url}/api/products/${id}`);
    assert.equal(anonymous.headers.get('etag'), '"1"');
    const admin = await httpRequest(`${service.url}/api/products/${id}`, {
      headers: bearer(service.issuer.userToken(randomUUID(), 'admin')),
    });
    assert.equal(admin.headers.get('etag'), '"1-admin"');
    // A reservation changes the stock, so it changes the version too.
    assert.equal((await reserve(id, 2)).status, 201);
    assert.equal((await request('GET', `/api/products/${id}`)).headers.get('etag'), '"2-seller"');
  });

  it('applies a write whose If-Match is current and answers the new ETag', async () => {
    const { id, etag } = await create();
    const updated = await patch(id, { priceMinor: 44_000 }, etag);
    assert.equal(updated.status, 200, updated.text);
    assert.equal(updated.headers.get('etag'), '"2-seller"');
    // The public tag of the same version matches too; so does `*`, and a list holding the current one.
    assert.equal((await patch(id, { priceMinor: 43_000 }, '"2"')).status, 200);
    assert.equal((await patch(id, { priceMinor: 42_000 }, '*')).status, 200);
    assert.equal((await patch(id, { priceMinor: 41_000 }, '"1-seller", "4-seller"')).status, 200);
  });

  it('refuses a stale If-Match with 412 precondition_failed and changes nothing', async () => {
    const { id, etag } = await create();
    assert.equal((await patch(id, { name: 'Renamed' }, etag)).status, 200);
    const before = await productRow(service.pool, id);
    assertPreconditionFailed(await patch(id, { stock: 100, name: 'Stale' }, etag));
    // Weak tags never match (If-Match compares strongly); tags that are not ours name no version.
    assertPreconditionFailed(await patch(id, { stock: 100 }, 'W/"2-seller"'));
    assertPreconditionFailed(await patch(id, { stock: 100 }, '"something-else"'));
    assert.deepEqual(await productRow(service.pool, id), before);
  });

  it('names the header when If-Match is not a list of entity tags (400)', async () => {
    const { id } = await create();
    const before = await productRow(service.pool, id);
    const response = await patch(id, { stock: 1 }, 'no-quotes');
    assert.equal(response.status, 400, response.text);
    assert.ok(problemFields(response).includes('headers.if-match'), response.text);
    assert.deepEqual(await productRow(service.pool, id), before);
  });

  it('answers 404, not 412, for a product that is not yours', async () => {
    const { id, etag } = await create();
    const other = await httpRequest(`${service.url}/api/products/${id}`, {
      method: 'PATCH',
      headers: { ...bearer(service.issuer.userToken(randomUUID(), 'seller')), 'if-match': etag },
      json: { stock: 1 },
    });
    assert.equal(other.status, 404, other.text);
  });

  it('loses no reserved unit when a seller writes stock with the ETag read before a reservation', async () => {
    const { id } = await create();
    for (let round = 0; round < 10; round += 1) {
      const read = await request('GET', `/api/products/${id}`);
      const etag = read.headers.get('etag') ?? '';
      const stockRead = Number(field(read.body, 'stock'));
      // The reservation and the seller's write race; whichever order they land in, stock adds up.
      const [reserved, written] = await Promise.all([
        reserve(id, 1),
        patch(id, { stock: stockRead + 5 }, etag),
      ]);
      assert.equal(reserved.status, 201, reserved.text);
      const now = Number(field((await request('GET', `/api/products/${id}`)).body, 'stock'));
      if (written.status === 200) {
        // The write landed first: the reservation came after it, from the new stock.
        assert.equal(now, stockRead + 5 - 1);
      } else {
        assertPreconditionFailed(written);
        assert.equal(now, stockRead - 1, 'the stale write changed nothing');
      }
    }
    // One more, forced stale: the ETag is read, then a reservation lands, then the write.
    const read = await request('GET', `/api/products/${id}`);
    const stockRead = Number(field(read.body, 'stock'));
    assert.equal((await reserve(id, 3)).status, 201);
    assertPreconditionFailed(await patch(id, { stock: stockRead + 10 }, read.headers.get('etag') ?? ''));
    assert.equal(Number(field((await request('GET', `/api/products/${id}`)).body, 'stock')), stockRead - 3);
  });

  it('declares If-Match in the OpenAPI document, optional', async () => {
    const response = await fetch(`${service.url}/api/products/openapi.json`);
    const document = JSON.parse(await response.text()) as {
      paths: Record<
        string,
        Record<string, { parameters?: { in: string; name: string; required?: boolean }[] }>
      >;
    };
    const parameters = document.paths['/api/products/{id}']?.['patch']?.parameters ?? [];
    assert.deepEqual(
      parameters
        .filter((parameter) => parameter.in === 'header')
        .map(({ name, required }) => ({ name, required })),
      [{ name: 'if-match', required: false }],
    );
    assert.ok(document.paths['/api/products/{id}/stock-adjustments']?.['post']);
  });
});
