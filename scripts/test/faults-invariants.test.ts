/**
 * The fault suite's detectors work: each invariant checker (e2e/faults/invariants.ts) passes a
 * consistent run and reports a run broken on purpose — an oversold product, stock that leaked,
 * an orphan reservation, an order without its reservation, an illegal move, a duplicate or
 * missing email, an unexpected 500. No stack: the checkers are pure functions.
 */
import assert from 'node:assert/strict';
import {
  checkAll,
  checkEmails,
  checkOrderStates,
  checkReservations,
  checkResponses,
  checkStock,
} from '../../e2e/faults/invariants.js';
import type { CollectedOrder, FaultWindow, RecordedResponse, RunData } from '../../e2e/faults/model.js';

const T0 = 1_700_000_000_000;
const PRODUCT = 'product-1';
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

function order(id: string, statuses: string[], quantity = 2): CollectedOrder {
  return {
    id,
    consumerId: 'consumer-1',
    status: statuses.at(-1) ?? 'RECEIVED',
    items: [{ productId: PRODUCT, quantity }],
    statusHistory: statuses.map((status, index) => ({ status, at: at(index) })),
  };
}

const response = (overrides: Partial<RecordedResponse>): RecordedResponse => ({
  operation: 'checkout',
  path: '/api/orders/checkout',
  startedAt: T0 + 1_000,
  endedAt: T0 + 1_200,
  status: 201,
  code: '',
  ...overrides,
});

/** ms-products stopped from +10 s to +20 s, ms-orders killed from +30 s to +40 s. */
const WINDOWS: FaultWindow[] = [
  { name: 'stop ms-products', service: 'ms-products', abrupt: false, start: T0 + 10_000, end: T0 + 20_000 },
  { name: 'kill -9 ms-orders', service: 'ms-orders', abrupt: true, start: T0 + 30_000, end: T0 + 40_000 },
];

/** A consistent run: 10 units, a live order of 2, a delivered one of 3, a cancelled and a refused one. */
function consistentRun(): RunData {
  const orders = [
    order('o-live', ['RECEIVED']),
    order('o-delivered', ['RECEIVED', 'IN_DELIVERY', 'DELIVERED'], 3),
    order('o-cancelled', ['RECEIVED', 'CANCELLED']),
    order('o-refused', ['OUT_OF_STOCK'], 9),
  ];
  const items = (quantity: number) => [{ productId: PRODUCT, quantity }];
  const mail = (subject: string, eventId: string) => ({ subject, eventId, to: 'buyer@example.test' });
  return {
    products: [{ id: PRODUCT, initialStock: 10, currentStock: 5 }],
    orders,
    reservations: [
      { orderId: 'o-live', status: 'reserved', held: false, items: items(2) },
      { orderId: 'o-delivered', status: 'confirmed', held: false, items: items(3) },
      { orderId: 'o-cancelled', status: 'released', held: false, items: items(2) },
      { orderId: 'o-refused', status: 'rejected', held: false, items: [] },
      // A checkout that died before storing its order: released by the sweep.
      { orderId: 'o-abandoned', status: 'released', held: false, items: items(1) },
    ],
    accounts: [{ id: 'consumer-1', email: 'buyer@example.test', companyName: 'Buyer GmbH' }],
    consumerEmails: new Map([['consumer-1', 'buyer@example.test']]),
    emails: [
      mail('Welcome to Marketshare, Buyer GmbH', 'e1'),
      mail('Order received: order o-live', 'e2'),
      mail('Order received: order o-delivered', 'e3'),
      mail('Your order has shipped: order o-delivered', 'e4'),
      mail('Your order was delivered: order o-delivered', 'e5'),
      mail('Order received: order o-cancelled', 'e6'),
      mail('Your order was cancelled: order o-cancelled', 'e7'),
      mail('Items out of stock: order o-refused', 'e8'),
    ],
    responses: [
      response({}),
      response({ status: 503, code: 'products_unavailable', startedAt: T0 + 12_000, endedAt: T0 + 12_100 }),
      // In flight when ms-orders was killed: the gateway's 502.
      response({ status: 502, code: 'bad_gateway', startedAt: T0 + 29_900, endedAt: T0 + 30_050 }),
      response({
        status: 409,
        code: 'illegal_transition',
        operation: 'cancel',
        path: '/api/orders/x/status',
      }),
    ],
    windows: WINDOWS,
    acknowledgedOrders: ['o-live', 'o-refused'],
    acknowledgedMoves: [{ orderId: 'o-delivered', status: 'IN_DELIVERY' }],
  };
}

/** The checker's violations, asserted to be exactly one, matching `pattern`. */
function assertReports(violations: string[], pattern: RegExp): void {
  assert.equal(violations.length, 1, violations.join('\n'));
  assert.match(violations[0] ?? '', pattern);
}

describe('fault suite detectors (e2e/faults/invariants.ts)', () => {
  it('find nothing wrong with a consistent run', () => {
    const all = checkAll(consistentRun());
    assert.deepEqual(all, { stock: [], orders: [], reservations: [], emails: [], responses: [] });
  });

  it('report an oversold product', () => {
    const run = consistentRun();
    run.orders.push(order('o-extra', ['RECEIVED'], 6));
    run.products = [{ id: PRODUCT, initialStock: 10, currentStock: -1 }];
    const violations = checkStock(run);
    assert.ok(
      violations.some((line) => /oversold: 11 units/.test(line)),
      violations.join('\n'),
    );
  });

  it('report stock that left without a live order (a leaked reservation)', () => {
    const run = consistentRun();
    run.products = [{ id: PRODUCT, initialStock: 10, currentStock: 4 }];
    assertReports(checkStock(run), /not conserved: 6 units left .* live orders hold 5/);
  });

  it('report an orphan reservation and a live order without its reservation', () => {
    const orphan = consistentRun();
    orphan.reservations.push({ orderId: 'o-ghost', status: 'reserved', held: true, items: [] });
    assertReports(checkReservations(orphan), /reservation o-ghost \(reserved\) has no order/);
    const missing = consistentRun();
    missing.reservations = missing.reservations.filter((reservation) => reservation.orderId !== 'o-live');
    assertReports(checkReservations(missing), /live order o-live .* has no reservation/);
    const stale = consistentRun();
    stale.reservations = stale.reservations.map((reservation) =>
      reservation.orderId === 'o-cancelled' ? { ...reservation, status: 'reserved' } : reservation,
    );
    assertReports(checkReservations(stale), /o-cancelled is CANCELLED but its reservation still holds stock/);
  });

  it('report an order in an invalid state, and an acknowledged order that is gone', () => {
    const illegal = consistentRun();
    illegal.orders.push(order('o-bad', ['RECEIVED', 'DELIVERED']));
    assertReports(checkOrderStates(illegal), /o-bad moved RECEIVED → DELIVERED/);
    const lost = consistentRun();
    lost.acknowledgedOrders.push('o-lost');
    assertReports(checkOrderStates(lost), /o-lost was answered 201 but does not exist/);
    const unknown = consistentRun();
    unknown.orders.push({ ...order('o-odd', ['RECEIVED']), status: 'SHIPPED' });
    assert.ok(checkOrderStates(unknown).some((line) => /unknown status SHIPPED/.test(line)));
  });

  it('report a duplicate, a missing and an unexpected email', () => {
    const duplicate = consistentRun();
    duplicate.emails.push({
      subject: 'Order received: order o-live',
      to: 'buyer@example.test',
      eventId: 'e2',
    });
    const found = checkEmails(duplicate);
    assert.ok(
      found.some((line) => /2 emails instead of one: .*o-live/.test(line)),
      found.join('\n'),
    );
    assert.ok(
      found.some((line) => /event e2 produced 2 emails/.test(line)),
      found.join('\n'),
    );
    const missing = consistentRun();
    missing.emails = missing.emails.filter((email) => email.eventId !== 'e7');
    assertReports(checkEmails(missing), /no email: .*cancelled: order o-cancelled/);
    const stray = consistentRun();
    stray.emails.push({ subject: 'Order received: order o-nobody', eventId: 'e9', to: 'x@example.test' });
    assertReports(checkEmails(stray), /unexpected email/);
  });

  it('report an unexpected 500, a 503 outside its outages and a refused token', () => {
    const broken = consistentRun();
    broken.responses.push(response({ status: 500, code: 'internal' }));
    assertReports(checkResponses(broken), /checkout .* answered 500 internal outside any outage/);
    const late = consistentRun();
    late.responses.push(response({ status: 503, startedAt: T0 + 25_000, endedAt: T0 + 25_100 }));
    assertReports(checkResponses(late), /answered 503/);
    // ms-products was away, but a registration does not need it.
    const unrelated = consistentRun();
    unrelated.responses.push(
      response({
        operation: 'register',
        path: '/api/users',
        status: 503,
        startedAt: T0 + 12_000,
        endedAt: T0 + 12_100,
      }),
    );
    assertReports(checkResponses(unrelated), /register .* answered 503/);
    // A graceful stop cuts nothing off: a 502 while ms-products stops is a failure.
    const cut = consistentRun();
    cut.responses.push(response({ status: 502, startedAt: T0 + 11_000, endedAt: T0 + 11_100 }));
    assertReports(checkResponses(cut), /answered 502/);
    const refused = consistentRun();
    refused.responses.push(response({ status: 401, code: 'invalid_token' }));
    assertReports(checkResponses(refused), /a valid token was refused/);
  });
});
