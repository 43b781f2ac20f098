import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { EventTypes, newEnvelope } from '@marketshare/platform/contracts';
import { EventPublisher, RabbitConnection } from '@marketshare/platform/rabbit';
import { createTestVhost, httpRequest, waitFor, type TestVhost } from '@marketshare/platform/testing';
import { prepareProductsTest, serveProducts, type ProductsTestBase } from '../support/products-under-test.js';

/**
 * A deactivated seller's unexpired token stops working here too: ms-users announces the
 * deactivation (auth.subject_revoked), and ms-products' verifier applies it within seconds.
 */
describe('ms-products: a revoked account cannot go on using its token', function () {
  this.timeout(60_000);
  let base: ProductsTestBase;
  let vhost: TestVhost;
  let url: string;
  let publisher: EventPublisher;

  before(async () => {
    base = await prepareProductsTest('ms_products_revocation');
    vhost = await createTestVhost('ms_products_revocation');
    base.onStop(() => vhost.drop());
    const rabbit = new RabbitConnection({ url: vhost.url, logger: base.logger });
    rabbit.start();
    base.onStop(() => rabbit.close());
    publisher = new EventPublisher(rabbit, { logger: base.logger, registry: new Registry() });
    await publisher.waitUntilReady(10_000);
    base.onStop(() => publisher.close());
    url = await serveProducts(base, () => undefined, { revocationsFrom: rabbit });
  });
  after(async () => {
    await base?.stop();
  });

  const createProduct = (token: string) =>
    httpRequest(`${url}/api/products`, {
      headers: { authorization: `Bearer ${token}` },
      json: {
        name: 'Revocation washer',
        category: 'Industrial supplies',
        priceMinor: 350,
        currency: 'EUR',
        stock: 5,
      },
    });

  it('refuses a deactivated seller creating products with a token issued before the deactivation', async () => {
    const seller = 'seller-revoked-1';
    const token = base.issuer.sign({ sub: seller, role: 'seller', iat: Math.floor(Date.now() / 1000) - 2 });
    const other = base.issuer.sign({ sub: 'seller-still-active', role: 'seller' });
    assert.equal((await createProduct(token)).status, 201);
    await publisher.publish(
      newEnvelope(EventTypes.AuthSubjectRevoked, {
        subject: seller,
        revokedBefore: new Date().toISOString(),
        reason: 'deactivated',
      }),
    );
    const refused = await waitFor(
      async () => {
        const response = await createProduct(token);
        return response.status === 401 ? response : undefined;
      },
      { timeoutMs: 5_000, intervalMs: 50, what: 'the revoked token refused' },
    );
    assert.match(String(refused.headers.get('www-authenticate')), /error="invalid_token"/);
    assert.equal((await createProduct(other)).status, 201, 'another seller is not affected');
  });
});
