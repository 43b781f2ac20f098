import assert from 'node:assert/strict';
import type { StockedProduct } from '../../src/domain/stock/ports.js';
import { decideReservation, requestFingerprint } from '../../src/domain/stock/rules.js';

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const C = '00000000-0000-4000-8000-00000000000c';

const product = (id: string, stock: number, published = true): StockedProduct => ({
  id,
  sellerId: `seller-of-${id.slice(-1)}`,
  priceMinor: 100,
  currency: 'EUR',
  stock,
  published,
});

describe('stock reservation rules', () => {
  it('fingerprints the items whatever their order, and tells other quantities apart', () => {
    const one = requestFingerprint([
      { productId: A, quantity: 1 },
      { productId: B, quantity: 2 },
    ]);
    const reordered = requestFingerprint([
      { productId: B, quantity: 2 },
      { productId: A, quantity: 1 },
    ]);
    const other = requestFingerprint([
      { productId: A, quantity: 2 },
      { productId: B, quantity: 1 },
    ]);
    assert.equal(one, reordered);
    assert.notEqual(one, other);
  });

  it('reserves every item in request order when all are available, stock exactly used up included', () => {
    const answer = decideReservation(
      {
        orderId: 'o',
        items: [
          { productId: B, quantity: 2 },
          { productId: A, quantity: 1 },
        ],
      },
      [product(A, 1), product(B, 5)],
    );
    assert.deepEqual(answer, {
      orderId: 'o',
      status: 'reserved',
      items: [
        { productId: B, sellerId: 'seller-of-b', quantity: 2, unitPriceMinor: 100, currency: 'EUR' },
        { productId: A, sellerId: 'seller-of-a', quantity: 1, unitPriceMinor: 100, currency: 'EUR' },
      ],
    });
  });

  it('reports every shortage, and product_unavailable when any product is missing or unpublished', () => {
    const short = decideReservation(
      {
        orderId: 'o',
        items: [
          { productId: A, quantity: 3 },
          { productId: B, quantity: 1 },
        ],
      },
      [product(A, 2), product(B, 0)],
    );
    assert.deepEqual(short, {
      orderId: 'o',
      status: 'rejected',
      reason: 'insufficient_stock',
      shortages: [
        { productId: A, requested: 3, available: 2 },
        { productId: B, requested: 1, available: 0 },
      ],
    });
    const unavailable = decideReservation(
      {
        orderId: 'o',
        items: [
          { productId: A, quantity: 3 },
          { productId: B, quantity: 1 },
          { productId: C, quantity: 1 },
        ],
      },
      [product(A, 2), product(B, 9, false)],
    );
    assert.equal(unavailable.status, 'rejected');
    assert.equal(unavailable.status === 'rejected' && unavailable.reason, 'product_unavailable');
    assert.deepEqual(unavailable.status === 'rejected' && unavailable.shortages, [
      { productId: A, requested: 3, available: 2 },
      { productId: B, requested: 1, available: 0 },
      { productId: C, requested: 1, available: 0 },
    ]);
  });
});
