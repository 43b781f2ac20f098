import assert from 'node:assert/strict';
import { randomInt, randomUUID } from 'node:crypto';
import type { JsonResponse } from '@marketshare/platform/testing';
import {
  clientFor,
  field,
  items,
  startCatalogueService,
  type CatalogueTestService,
  type Client,
} from './products-support.js';

/**
 * Keyset pages stay exact while the catalogue grows: every product that existed when the
 * first page was read is shown exactly once, whatever lands before or after the cursor.
 */
describe('ms-products search: pagination while products are added', function () {
  this.timeout(60_000);
  let service: CatalogueTestService;
  let seller: Client;
  let anonymous: Client;
  const sellerId = randomUUID();
  let sequence = 0;

  /** Varied weight of "widget": in the name (A), the category (B), the description (C), or several. */
  function widget() {
    sequence += 1;
    const inName = randomInt(3) === 0;
    return {
      name: inName ? `Widget ${sequence}` : `Gadget ${sequence}`,
      category: randomInt(2) === 0 ? 'Widgets' : 'Parts',
      description: `Part ${sequence}. ${'A widget for the workshop. '.repeat(1 + randomInt(3))}`,
      priceMinor: 100 * randomInt(1, 40),
      currency: 'EUR',
      stock: randomInt(3),
    };
  }

  async function createThroughApi(): Promise<string> {
    const response = await seller.send('POST', '/api/products', widget());
    assert.equal(response.status, 201, response.text);
    return String(field(response.body, 'id'));
  }

  /**
   * A row written as a transaction that began earlier would commit it: created_at in the past,
   * so it lands among (not before) the rows already paged, with a rating anywhere.
   */
  async function insertLateCommit(): Promise<void> {
    const product = widget();
    const rated = randomInt(2) === 0;
    await service.pool.query(
      `INSERT INTO products (id, seller_id, name, description, category, price_minor, currency, stock,
         rating_average, rating_count, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, now() - $11 * interval '1 millisecond', now())`,
      [
        randomUUID(),
        sellerId,
        product.name,
        product.description,
        product.category,
        product.priceMinor,
        product.currency,
        product.stock,
        rated ? (randomInt(100, 501) / 100).toFixed(2) : null,
        rated ? randomInt(1, 20) : 0,
        randomInt(0, 60_000),
      ],
    );
  }

  const addWhileReading = () => Promise.all([createThroughApi(), insertLateCommit()]);

  before(async () => {
    service = await startCatalogueService();
    seller = clientFor(service, service.issuer.userToken(sellerId, 'seller'));
    anonymous = clientFor(service, undefined);
    for (let index = 0; index < 60; index += 1) await createThroughApi();
    // Ratings with ties, so the rating order leans on its tie-breakers.
    await service.pool.query(
      `UPDATE products SET rating_average = (1 + (abs(hashtext(id::text)) % 5))::numeric, rating_count = abs(hashtext(name)) % 3
       WHERE abs(hashtext(id::text)) % 4 <> 0`,
    );
  });
  after(async () => {
    await service?.stop();
  });

  /** The whole result at one moment, read while nothing is being added. */
  async function allIds(query: string): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const response = await anonymous.get(
        `/api/products?${query}&limit=100${cursor === null ? '' : `&cursor=${cursor}`}`,
      );
      assert.equal(response.status, 200, response.text);
      ids.push(...items(response).map((item) => String(item['id'])));
      cursor = field(response.body, 'nextCursor') as string | null; // string or null by the response schema
    } while (cursor !== null);
    return ids;
  }

  for (const query of [
    'sort=newest',
    'q=widget',
    'q=widget&sort=relevance&category=Widgets',
    'sort=price_asc',
    'sort=price_desc',
    'sort=rating',
  ]) {
    it(`covers every original product exactly once: ${query}`, async () => {
      const originals = await allIds(query);
      assert.ok(originals.length >= 25, `enough rows to page through (${originals.length})`);
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const [page]: [JsonResponse, unknown] = await Promise.all([
          anonymous.get(`/api/products?${query}&limit=7${cursor === null ? '' : `&cursor=${cursor}`}`),
          addWhileReading(),
        ]);
        assert.equal(page.status, 200, page.text);
        seen.push(...items(page).map((item) => String(item['id'])));
        cursor = field(page.body, 'nextCursor') as string | null; // string or null by the response schema
        pages += 1;
        assert.ok(pages < 200, 'pagination ends');
      } while (cursor !== null);

      assert.equal(new Set(seen).size, seen.length, 'no product is shown twice');
      const seenSet = new Set(seen);
      const missing = originals.filter((id) => !seenSet.has(id));
      assert.deepEqual(missing, [], 'no original product is skipped');
      const originalSet = new Set(originals);
      assert.deepEqual(
        seen.filter((id) => originalSet.has(id)),
        originals,
        'the originals keep their order across pages',
      );
    });
  }
});
