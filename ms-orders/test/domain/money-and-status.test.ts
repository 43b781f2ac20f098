import assert from 'node:assert/strict';
import { platformFeeMinor } from '../../src/domain/money.js';
import { isLegalTransition, mayRequest } from '../../src/domain/orders.js';
import type { OrderStatus } from '../../src/domain/orders.js';

describe('ms-orders rules', () => {
  it('takes 2 % as the platform fee, rounded half up, capped at 500 minor units', () => {
    assert.equal(platformFeeMinor(0), 0);
    assert.equal(platformFeeMinor(24), 0); // 0.48
    assert.equal(platformFeeMinor(25), 1); // 0.5 rounds up
    assert.equal(platformFeeMinor(2469), 49);
    assert.equal(platformFeeMinor(25_000), 500);
    assert.equal(platformFeeMinor(25_025), 500); // 500.5, capped
    assert.equal(platformFeeMinor(10_000_000), 500);
  });

  it('allows exactly RECEIVED → IN_DELIVERY → DELIVERED and RECEIVED → CANCELLED', () => {
    const statuses: OrderStatus[] = [
      'RECEIVED',
      'IN_DELIVERY',
      'DELIVERED',
      'CANCELLED',
      'REJECTED',
      'OUT_OF_STOCK',
    ];
    const legal = statuses.flatMap((from) =>
      statuses.filter((to) => isLegalTransition(from, to)).map((to) => `${from}>${to}`),
    );
    assert.deepEqual(legal, ['RECEIVED>IN_DELIVERY', 'RECEIVED>CANCELLED', 'IN_DELIVERY>DELIVERED']);
  });

  it('lets sellers advance and consumers cancel, nothing else', () => {
    assert.ok(mayRequest({ id: 's', role: 'seller' }, 'IN_DELIVERY'));
    assert.ok(mayRequest({ id: 's', role: 'seller' }, 'DELIVERED'));
    assert.ok(!mayRequest({ id: 's', role: 'seller' }, 'CANCELLED'));
    assert.ok(mayRequest({ id: 'c', role: 'consumer' }, 'CANCELLED'));
    assert.ok(!mayRequest({ id: 'c', role: 'consumer' }, 'IN_DELIVERY'));
  });
});
