import assert from 'node:assert/strict';
import { decideAccess, requiredRole } from '../src/lib/server/guards.js';

describe('frontend role guards', () => {
  it('reads the role from the route group', () => {
    assert.equal(requiredRole('/(public)/login'), null);
    assert.equal(requiredRole('/(consumer)/account'), 'consumer');
    assert.equal(requiredRole('/(seller)/seller/products/[id]'), 'seller');
    assert.equal(requiredRole('/(admin)/admin'), 'admin');
    assert.equal(requiredRole(null), null);
  });

  it('lets anyone in public pages, sends anonymous users to login and the wrong role home', () => {
    assert.deepEqual(decideAccess('/(public)', null), { kind: 'allow' });
    assert.deepEqual(decideAccess(null, null), { kind: 'allow' });
    assert.deepEqual(decideAccess('/(consumer)/account', null), { kind: 'login' });
    assert.deepEqual(decideAccess('/(consumer)/account', 'consumer'), { kind: 'allow' });
    assert.deepEqual(decideAccess('/(seller)/seller', 'consumer'), { kind: 'home', area: 'seller' });
    assert.deepEqual(decideAccess('/(admin)/admin', 'seller'), { kind: 'home', area: 'admin' });
    assert.deepEqual(decideAccess('/(consumer)/account', 'admin'), { kind: 'home', area: 'consumer' });
  });
});
