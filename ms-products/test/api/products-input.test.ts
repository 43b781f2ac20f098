import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { httpRequest, type JsonResponse } from '@marketshare/platform/testing';
import {
  bearer,
  clientFor,
  countProducts,
  field,
  newProduct,
  problemFields,
  productRow,
  startCatalogueService,
  type CatalogueTestService,
  type Client,
} from './products-support.js';

/** Bad input on every endpoint: a 4xx problem+json naming the field, and nothing changes. */
describe('ms-products catalogue: bad input', function () {
  this.timeout(30_000);
  let service: CatalogueTestService;
  let seller: Client;
  let admin: Client;
  let sellerToken: string;
  let productId: string;
  let stored: Record<string, unknown> | undefined;
  let count: number;

  before(async () => {
    service = await startCatalogueService();
    sellerToken = service.issuer.userToken(randomUUID(), 'seller');
    seller = clientFor(service, sellerToken);
    admin = clientFor(service, service.issuer.userToken(randomUUID(), 'admin'));
    const created = await seller.send('POST', '/api/products', newProduct({ name: 'Untouchable' }));
    assert.equal(created.status, 201, created.text);
    productId = String(field(created.body, 'id'));
  });
  beforeEach(async () => {
    stored = await productRow(service.pool, productId);
    count = await countProducts(service.pool);
  });
  afterEach(async () => {
    assert.deepEqual(await productRow(service.pool, productId), stored, 'the product is unchanged');
    assert.equal(await countProducts(service.pool), count, 'no product was added or removed');
  });
  after(async () => {
    await service?.stop();
  });

  function assertProblem(response: JsonResponse, status: number, fields: string[] | undefined, what: string) {
    assert.equal(response.status, status, `${what}: ${response.text}`);
    assert.match(String(response.headers.get('content-type')), /^application\/problem\+json/, what);
    assert.equal(field(response.body, 'status'), status, what);
    assert.equal(typeof field(response.body, 'code'), 'string', what);
    if (fields) {
      for (const name of fields)
        assert.ok(problemFields(response).includes(name), `${what}: names ${name}, got ${response.text}`);
    }
  }

  const long = (length: number) => 'x'.repeat(length);
  const SQL = "'; DROP TABLE products; --";

  /** [what, body, fields the problem must name] */
  const badBodies: [string, Record<string, unknown>, string[]][] = [
    ['name is a number', { name: 5 }, ['name']],
    ['name is empty', { name: '' }, ['name']],
    ['name is blank', { name: '   ' }, ['name']],
    ['name is too long', { name: long(201) }, ['name']],
    ['name has a NUL', { name: 'Bad\u0000name' }, ['name']],
    ['name has a newline', { name: 'Two\nlines' }, ['name']],
    ['description is too long', { description: long(10_001) }, ['description']],
    ['description has a NUL', { description: 'a\u0000b' }, ['description']],
    ['description is null', { description: null }, ['description']],
    ['category is too long', { category: long(101) }, ['category']],
    ['category is an array', { category: ['Kitchen'] }, ['category']],
    ['priceMinor is negative', { priceMinor: -1 }, ['priceMinor']],
    ['priceMinor is a string', { priceMinor: '100' }, ['priceMinor']],
    ['priceMinor has a fraction', { priceMinor: 9.99 }, ['priceMinor']],
    ['priceMinor is absurd', { priceMinor: 1e16 }, ['priceMinor']],
    ['currency is lower case', { currency: 'eur' }, ['currency']],
    ['currency is too long', { currency: 'EURO' }, ['currency']],
    ['currency is SQL', { currency: SQL }, ['currency']],
    ['stock is negative', { stock: -5 }, ['stock']],
    ['stock has a fraction', { stock: 1.5 }, ['stock']],
    ['stock is a boolean', { stock: true }, ['stock']],
    ['stock is too big', { stock: 2 ** 31 }, ['stock']],
    ['attributes is an array', { attributes: ['red'] }, ['attributes']],
    ['attributes is a string', { attributes: 'red' }, ['attributes']],
    ['an attribute is nested', { attributes: { size: { w: 1 } } }, ['attributes.size']],
    ['an attribute is a list', { attributes: { sizes: [1, 2] } }, ['attributes.sizes']],
    ['an attribute is null', { attributes: { colour: null } }, ['attributes.colour']],
    ['an attribute value is too long', { attributes: { colour: long(501) } }, ['attributes.colour']],
    ['an attribute name is too long', { attributes: { [long(65)]: 1 } }, [`attributes.${long(65)}`]],
    ['an attribute name is SQL', { attributes: { [SQL]: 1 } }, [`attributes.${SQL}`]],
    ['an attribute name is empty', { attributes: { '': 1 } }, ['attributes.']],
    [
      'too many attributes',
      { attributes: Object.fromEntries(Array.from({ length: 51 }, (_, index) => [`a${index}`, index])) },
      ['attributes'],
    ],
    ['an unknown field', { colour: 'red' }, ['colour']],
    ['sellerId is not writable', { sellerId: randomUUID() }, ['sellerId']],
    ['id is not writable', { id: randomUUID() }, ['id']],
    ['rating is not writable', { rating: { average: 5, count: 1 } }, ['rating']],
  ];

  describe('POST /api/products', () => {
    for (const [what, overrides, fields] of badBodies) {
      it(`refuses: ${what}`, async () => {
        assertProblem(await seller.send('POST', '/api/products', newProduct(overrides)), 400, fields, what);
      });
    }
    for (const missing of ['name', 'category', 'priceMinor', 'currency', 'stock']) {
      it(`refuses a product without ${missing}`, async () => {
        const body = Object.fromEntries(Object.entries(newProduct()).filter(([name]) => name !== missing));
        assertProblem(await seller.send('POST', '/api/products', body), 400, [missing], missing);
      });
    }
    it('refuses a status other than published or unpublished', async () => {
      assertProblem(
        await seller.send('POST', '/api/products', newProduct({ status: 'moderated' })),
        400,
        ['status'],
        'status',
      );
    });
    it('refuses malformed JSON, other media types, non-objects and oversized bodies', async () => {
      const post = (body: string, contentType = 'application/json') =>
        httpRequest(`${service.url}/api/products`, {
          method: 'POST',
          headers: { ...bearer(sellerToken), 'content-type': contentType },
          body,
        });
      assertProblem(await post('{"name": "half'), 400, undefined, 'malformed');
      assertProblem(await post('name=x', 'application/x-www-form-urlencoded'), 415, undefined, 'form');
      assertProblem(await post('[]'), 400, undefined, 'array');
      assertProblem(await post('null'), 400, undefined, 'null');
      const overflowing = JSON.stringify(newProduct({ attributes: { size: 0 } })).replace(
        '"size":0',
        '"size":1e400',
      );
      assertProblem(await post(overflowing), 400, ['attributes.size'], 'a number JSON parses to Infinity');
      const hugePrice = JSON.stringify(newProduct({ priceMinor: 0 })).replace(
        '"priceMinor":0',
        '"priceMinor":1e400',
      );
      assertProblem(await post(hugePrice), 400, ['priceMinor'], 'a price JSON parses to Infinity');
      const huge = await post(JSON.stringify(newProduct({ description: long(200_000) })));
      assertProblem(huge, 413, undefined, 'oversized');
    });
    it('stores SQL metacharacters in text as text', async () => {
      const weird = newProduct({ name: SQL, description: '%_\\ \' " ; --', category: "O'Brien's" });
      const response = await seller.send('POST', '/api/products', weird);
      assert.equal(response.status, 201, response.text);
      const id = String(field(response.body, 'id'));
      const row = await productRow(service.pool, id);
      assert.equal(row?.['name'], SQL);
      assert.equal(row?.['description'], '%_\\ \' " ; --');
      await service.pool.query('DELETE FROM products WHERE id = $1', [id]);
    });
  });

  describe('PATCH /api/products/:id', () => {
    for (const [what, overrides, fields] of badBodies) {
      it(`refuses: ${what}`, async () => {
        assertProblem(await seller.send('PATCH', `/api/products/${productId}`, overrides), 400, fields, what);
      });
    }
    it('refuses an empty change and a status change', async () => {
      assertProblem(await seller.send('PATCH', `/api/products/${productId}`, {}), 400, [], 'empty');
      assertProblem(
        await seller.send('PATCH', `/api/products/${productId}`, { status: 'unpublished' }),
        400,
        ['status'],
        'status',
      );
    });
    it('refuses one bad field among good ones, changing none of them', async () => {
      const response = await seller.send('PATCH', `/api/products/${productId}`, {
        name: 'Renamed',
        stock: -1,
      });
      assertProblem(response, 400, ['stock'], 'mixed');
    });
  });

  describe('ids in paths', () => {
    for (const [method, suffix] of [
      ['GET', ''],
      ['PATCH', ''],
      ['DELETE', ''],
      ['POST', '/publish'],
      ['POST', '/unpublish'],
      ['POST', '/moderation'],
      ['DELETE', '/moderation'],
    ] as const) {
      it(`${method} /api/products/:id${suffix} refuses ids that are not UUIDs`, async () => {
        const client = suffix === '/moderation' ? admin : seller;
        for (const id of [
          '123',
          encodeURIComponent(SQL),
          `${productId}x`,
          encodeURIComponent(`${productId}' OR '1'='1`),
        ]) {
          const body =
            method === 'PATCH'
              ? { name: 'x' }
              : suffix === '/moderation' && method === 'POST'
                ? { reason: 'r' }
                : undefined;
          assertProblem(
            await client.send(method, `/api/products/${id}${suffix}`, body),
            400,
            ['params.id'],
            id,
          );
        }
      });
    }
  });

  describe('POST /api/products/:id/moderation', () => {
    for (const [what, body, fields] of [
      ['no reason', {}, ['reason']],
      ['a blank reason', { reason: '  \n ' }, ['reason']],
      ['a reason too long', { reason: long(501) }, ['reason']],
      ['a reason that is not text', { reason: 42 }, ['reason']],
      ['an unknown field', { reason: 'spam', ban: true }, ['ban']],
    ] as const) {
      it(`refuses ${what}`, async () => {
        assertProblem(
          await admin.send('POST', `/api/products/${productId}/moderation`, body),
          400,
          [...fields],
          what,
        );
      });
    }
  });

  describe('GET /api/products (search)', () => {
    const badQueries: [string, string][] = [
      ['limit=0', 'query.limit'],
      ['limit=101', 'query.limit'],
      ['limit=ten', 'query.limit'],
      ['limit=2.5', 'query.limit'],
      ['minPrice=-1', 'query.minPrice'],
      ['minPrice=cheap', 'query.minPrice'],
      ['maxPrice=1.5', 'query.maxPrice'],
      ['minPrice=500&maxPrice=100', 'query.maxPrice'],
      ['currency=eur', 'query.currency'],
      [`currency=${encodeURIComponent(SQL)}`, 'query.currency'],
      ['inStock=maybe', 'query.inStock'],
      ['minRating=6', 'query.minRating'],
      ['minRating=-1', 'query.minRating'],
      ['minRating=high', 'query.minRating'],
      ['sort=cheapest', 'query.sort'],
      [`sort=${encodeURIComponent(SQL)}`, 'query.sort'],
      ['page=2', 'query.page'],
      [`q=${long(501)}`, 'query.q'],
      ['q=a%00b', 'query.q'],
      [`category=${long(101)}`, 'query.category'],
      ['category=a&category=b', 'query.category'],
      [`sellerId=${long(129)}`, 'query.sellerId'],
      [`cursor=${long(513)}`, 'query.cursor'],
      ['cursor=', 'query.cursor'],
      ['cursor=not-a-cursor', 'query.cursor'],
    ];
    for (const [query, name] of badQueries) {
      it(`refuses ${query.slice(0, 40)}`, async () => {
        assertProblem(await seller.get(`/api/products?${query}`), 400, [name], query);
      });
    }
  });

  describe('GET /api/products/mine', () => {
    for (const [query, name] of [
      ['status=moderated', 'query.status'],
      ['limit=1000', 'query.limit'],
      ['cursor=%24%24', 'query.cursor'],
      ['sort=price_asc', 'query.sort'],
    ]) {
      it(`refuses ${query}`, async () => {
        assertProblem(await seller.get(`/api/products/mine?${query}`), 400, [String(name)], String(query));
      });
    }
  });
});
