import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  canonicalBinding,
  decodeCursor,
  encodeCursor,
  type SortKey,
} from '../../src/domain/products/cursor.js';
import { ProductError } from '../../src/domain/products/errors.js';
import { canSee, tidyLine, type Product, type Viewer } from '../../src/domain/products/product.js';
import { searchCriteria } from '../../src/domain/products/search.js';

const isInvalidCursor = (error: unknown) => error instanceof ProductError && error.code === 'invalid_cursor';

describe('product search cursors', () => {
  const id = randomUUID();
  const binding = canonicalBinding({ list: 'search', sort: 'price_asc', category: 'Kitchen' });
  const keys: SortKey[] = [
    { sort: 'newest', createdAt: '2026-01-02T03:04:05.123456Z', id },
    { sort: 'price_asc', priceMinor: 0, id },
    { sort: 'price_desc', priceMinor: 999_999_999_999, id },
    { sort: 'rating', rating: 4.75, ratingCount: 12, id },
    { sort: 'relevance', rank: 0.30000001192092896, id },
  ];

  it('round-trips the sort key of every sort', () => {
    for (const key of keys) {
      const cursor = encodeCursor(binding, key);
      assert.match(cursor, /^[A-Za-z0-9_-]+$/, 'URL-safe without escaping');
      assert.deepEqual(decodeCursor(cursor, binding, key.sort), key);
    }
  });

  it('binds a cursor to its query and its sort', () => {
    const cursor = encodeCursor(binding, { sort: 'price_asc', priceMinor: 100, id });
    const other = canonicalBinding({ list: 'search', sort: 'price_asc', category: 'Garden' });
    assert.throws(() => decodeCursor(cursor, other, 'price_asc'), isInvalidCursor);
    assert.throws(() => decodeCursor(cursor, binding, 'price_desc'), isInvalidCursor);
    assert.throws(() => decodeCursor(cursor, binding, 'newest'), isInvalidCursor);
  });

  it('refuses edited, truncated and foreign cursors', () => {
    const cursor = encodeCursor(binding, { sort: 'price_asc', priceMinor: 100, id });
    const values: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString());
    assert.ok(Array.isArray(values));
    const edit = (index: number, value: unknown) =>
      Buffer.from(JSON.stringify(values.map((old: unknown, at) => (at === index ? value : old)))).toString(
        'base64url',
      );
    for (const bad of [
      edit(1, 99),
      edit(1, -1),
      edit(1, '100'),
      edit(2, 'not-a-uuid'),
      edit(0, 2),
      cursor.slice(0, -1),
      `${cursor}A`,
      `${cursor}=`,
      Buffer.from('{"a":1}').toString('base64url'),
      Buffer.from('[1, 100]').toString('base64url'),
      'x'.repeat(600),
      '',
      'ü',
    ]) {
      assert.throws(() => decodeCursor(bad, binding, 'price_asc'), isInvalidCursor, bad);
    }
  });

  it('describes a query canonically: order-free, unset filters left out', () => {
    assert.equal(canonicalBinding({ b: 1, a: 'x', c: undefined }), canonicalBinding({ a: 'x', b: 1 }));
    assert.notEqual(canonicalBinding({ a: 'x' }), canonicalBinding({ a: 'x', inStock: false }));
    assert.notEqual(canonicalBinding({ a: '1' }), canonicalBinding({ a: 1 }));
  });
});

describe('product search criteria', () => {
  it('searches text by relevance by default, and browses newest first without text', () => {
    assert.equal(searchCriteria({ q: 'desk', limit: 20 }).sort, 'relevance');
    assert.equal(searchCriteria({ limit: 20 }).sort, 'newest');
    assert.equal(searchCriteria({ q: '   ', sort: 'relevance', limit: 20 }).sort, 'newest');
    assert.equal(searchCriteria({ q: '   ', limit: 20 }).text, undefined);
    assert.equal(searchCriteria({ q: ' desk ', sort: 'price_asc', limit: 20 }).text, 'desk');
    assert.equal(searchCriteria({ q: 'desk', sort: 'price_asc', limit: 20 }).sort, 'price_asc');
  });

  it('refuses a price range that is upside down', () => {
    assert.throws(
      () => searchCriteria({ minPrice: 10, maxPrice: 9, limit: 20 }),
      (error: unknown) => error instanceof ProductError && error.field === 'maxPrice',
    );
    assert.equal(searchCriteria({ minPrice: 10, maxPrice: 10, limit: 20 }).maxPrice, 10);
  });
});

describe('product visibility and tidying', () => {
  const product = (status: Product['status']): Product => ({
    id: randomUUID(),
    sellerId: 'seller-1',
    name: 'Lamp',
    description: '',
    category: 'Office',
    priceMinor: 100,
    currency: 'EUR',
    stock: 1,
    attributes: {},
    status,
    moderation: null,
    rating: { average: null, count: 0 },
    createdAt: new Date(),
    updatedAt: new Date(),
    version: 1,
  });
  const viewers: Record<string, Viewer | undefined> = {
    anonymous: undefined,
    owner: { subject: 'seller-1', role: 'seller' },
    otherSeller: { subject: 'seller-2', role: 'seller' },
    consumer: { subject: 'seller-1', role: 'consumer' },
    service: { subject: 'seller-1', role: undefined },
    admin: { subject: 'admin-1', role: 'admin' },
  };

  it('shows published products to everyone and the others to their seller and admins only', () => {
    for (const viewer of Object.values(viewers)) assert.ok(canSee(product('published'), viewer));
    const visible = Object.entries(viewers)
      .filter(([, viewer]) => canSee(product('unpublished'), viewer))
      .map(([name]) => name);
    assert.deepEqual(visible, ['owner', 'admin']);
  });

  it('trims names and collapses their inner whitespace', () => {
    assert.equal(tidyLine('  Oak \t  desk  '), 'Oak desk');
  });
});
