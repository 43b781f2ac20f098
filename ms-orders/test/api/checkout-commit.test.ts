import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { call, startOrdersApp, type OrdersTestApp } from '../support/orders-harness.js';

interface OrderBody {
  id: string;
  status: string;
}
const ordersOf = (body: unknown) => (body as { orders: OrderBody[] }).orders;

/**
 * ms-products keeps a fresh reservation as a hold and puts its stock back if it is not
 * committed in time (ms-orders died mid-checkout). ms-orders commits before storing an order,
 * and treats an expired reservation (409 reservation_expired) as stock it lost.
 */
describe('ms-orders checkout and reservation holds', function () {
  this.timeout(60_000);
  let app: OrdersTestApp;
  before(async () => {
    app = await startOrdersApp();
  });
  after(async () => {
    await app?.stop();
  });
  afterEach(() => {
    app.products.expireBeforeCommit = false;
    app.payments.approvalProbability = 1;
  });

  const checkout = (consumer: string, productId: string, quantity: number) =>
    call(app, 'POST', '/api/orders/checkout', app.consumerToken(consumer), {
      json: { items: [{ productId, quantity }] },
      headers: { 'idempotency-key': randomUUID() },
    });
  const setStatus = (id: string, seller: string, status: string) =>
    call(app, 'POST', `/api/orders/${id}/status`, app.sellerToken(seller), { json: { status } });

  it('commits the reservation of a received order before storing it, and not a declined one', async () => {
    const product = app.products.addProduct({ sellerId: 'hold-shop-1', stock: 5 });
    const received = await checkout(`c-${randomUUID()}`, product.id, 2);
    assert.equal(received.status, 201, received.text);
    const order = ordersOf(received.body)[0];
    assert.equal(order?.status, 'RECEIVED');
    assert.ok(order && app.products.commitCalls.includes(order.id));
    assert.equal(app.products.reservations.get(order.id)?.committed, true);

    app.payments.approvalProbability = 0;
    const declined = ordersOf((await checkout(`c-${randomUUID()}`, product.id, 1)).body)[0];
    assert.equal(declined?.status, 'REJECTED');
    assert.ok(declined && !app.products.commitCalls.includes(declined.id));
  });

  it('stores an OUT_OF_STOCK order when the hold expired before the commit', async () => {
    const product = app.products.addProduct({ sellerId: 'hold-shop-2', stock: 5 });
    app.products.expireBeforeCommit = true;
    const response = await checkout(`c-${randomUUID()}`, product.id, 3);
    assert.equal(response.status, 201, response.text);
    const order = ordersOf(response.body)[0];
    assert.equal(order?.status, 'OUT_OF_STOCK');
    assert.equal(app.products.products.get(product.id)?.stock, 5, 'the stock went back');
    const stored = await app.models.orders.findById(order?.id).lean();
    assert.equal(stored?.reservationFollowUp, null);
  });

  it('takes a confirm answered reservation_expired as final: the delivery completes, nothing is retried', async () => {
    const product = app.products.addProduct({ sellerId: 'hold-shop-3', stock: 5 });
    const order = ordersOf((await checkout(`c-${randomUUID()}`, product.id, 1)).body)[0];
    assert.ok(order);
    // As if ms-products had released it itself (a reservation never committed, e.g. from before holds).
    const reservation = app.products.reservations.get(order.id);
    assert.ok(reservation);
    reservation.committed = false;
    app.products.expireHold(order.id);
    assert.equal((await setStatus(order.id, 'hold-shop-3', 'IN_DELIVERY')).status, 200);
    const delivered = await setStatus(order.id, 'hold-shop-3', 'DELIVERED');
    assert.equal(delivered.status, 200, delivered.text);
    const stored = await app.models.orders.findById(order.id).lean();
    assert.equal(stored?.reservationFollowUp, null, 'the confirm follow-up is done, not left for the sweep');
  });
});
