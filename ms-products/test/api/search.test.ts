import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { JsonResponse } from '@marketshare/platform/testing';
import {
  clientFor,
  countProducts,
  field,
  items,
  problemFields,
  startCatalogueService,
  type CatalogueTestService,
  type Client,
} from './products-support.js';
import { FIXTURE, loadFixture, type FixtureProduct, type LoadedFixture } from './search-fixture.js';

type Loaded = FixtureProduct & { id: string; sellerId: string };

describe('ms-products search: relevance, filters, sorts, facets, cursors', function () {
  this.timeout(30_000);
  let service: CatalogueTestService;
  let fixture: LoadedFixture;
  let anonymous: Client;
  let published: Loaded[];

  before(async () => {
    service = await startCatalogueService();
    fixture = await loadFixture(service, service.pool);
    anonymous = clientFor(service, undefined);
    published = [...fixture.byId.values()].filter((product) => !product.unpublished);
  });
  after(async () => {
    await service?.stop();
  });

  async function search(query: string, client = anonymous): Promise<JsonResponse> {
    const response = await client.get(`/api/products?${query}`);
    assert.equal(response.status, 200, `${query}: ${response.text}`);
    return response;
  }

  /** Fixture keys of one page, in order. */
  async function keys(query: string): Promise<string[]> {
    return items(await search(query)).map((item) => fixture.byId.get(String(item['id']))?.key ?? '?');
  }

  const q = (text: string) => `q=${encodeURIComponent(text)}&limit=100`;

  describe('relevance', () => {
    it('puts products named after the query before those that only mention it', async () => {
      const espresso = await keys(q('espresso'));
      assert.equal(espresso[0], 'espresso');
      assert.deepEqual(espresso.slice(1).sort(), ['beans', 'book', 'grinder']);
      assert.deepEqual(await keys(q('laptop')), ['stand', 'charger']);
      assert.deepEqual(await keys(q('cold brew')), ['book']);
      const coffee = await keys(q('coffee'));
      assert.deepEqual(coffee.slice(0, 2).sort(), ['book', 'grinder']);
      assert.equal(coffee[2], 'beans');
    });

    it('ranks the name above the category above the description', async () => {
      const garden = await keys(q('garden'));
      assert.deepEqual(garden.slice(0, 2).sort(), ['bed', 'hose']);
      assert.deepEqual(garden.slice(2, 4).sort(), ['mower', 'shears']);
      assert.equal(garden[4], 'speaker');
      assert.equal(garden.length, 5);
    });

    it('understands web-search syntax: phrases, or, exclusion', async () => {
      assert.deepEqual(await keys(q('"stainless steel"')), ['pan', 'bottle']);
      const steel = await keys(q('steel -bottle'));
      assert.equal(steel[0], 'pan');
      assert.deepEqual(steel.slice(1).sort(), ['knife', 'shears']);
      assert.deepEqual((await keys(q('espresso or headphones'))).slice(0, 2), ['espresso', 'headphones']);
    });

    it('never shows unpublished products, however well they match', async () => {
      assert.ok(!(await keys(q('secret espresso prototype'))).includes('prototype'));
      assert.deepEqual(await keys(q('secret prototype')), []);
    });

    it('treats SQL and tsquery metacharacters in q as text', async () => {
      const count = await countProducts(service.pool);
      for (const text of [
        "'; DROP TABLE products; --",
        '%_\\',
        "' OR '1'='1",
        'steel & | ! ( ) : * <->',
        '"unterminated',
        '-',
        'the',
      ]) {
        const response = await search(q(text));
        assert.ok(Array.isArray(field(response.body, 'items')), text);
      }
      // Web-search syntax: OR is the operator, the rest are words that match nothing here.
      assert.deepEqual(await keys(q("steel' OR 1=1 --")), await keys(q('steel')));
      assert.equal(await countProducts(service.pool), count);
    });

    it('treats an empty or blank q as no text search (newest first)', async () => {
      assert.deepEqual(await keys('q=&limit=100'), await keys('limit=100'));
      assert.deepEqual(await keys('q=%20%20&sort=relevance&limit=100'), await keys('sort=newest&limit=100'));
    });
  });

  describe('filters', () => {
    const matching = (test: (product: Loaded) => boolean) =>
      published
        .filter(test)
        .map((product) => product.key)
        .sort();
    const cases: [string, (product: Loaded) => boolean][] = [
      ['category=Kitchen', (p) => p.category === 'Kitchen'],
      ['category=Books', (p) => p.category === 'Books'],
      ['category=kitchen', () => false],
      ['minPrice=2500', (p) => p.priceMinor >= 2500],
      ['maxPrice=2500', (p) => p.priceMinor <= 2500],
      ['minPrice=2000&maxPrice=5000', (p) => p.priceMinor >= 2000 && p.priceMinor <= 5000],
      ['minPrice=3900&maxPrice=3900', (p) => p.priceMinor === 3900],
      ['currency=GBP', (p) => p.currency === 'GBP'],
      ['currency=JPY', () => false],
      ['inStock=true', (p) => p.stock > 0],
      ['inStock=false', (p) => p.stock === 0],
      ['minRating=4.5', (p) => (p.rating?.[0] ?? 0) >= 4.5],
      ['minRating=0', (p) => p.rating !== undefined],
      ['minRating=5', () => false],
      [
        'category=Kitchen&inStock=true&maxPrice=9000',
        (p) => p.category === 'Kitchen' && p.stock > 0 && p.priceMinor <= 9000,
      ],
      ['q=steel&inStock=true', (p) => ['knife', 'bottle'].includes(p.key)],
      ['q=coffee&category=Kitchen&minRating=4.5', (p) => p.key === 'beans'],
    ];
    for (const [query, test] of cases) {
      it(`applies ${query}`, async () => {
        assert.deepEqual((await keys(`${query}&limit=100`)).sort(), matching(test));
      });
    }

    it('applies sellerId', async () => {
      for (const seller of ['north', 'south', 'east'] as const) {
        const found = await keys(`sellerId=${fixture.sellerIds[seller]}&limit=100`);
        assert.deepEqual(
          found.sort(),
          matching((p) => p.seller === seller),
        );
      }
      assert.deepEqual(await keys(`sellerId=${randomUUID()}`), []);
      assert.deepEqual(await keys(`sellerId=${encodeURIComponent("x' OR seller_id <> '")}`), []);
    });

    it('treats SQL and LIKE metacharacters in filters as text', async () => {
      for (const category of [
        '%',
        'Kitchen%',
        '_itchen',
        "Kitchen' OR '1'='1",
        'Kitchen\\',
        "'; DROP TABLE products; --",
      ]) {
        assert.deepEqual(await keys(`category=${encodeURIComponent(category)}`), [], category);
      }
      assert.equal(await countProducts(service.pool), FIXTURE.length);
    });
  });

  describe('sorts', () => {
    const compareIds = (a: Loaded, b: Loaded) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    const ordered = (compare: (a: Loaded, b: Loaded) => number) =>
      [...published].sort(compare).map((product) => product.key);

    it('newest first by default without q, and with sort=newest', async () => {
      const creationOrder = FIXTURE.filter((p) => !p.unpublished).map((p) => p.key);
      assert.deepEqual(await keys('limit=100'), [...creationOrder].reverse());
      assert.deepEqual(await keys('sort=newest&limit=100'), [...creationOrder].reverse());
    });

    it('price_asc and price_desc, ties broken by id', async () => {
      const ascending = ordered((a, b) => a.priceMinor - b.priceMinor || compareIds(a, b));
      assert.deepEqual(await keys('sort=price_asc&limit=100'), ascending);
      assert.deepEqual(await keys('sort=price_desc&limit=100'), [...ascending].reverse());
    });

    it('rating: best average first, more reviews first on a tie, unrated last', async () => {
      const expected = ordered(
        (a, b) =>
          (b.rating?.[0] ?? 0) - (a.rating?.[0] ?? 0) ||
          (b.rating?.[1] ?? 0) - (a.rating?.[1] ?? 0) ||
          compareIds(b, a),
      );
      assert.deepEqual(await keys('sort=rating&limit=100'), expected);
      assert.deepEqual(await keys('sort=rating&limit=2'), ['knife', 'book']);
    });

    it('any sort combines with q and filters', async () => {
      assert.deepEqual(await keys(`${q('steel')}&sort=price_asc`), ['bottle', 'shears', 'pan', 'knife']);
      assert.deepEqual(await keys(`${q('coffee')}&sort=rating`), ['book', 'beans', 'grinder']);
      assert.deepEqual(await keys(`category=Garden&sort=price_desc`), ['mower', 'bed', 'hose', 'shears']);
    });
  });

  describe('pages and facets', () => {
    it('pages through every sort without gaps or repeats', async () => {
      for (const query of [
        'sort=newest',
        'sort=price_asc',
        'sort=price_desc',
        'sort=rating',
        'q=steel or coffee or garden',
      ]) {
        const whole = await keys(`${query}&limit=100`);
        const paged: string[] = [];
        let cursor: string | null = null;
        do {
          const page = await search(`${query}&limit=4${cursor === null ? '' : `&cursor=${cursor}`}`);
          paged.push(...items(page).map((item) => fixture.byId.get(String(item['id']))?.key ?? '?'));
          assert.ok(items(page).length <= 4);
          cursor = field(page.body, 'nextCursor') as string | null; // string or null by the response schema
        } while (cursor !== null);
        assert.deepEqual(paged, whole, query);
      }
      const exact = await search(`limit=${published.length}`);
      assert.equal(field(exact.body, 'nextCursor'), null, 'no next page when the last row was shown');
    });

    it('counts categories under every filter but category', async () => {
      const facets = async (query: string) =>
        field(field((await search(query)).body, 'facets'), 'categories');
      const countBy = (test: (product: Loaded) => boolean) => {
        const counts = new Map<string, number>();
        for (const product of published.filter(test)) {
          counts.set(product.category, (counts.get(product.category) ?? 0) + 1);
        }
        return [...counts]
          .sort(([a, m], [b, n]) => n - m || (a < b ? -1 : 1))
          .map(([category, count]) => ({ category, count }));
      };
      assert.deepEqual(
        await facets(''),
        countBy(() => true),
      );
      assert.deepEqual(
        await facets('category=Garden'),
        countBy(() => true),
        'category does not narrow its own facet',
      );
      assert.deepEqual(await facets('q=steel&category=Garden'), [
        { category: 'Kitchen', count: 3 },
        { category: 'Garden', count: 1 },
      ]);
      assert.deepEqual(
        await facets('inStock=true&maxPrice=5000&category=Office'),
        countBy((p) => p.stock > 0 && p.priceMinor <= 5000),
      );
      assert.deepEqual(await facets(q('nothing matches this')), []);
    });

    it('refuses a cursor that was tampered with or made for another query', async () => {
      const first = await search('sort=price_asc&limit=3');
      const cursor = String(field(first.body, 'nextCursor'));
      const decoded: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
      assert.ok(Array.isArray(decoded));
      const edited = [...decoded];
      edited[1] = Number(edited[1]) + 1;
      const forged = Buffer.from(JSON.stringify(edited)).toString('base64url');
      const attempts = [
        ['sort=price_asc', forged],
        ['sort=price_asc', `${cursor}x`],
        ['sort=price_asc', cursor.slice(0, -2)],
        ['sort=price_asc', 'bm90IGEgY3Vyc29y'],
        ['sort=price_asc', '!!!'],
        ['sort=price_desc', cursor],
        ['sort=newest', cursor],
        ['sort=price_asc&category=Kitchen', cursor],
        ['sort=price_asc&inStock=true', cursor],
        ['sort=price_asc&q=steel', cursor],
      ];
      for (const [query, bad] of attempts) {
        const response = await anonymous.get(
          `/api/products?${query}&limit=3&cursor=${encodeURIComponent(String(bad))}`,
        );
        assert.equal(response.status, 400, `${query} ${bad}: ${response.text}`);
        assert.equal(field(response.body, 'code'), 'invalid_cursor', response.text);
        assert.deepEqual(problemFields(response), ['query.cursor']);
      }
      const sameQueryOtherLimit = await anonymous.get(
        `/api/products?sort=price_asc&limit=10&cursor=${cursor}`,
      );
      assert.equal(sameQueryOtherLimit.status, 200, 'the page size may change between pages');
    });

    it('answers signed-in callers exactly like anonymous ones (published only)', async () => {
      const seller = clientFor(service, service.issuer.userToken(fixture.sellerIds.north, 'seller'));
      const admin = clientFor(service, service.issuer.userToken(randomUUID(), 'admin'));
      const anonymousKeys = await keys('limit=100');
      for (const client of [seller, admin]) {
        const response = await search('limit=100', client);
        assert.deepEqual(
          items(response).map((item) => fixture.byId.get(String(item['id']))?.key),
          anonymousKeys,
        );
        assert.ok(items(response).every((item) => !('moderation' in item)));
      }
    });
  });
});
