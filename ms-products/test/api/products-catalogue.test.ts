import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { httpRequest } from '@marketshare/platform/testing';
import {
  clientFor,
  countProducts,
  field,
  items,
  newProduct,
  problemFields,
  productRow,
  startCatalogueService,
  type CatalogueTestService,
  type Client,
} from './products-support.js';

describe('ms-products catalogue: sellers, visibility, moderation', function () {
  this.timeout(30_000);
  let service: CatalogueTestService;
  let alice: Client; // seller
  let bob: Client; // another seller
  let carol: Client; // consumer
  let admin: Client;
  let anonymous: Client;
  const aliceId = randomUUID();
  const bobId = randomUUID();
  const adminId = randomUUID();

  before(async () => {
    service = await startCatalogueService();
    alice = clientFor(service, service.issuer.userToken(aliceId, 'seller'));
    bob = clientFor(service, service.issuer.userToken(bobId, 'seller'));
    carol = clientFor(service, service.issuer.userToken(randomUUID(), 'consumer'));
    admin = clientFor(service, service.issuer.userToken(adminId, 'admin'));
    anonymous = clientFor(service, undefined);
  });
  after(async () => {
    await service?.stop();
  });

  async function create(seller: Client, overrides: Record<string, unknown> = {}): Promise<string> {
    const response = await seller.send('POST', '/api/products', newProduct(overrides));
    assert.equal(response.status, 201, response.text);
    return String(field(response.body, 'id'));
  }

  it('creates a product and presents it to everyone', async () => {
    const response = await alice.send('POST', '/api/products', {
      name: '  Oak   desk ',
      description: 'Solid oak.\nTwo drawers.',
      category: 'Furniture',
      priceMinor: 24_900,
      currency: 'EUR',
      stock: 3,
      attributes: { colour: 'natural', width_cm: 140, assembled: true },
    });
    assert.equal(response.status, 201, response.text);
    const id = String(field(response.body, 'id'));
    assert.equal(response.headers.get('location'), `/api/products/${id}`);
    const expected = {
      id,
      sellerId: aliceId,
      name: 'Oak desk',
      description: 'Solid oak.\nTwo drawers.',
      category: 'Furniture',
      priceMinor: 24_900,
      currency: 'EUR',
      stock: 3,
      inStock: true,
      attributes: { colour: 'natural', width_cm: 140, assembled: true },
      status: 'published',
      rating: { average: null, count: 0 },
    };
    assert.deepEqual(
      { ...(response.body as object), createdAt: undefined, updatedAt: undefined },
      {
        ...expected,
        createdAt: undefined,
        updatedAt: undefined,
        moderation: null,
      },
    );
    for (const reader of [anonymous, carol, bob]) {
      const read = await reader.get(`/api/products/${id}`);
      assert.equal(read.status, 200, read.text);
      assert.deepEqual(
        { ...(read.body as object), createdAt: undefined, updatedAt: undefined },
        {
          ...expected,
          createdAt: undefined,
          updatedAt: undefined,
        },
      );
      assert.equal(field(read.body, 'moderation'), undefined, 'only the seller and admins see moderation');
    }
  });

  it('lets a seller edit only their own products; another seller gets 404 and changes nothing', async () => {
    const id = await create(alice, { name: 'Blue mug', stock: 10 });
    const edited = await alice.send('PATCH', `/api/products/${id}`, { priceMinor: 450, stock: 0 });
    assert.equal(edited.status, 200, edited.text);
    assert.equal(field(edited.body, 'priceMinor'), 450);
    assert.equal(field(edited.body, 'inStock'), false);
    assert.equal(field(edited.body, 'name'), 'Blue mug', 'fields not sent stay');
    assert.ok(String(field(edited.body, 'updatedAt')) > String(field(edited.body, 'createdAt')));

    const before = await productRow(service.pool, id);
    for (const [method, suffix, body] of [
      ['PATCH', '', { name: 'Stolen mug' }],
      ['POST', '/unpublish', undefined],
      ['POST', '/publish', undefined],
      ['DELETE', '', undefined],
    ] as const) {
      const response = await bob.send(method, `/api/products/${id}${suffix}`, body);
      assert.equal(response.status, 404, `${method} ${suffix}: ${response.text}`);
      assert.equal(field(response.body, 'code'), 'not_found');
      assert.match(String(response.headers.get('content-type')), /application\/problem\+json/);
    }
    assert.deepEqual(await productRow(service.pool, id), before);
  });

  it('refuses writes from anonymous callers (401) and consumers and admins (403)', async () => {
    const id = await create(alice);
    const before = await productRow(service.pool, id);
    const count = await countProducts(service.pool);
    const writes = [
      ['POST', '/api/products', newProduct()],
      ['PATCH', `/api/products/${id}`, { name: 'Changed' }],
      ['POST', `/api/products/${id}/unpublish`, undefined],
      ['POST', `/api/products/${id}/publish`, undefined],
      ['DELETE', `/api/products/${id}`, undefined],
      ['GET', '/api/products/mine', undefined],
    ] as const;
    for (const [method, url, body] of writes) {
      const unauthenticated = await anonymous.send(method, url, body);
      assert.equal(unauthenticated.status, 401, `${method} ${url}`);
      assert.match(String(unauthenticated.headers.get('www-authenticate')), /^Bearer/);
      for (const caller of [carol, admin]) {
        const refused = await caller.send(method, url, body);
        assert.equal(refused.status, 403, `${method} ${url}: ${refused.text}`);
        assert.equal(field(refused.body, 'code'), 'forbidden_role');
      }
    }
    const moderate = await carol.send('POST', `/api/products/${id}/moderation`, {
      reason: 'I do not like it',
    });
    assert.equal(moderate.status, 403);
    const forged = await clientFor(service, 'not.a.jwt').get(`/api/products/${id}`);
    assert.equal(forged.status, 401, 'a bad token is refused even where a token is optional');
    assert.deepEqual(await productRow(service.pool, id), before);
    assert.equal(await countProducts(service.pool), count);
  });

  it('hides unpublished products from everyone but their seller and admins', async () => {
    const draft = await create(alice, { status: 'unpublished', name: 'Secret prototype' });
    const published = await create(alice, { name: 'Public lamp' });
    const unpublished = await alice.send('POST', `/api/products/${published}/unpublish`);
    assert.equal(unpublished.status, 200);
    assert.equal(field(unpublished.body, 'status'), 'unpublished');

    for (const id of [draft, published]) {
      for (const reader of [anonymous, carol, bob]) {
        assert.equal((await reader.get(`/api/products/${id}`)).status, 404);
      }
      assert.equal((await alice.get(`/api/products/${id}`)).status, 200);
      assert.equal((await admin.get(`/api/products/${id}`)).status, 200);
      const found = items(
        await anonymous.get(`/api/products?q=${encodeURIComponent('secret prototype lamp')}`),
      );
      assert.ok(!found.some((item) => item['id'] === id), 'search shows only published products');
    }
    const again = await alice.send('POST', `/api/products/${published}/publish`);
    assert.equal(field(again.body, 'status'), 'published');
    assert.equal((await carol.get(`/api/products/${published}`)).status, 200);
    const missing = await anonymous.get(`/api/products/${randomUUID()}`);
    assert.equal(missing.status, 404);
  });

  it('lets admins moderate any product; the seller sees why and cannot publish it until lifted', async () => {
    const id = await create(bob, { name: 'Dubious supplement' });
    const moderated = await admin.send('POST', `/api/products/${id}/moderation`, {
      reason: 'Health claims without evidence',
    });
    assert.equal(moderated.status, 200, moderated.text);
    assert.equal(field(moderated.body, 'status'), 'unpublished');
    const moderation = field(moderated.body, 'moderation');
    assert.equal(field(moderation, 'reason'), 'Health claims without evidence');
    assert.equal(field(moderation, 'moderatedBy'), adminId);

    assert.equal((await carol.get(`/api/products/${id}`)).status, 404);
    const ownView = await bob.get(`/api/products/${id}`);
    assert.equal(field(field(ownView.body, 'moderation'), 'reason'), 'Health claims without evidence');
    assert.equal(
      field(field(ownView.body, 'moderation'), 'moderatedBy'),
      undefined,
      "the admin's id stays internal",
    );

    const republish = await bob.send('POST', `/api/products/${id}/publish`);
    assert.equal(republish.status, 409, republish.text);
    assert.equal(field(republish.body, 'code'), 'product_moderated');
    const edited = await bob.send('PATCH', `/api/products/${id}`, { description: 'No claims now.' });
    assert.equal(edited.status, 200, 'the seller may still fix it');
    assert.equal(field(edited.body, 'status'), 'unpublished');

    const row = await productRow(service.pool, id);
    assert.equal(row?.['moderated_by'], adminId);
    assert.ok(row?.['moderated_at'] instanceof Date);

    const lifted = await admin.send('DELETE', `/api/products/${id}/moderation`);
    assert.equal(lifted.status, 200, lifted.text);
    assert.equal(field(lifted.body, 'moderation'), null);
    assert.equal(field(lifted.body, 'status'), 'unpublished', 'lifting leaves publishing to the seller');
    assert.equal((await bob.send('POST', `/api/products/${id}/publish`)).status, 200);
    assert.equal((await carol.get(`/api/products/${id}`)).status, 200);

    const unknown = await admin.send('POST', `/api/products/${randomUUID()}/moderation`, { reason: 'x' });
    assert.equal(unknown.status, 404);
  });

  it('deletes a product with its image directory', async () => {
    const id = await create(alice);
    const directory = path.join(service.imagesDir, id);
    await mkdir(path.join(directory, 'thumbs'), { recursive: true });
    await writeFile(path.join(directory, 'original.jpg'), 'jpeg bytes');
    await writeFile(path.join(directory, 'thumbs', 'small.webp'), 'webp bytes');
    const other = await create(alice);
    await mkdir(path.join(service.imagesDir, other), { recursive: true });

    const count = await countProducts(service.pool);
    const deleted = await alice.send('DELETE', `/api/products/${id}`);
    assert.equal(deleted.status, 204, deleted.text);
    assert.equal(await countProducts(service.pool), count - 1);
    await assert.rejects(stat(directory), { code: 'ENOENT' });
    assert.ok((await stat(path.join(service.imagesDir, other))).isDirectory(), 'other products keep theirs');
    assert.equal((await alice.get(`/api/products/${id}`)).status, 404);
    assert.equal((await alice.send('DELETE', `/api/products/${id}`)).status, 404);
  });

  it("lists a seller's own products, drafts included, in keyset pages", async () => {
    const sellerId = randomUUID();
    const dana = clientFor(service, service.issuer.userToken(sellerId, 'seller'));
    const created: string[] = [];
    for (let index = 0; index < 7; index += 1) {
      created.push(await create(dana, { status: index % 3 === 0 ? 'unpublished' : 'published' }));
    }
    await create(alice);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await dana.get(`/api/products/mine?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(page.status, 200, page.text);
      for (const item of items(page)) {
        seen.push(String(item['id']));
        assert.equal(item['sellerId'], sellerId);
        assert.ok('moderation' in item);
      }
      cursor = field(page.body, 'nextCursor') as string | null; // the schema says string or null
    } while (cursor !== null);
    assert.deepEqual(seen, [...created].reverse(), 'newest first, every product once');

    const drafts = items(await dana.get('/api/products/mine?status=unpublished'));
    assert.deepEqual(
      drafts.map((item) => item['id']),
      [created[6], created[3], created[0]],
    );
    const first = await dana.get('/api/products/mine?limit=2');
    const foreign = await dana.get(
      `/api/products/mine?status=published&cursor=${String(field(first.body, 'nextCursor'))}`,
    );
    assert.equal(foreign.status, 400);
    assert.equal(field(foreign.body, 'code'), 'invalid_cursor');
    assert.deepEqual(problemFields(foreign), ['query.cursor']);
    const stolen = await alice.get(`/api/products/mine?cursor=${String(field(first.body, 'nextCursor'))}`);
    assert.equal(stolen.status, 400, "another seller's cursor is refused");
  });

  it('documents its endpoints in OpenAPI (not shadowed by /api/products/:id)', async () => {
    const document = await httpRequest(`${service.url}/api/products/openapi.json`);
    assert.equal(document.status, 200, document.text);
    const paths = Object.keys(Object(field(document.body, 'paths')));
    for (const expected of [
      '/api/products',
      '/api/products/mine',
      '/api/products/{id}',
      '/api/products/{id}/moderation',
    ]) {
      assert.ok(paths.includes(expected), `${expected} in ${paths.join(' ')}`);
    }
  });

  it('counts products created and deleted', async () => {
    const metrics = await httpRequest(`${service.url}/metrics`);
    const created = /^products_created_total\{[^}]*\} (\d+)$/m.exec(metrics.text);
    const deleted = /^products_deleted_total\{[^}]*\} (\d+)$/m.exec(metrics.text);
    assert.ok(Number(created?.[1]) >= 10, metrics.text);
    assert.equal(Number(deleted?.[1]), 1);
    assert.match(metrics.text, /http_server_request_duration_seconds_count\{[^}]*route="\/api\/products"/);
  });
});
