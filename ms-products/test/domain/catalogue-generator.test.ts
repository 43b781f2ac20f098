import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { checkSchema } from '@marketshare/platform';
import { CreateProductBody } from '../../src/api/products/schemas.js';
import {
  CATALOGUE_EPOCH,
  DEMO_CATEGORIES,
  generateCatalogue,
  mulberry32,
  uuidV5,
  type GeneratedProduct,
} from '../../src/domain/catalogue-generator.js';

const SELLERS = ['seller-a', 'seller-b', 'seller-c'];
const YEAR_MS = 365 * 24 * 3600 * 1000;

const catalogue = (seed: number, count: number, sellerIds = SELLERS): GeneratedProduct[] => [
  ...generateCatalogue({ seed, count, sellerIds }),
];

/** What a seller would send to POST /api/products for this product. */
function createBody(product: GeneratedProduct) {
  return {
    name: product.name,
    description: product.description,
    category: product.category,
    priceMinor: product.priceMinor,
    currency: product.currency,
    stock: product.stock,
    attributes: product.attributes,
  };
}

describe('demo catalogue generator', () => {
  const large = catalogue(42, 10_000);

  it('mulberry32 is deterministic and spreads over [0, 1)', () => {
    const first = mulberry32(7);
    const second = mulberry32(7);
    const draws = Array.from({ length: 10_000 }, () => first());
    assert.deepEqual(
      draws.slice(0, 5),
      Array.from({ length: 5 }, () => second()),
    );
    assert.ok(draws.every((value) => value >= 0 && value < 1));
    const mean = draws.reduce((sum, value) => sum + value, 0) / draws.length;
    assert.ok(Math.abs(mean - 0.5) < 0.02, `mean ${mean}`);
  });

  it('gives byte-identical products for the same seed', () => {
    assert.equal(JSON.stringify(catalogue(42, 500)), JSON.stringify(large.slice(0, 500)));
  });

  it('is pinned: seed 42 gives the catalogue the benchmark reports were measured on', () => {
    // Changing the word lists or the generator changes this digest on purpose: update it, and
    // rerun `npm run bench -- search` so the committed report matches the catalogue.
    const digest = createHash('sha256')
      .update(JSON.stringify(large.slice(0, 1000)))
      .digest('hex');
    assert.equal(digest, '64d70d8412fe57a9394a7c35722710767fdf0195d473eae64bff59865344d39e');
  });

  it('keeps the first N products whatever the total count, and slices agree', () => {
    assert.deepEqual(catalogue(42, 50), large.slice(0, 50));
    const slice = [...generateCatalogue({ seed: 42, count: 20, sellerIds: SELLERS, offset: 100 })];
    assert.deepEqual(slice, large.slice(100, 120));
  });

  it('gives a different catalogue for a different seed', () => {
    const other = catalogue(43, 500);
    const sameName = other.filter((product, index) => product.name === large[index]?.name).length;
    assert.ok(sameName < 10, `${sameName} of 500 names repeat across seeds`);
    assert.notEqual(other[0]?.id, large[0]?.id);
  });

  it('derives ids from the seed, the seller and the index: unique UUIDv5s', () => {
    const ids = new Set(large.map((product) => product.id));
    assert.equal(ids.size, large.length);
    for (const product of large.slice(0, 100)) {
      assert.match(product.id, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
    const otherSellers = catalogue(42, 3, ['x', 'y', 'z']);
    assert.notEqual(otherSellers[0]?.id, large[0]?.id);
    assert.equal(otherSellers[0]?.name, large[0]?.name, 'the seller changes the id, not the product');
    // RFC 9562 appendix A example: the DNS namespace and "www.example.com".
    assert.equal(
      uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com'),
      '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    );
  });

  it('spreads products over the sellers in turn', () => {
    assert.deepEqual(
      large.slice(0, 6).map((product) => product.sellerId),
      ['seller-a', 'seller-b', 'seller-c', 'seller-a', 'seller-b', 'seller-c'],
    );
  });

  it('produces 10,000 products that the create endpoint accepts', () => {
    for (const product of large) {
      const result = checkSchema(CreateProductBody, createBody(product));
      assert.ok(result.ok, `${product.name}: ${JSON.stringify(result.ok ? [] : result.problems)}`);
    }
  });

  it('keeps every stored field within the database rules', () => {
    for (const product of large) {
      assert.ok(SELLERS.includes(product.sellerId));
      assert.ok(['EUR', 'USD', 'GBP'].includes(product.currency));
      assert.ok(Number.isSafeInteger(product.priceMinor) && product.priceMinor > 0);
      assert.ok(Number.isSafeInteger(product.stock) && product.stock >= 0);
      const created = Date.parse(product.createdAt);
      assert.ok(created <= CATALOGUE_EPOCH && created > CATALOGUE_EPOCH - YEAR_MS, product.createdAt);
      if (product.rating !== null) {
        const { total, count } = product.rating;
        assert.ok(Number.isInteger(count) && count >= 1);
        assert.ok(Number.isInteger(total) && total >= count && total <= 5 * count, `${total}/${count}`);
      }
    }
  });

  it('varies names, descriptions, categories, currencies, stock and ratings', () => {
    const names = new Set(large.map((product) => product.name));
    assert.ok(names.size >= 0.9 * large.length, `${names.size} distinct names`);
    const descriptions = new Set(large.map((product) => product.description));
    assert.ok(descriptions.size >= 0.9 * large.length, `${descriptions.size} distinct descriptions`);
    for (const product of large) {
      const sentences = product.description.split(/(?<=\.)\s+/);
      assert.ok(sentences.length >= 2 && sentences.length <= 4, product.description);
    }
    assert.equal(DEMO_CATEGORIES.length, 12);
    assert.deepEqual(new Set(large.map((product) => product.category)), new Set(DEMO_CATEGORIES));
    const share = (test: (product: GeneratedProduct) => boolean) => large.filter(test).length / large.length;
    assert.ok(share((product) => product.currency === 'EUR') > 0.7);
    assert.ok(share((product) => product.currency !== 'EUR') > 0.1);
    const soldOut = share((product) => product.stock === 0);
    assert.ok(soldOut > 0.03 && soldOut < 0.15, `sold out: ${soldOut}`);
    const rated = share((product) => product.rating !== null);
    assert.ok(rated > 0.4 && rated < 0.8, `rated: ${rated}`);
    const prices = new Set(large.map((product) => product.priceMinor));
    assert.ok(prices.size > 1_000, `${prices.size} distinct prices`);
  });
});
