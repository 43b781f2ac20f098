import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { createLogger } from '@marketshare/platform';
import { EventTypes, newEnvelope } from '@marketshare/platform/contracts';
import { EventPublisher, RabbitConnection } from '@marketshare/platform/rabbit';
import { createTestVhost, httpRequest, waitFor, type TestVhost } from '@marketshare/platform/testing';
import { startOrdersApp, type OrdersTestApp } from '../support/orders-harness.js';

/**
 * A deactivated consumer's unexpired token stops working here too: ms-users announces the
 * deactivation (auth.subject_revoked), and ms-orders' verifier applies it within seconds.
 */
describe('ms-orders: a revoked account cannot go on using its token', function () {
  this.timeout(60_000);
  const logger = createLogger({ service: 'ms-orders-test', level: 'silent' });
  let vhost: TestVhost;
  let rabbit: RabbitConnection;
  let publisher: EventPublisher;
  let app: OrdersTestApp;

  before(async () => {
    vhost = await createTestVhost('ms_orders_revocation');
    rabbit = new RabbitConnection({ url: vhost.url, logger });
    rabbit.start();
    publisher = new EventPublisher(rabbit, { logger, registry: new Registry() });
    await publisher.waitUntilReady(10_000);
    app = await startOrdersApp({}, { revocationsFrom: rabbit });
  });
  after(async () => {
    await app?.stop();
    await publisher?.close();
    await rabbit?.close();
    await vhost?.drop();
  });

  const readCart = (token: string) =>
    httpRequest(`${app.url}/api/cart`, { headers: { authorization: `Bearer ${token}` } });

  it("refuses a deactivated consumer's cart with a token issued before the deactivation", async () => {
    const consumer = 'consumer-revoked-1';
    const token = app.issuer.sign({
      sub: consumer,
      role: 'consumer',
      iat: Math.floor(Date.now() / 1000) - 2,
    });
    assert.equal((await readCart(token)).status, 200);
    await publisher.publish(
      newEnvelope(EventTypes.AuthSubjectRevoked, {
        subject: consumer,
        revokedBefore: new Date().toISOString(),
        reason: 'deactivated',
      }),
    );
    const refused = await waitFor(
      async () => {
        const response = await readCart(token);
        return response.status === 401 ? response : undefined;
      },
      { timeoutMs: 5_000, intervalMs: 50, what: 'the revoked token refused' },
    );
    assert.match(String(refused.headers.get('content-type')), /application\/problem\+json/);
    assert.equal((await readCart(app.consumerToken('consumer-still-active'))).status, 200);
  });
});
