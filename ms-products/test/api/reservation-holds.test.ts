import assert from 'node:assert/strict';
import { httpRequest, type JsonResponse } from '@marketshare/platform/testing';
import { reservationMetrics } from '../../src/api/reservations/metrics.js';
import { StockReservations } from '../../src/domain/stock/reservations.js';
import { PgReservationStore } from '../../src/store/reservations-store.js';
import { ReservationSweep } from '../../src/workers/reservation-sweep.js';
import {
  insertProduct,
  logger,
  metricValue,
  startProductsApp,
  type ProductsTestApp,
} from '../support/stock-harness.js';

const RESERVATIONS = '/internal/stock/reservations';

/**
 * A reservation ms-orders never commits (it died mid-checkout) is a hold: ms-products' own
 * sweep puts its stock back after RESERVATION_HOLD_MINUTES, and an expired reservation can no
 * longer be committed or confirmed (409 reservation_expired).
 */
describe('ms-products reservation holds and their sweep', function () {
  this.timeout(60_000);
  let service: ProductsTestApp;
  let token: string;
  let reservations: StockReservations;

  before(async () => {
    service = await startProductsApp({ RESERVATION_HOLD_MINUTES: '45' });
    token = service.issuer.serviceToken('ms-orders', 'stock:reserve');
    reservations = new StockReservations(
      new PgReservationStore(service.pool),
      reservationMetrics(service.metrics.registry),
      { holdSeconds: 30 * 60 },
    );
  });
  after(async () => {
    await service?.stop();
  });

  const post = (path: string, json?: unknown) =>
    httpRequest(`${service.url}${RESERVATIONS}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      ...(json === undefined ? {} : { json }),
    });
  const reserve = async (orderId: string, productId: string, quantity: number) => {
    const response = await post('', { orderId, items: [{ productId, quantity }] });
    assert.equal(response.status, 201, response.text);
  };
  const stockOf = async (productId: string) =>
    (await service.pool.query<{ stock: number }>('SELECT stock FROM products WHERE id = $1', [productId]))
      .rows[0]?.stock;
  const statusOf = async (orderId: string) =>
    (
      await service.pool.query<{ status: string }>(
        'SELECT status FROM stock_reservations WHERE order_id = $1',
        [orderId],
      )
    ).rows[0]?.status;
  /** As if the reservation had been made `minutes` ago. */
  const age = (orderId: string, minutes: number) =>
    service.pool.query(
      `UPDATE stock_reservations SET held_until = held_until - make_interval(mins => $2) WHERE order_id = $1`,
      [orderId, minutes],
    );
  const codeOf = (response: JsonResponse) => (response.body as { code?: string }).code;
  const expiredCount = () => metricValue(service.metrics, 'stock_reservations_total', { outcome: 'expired' });

  it('holds a fresh reservation for RESERVATION_HOLD_MINUTES', async () => {
    const productId = await insertProduct(service.pool, { stock: 5 });
    await reserve('hold-fresh', productId, 1);
    const { rows } = await service.pool.query<{ minutes: number }>(
      `SELECT round(extract(epoch FROM held_until - now()) / 60)::int AS minutes FROM stock_reservations
       WHERE order_id = 'hold-fresh'`,
    );
    assert.equal(rows[0]?.minutes, 45);
  });

  it('releases a hold that ran out and returns its units; leaves recent, committed and confirmed ones', async () => {
    const productId = await insertProduct(service.pool, { stock: 20 });
    await reserve('old-pending', productId, 4);
    await reserve('recent-pending', productId, 3);
    await reserve('old-committed', productId, 2);
    await reserve('old-confirmed', productId, 1);
    assert.equal((await post('/old-committed/commit')).status, 200);
    assert.equal((await post('/old-confirmed/confirm')).status, 200);
    await age('old-pending', 46);
    await age('recent-pending', 44);
    assert.equal(await stockOf(productId), 10);
    const expiredBefore = await expiredCount();

    assert.equal(await reservations.expireOverdueHolds(100), 1);
    assert.equal(await stockOf(productId), 14, 'the expired hold’s 4 units are back');
    assert.equal(await statusOf('old-pending'), 'released');
    assert.equal(await statusOf('recent-pending'), 'reserved');
    assert.equal(await statusOf('old-committed'), 'reserved');
    assert.equal(await statusOf('old-confirmed'), 'confirmed');
    assert.equal(await expiredCount(), expiredBefore + 1);
    assert.equal(await reservations.expireOverdueHolds(100), 0, 'a second pass finds nothing');
    assert.equal(await stockOf(productId), 14);
  });

  it('answers reservation_expired to a commit, a confirm or a retried reserve after expiry; a release is fine', async () => {
    const productId = await insertProduct(service.pool, { stock: 5 });
    await reserve('expires', productId, 2);
    await age('expires', 46);
    assert.equal(await reservations.expireOverdueHolds(100), 1);
    for (const response of [
      await post('/expires/commit'),
      await post('/expires/confirm'),
      await post('', { orderId: 'expires', items: [{ productId, quantity: 2 }] }),
    ]) {
      assert.equal(response.status, 409, response.text);
      assert.match(String(response.headers.get('content-type')), /^application\/problem\+json/);
      assert.equal(codeOf(response), 'reservation_expired');
    }
    const release = await post('/expires/release');
    assert.equal(release.status, 200, release.text);
    assert.equal((release.body as { status: string }).status, 'released');
    assert.equal(await stockOf(productId), 5, 'released once only');
  });

  it('commits once, idempotently; commit keeps the release and confirm of ms-orders working', async () => {
    const productId = await insertProduct(service.pool, { stock: 5 });
    await reserve('commits', productId, 2);
    const first = await post('/commits/commit');
    assert.equal(first.status, 200, first.text);
    assert.deepEqual(first.body, (await post('/commits/commit')).body);
    assert.equal((await post('/commits/release')).status, 200);
    assert.equal(await stockOf(productId), 5);
    assert.equal(codeOf(await post('/commits/commit')), 'reservation_released');
    assert.equal((await post('/nobody/commit')).status, 404);
  });

  it('never releases one hold twice when several instances sweep at once', async () => {
    const productId = await insertProduct(service.pool, { stock: 30 });
    for (let index = 0; index < 10; index += 1) {
      await reserve(`many-${index}`, productId, 3);
      await age(`many-${index}`, 50);
    }
    assert.equal(await stockOf(productId), 0);
    const passes = await Promise.all(Array.from({ length: 4 }, () => reservations.expireOverdueHolds(100)));
    assert.equal(
      passes.reduce((sum, count) => sum + count, 0),
      10,
    );
    assert.equal(await stockOf(productId), 30);
  });

  it('sweeps on its interval until stopped', async () => {
    const productId = await insertProduct(service.pool, { stock: 2 });
    await reserve('timed', productId, 2);
    await age('timed', 46);
    const sweep = new ReservationSweep({ reservations, logger, intervalMs: 20, batchSize: 10 });
    sweep.start();
    const deadline = Date.now() + 5_000;
    while ((await statusOf('timed')) !== 'released' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await sweep.stop();
    assert.equal(await statusOf('timed'), 'released');
    assert.equal(await stockOf(productId), 2);
  });
});
