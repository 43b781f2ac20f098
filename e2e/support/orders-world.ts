/**
 * What the orders files share: people with tokens, products, checkouts and order lists through
 * the gateway, and what only the stack's insides can tell — stock reservations in ms-products'
 * database, ms-orders' unsent events, and the emails in the SMTP sink.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { httpRequest, waitFor, type JsonResponse } from '@marketshare/platform/testing';
import { field } from './gateway-client.js';
import { PASSWORD, type World } from './world.js';

export interface Person {
  id: string;
  role: 'seller' | 'consumer';
  username: string;
  email: string;
  token: string;
}

export interface OrderLine {
  productId: string;
  quantity: number;
}

/** An order as ms-orders presents it (the fields these tests read). */
export interface OrderView {
  id: string;
  consumerId: string;
  sellerId: string;
  status: string;
  items: OrderLine[];
}

/** One message as maildev's REST API (GET /email) lists it. */
export interface SinkMail {
  to: { address: string }[];
  subject: string;
}

export interface Reservation {
  orderId: string;
  status: string;
  productId: string;
  quantity: number;
}

/** The orders of a checkout's 201 answer. */
export function ordersIn(response: JsonResponse): OrderView[] {
  assert.equal(response.status, 201, response.text);
  const orders = field(response.body, 'orders');
  assert.ok(Array.isArray(orders), response.text);
  return orders as OrderView[]; // the checkout answer's schema (ms-orders' CheckoutView)
}

/** Units of a product in the given orders. */
export function unitsOf(orders: readonly OrderView[], productId: string): number {
  return orders
    .flatMap((order) => order.items)
    .filter((item) => item.productId === productId)
    .reduce((sum, item) => sum + item.quantity, 0);
}

/** Order ids are the subject's last word ("Order received: order <id>"). */
const orderIdOfSubject = (subject: string) => /order ([A-Za-z0-9_-]+)$/.exec(subject)?.[1];

/** How ms-email's subject starts for each outcome of a checkout. */
const SUBJECT_OF_STATUS: Record<string, string> = {
  RECEIVED: 'Order received',
  OUT_OF_STOCK: 'Items out of stock',
};

const REGISTRATIONS_AT_ONCE = 6;

/** After the last expected email, how long a duplicate is given to show up. */
const DUPLICATE_GRACE_MS = 3_000;

export class OrdersWorld {
  constructor(readonly w: World) {}

  /** Registered, then logged in through the gateway's token endpoint. */
  async person(role: 'seller' | 'consumer'): Promise<Person> {
    const account = await this.w.register(role);
    const tokens = await this.w.gateway.loginTokens(account.username, PASSWORD);
    return { ...account, token: tokens.access_token };
  }

  /**
   * Many registered accounts at once. Their tokens are signed with the stack's real key, as
   * ms-auth signs them: logging a crowd in would only meet the token endpoint's rate limit.
   */
  async crowd(size: number, role: 'seller' | 'consumer'): Promise<Person[]> {
    const people: Person[] = [];
    let next = 0;
    // A few registrations at a time: each is a bcrypt hash in ms-users, on a machine of two cores.
    const register = async () => {
      for (let slot = next++; slot < size; slot = next++) {
        const account = await this.w.register(role);
        people[slot] = { ...account, token: this.w.signer.sign({ sub: account.id, role }) };
      }
    };
    await Promise.all(Array.from({ length: Math.min(size, REGISTRATIONS_AT_ONCE) }, register));
    return people;
  }

  async createProduct(seller: Person, stock: number, priceMinor = 1_250): Promise<string> {
    const created = await this.w.gateway.call('/api/products', {
      method: 'POST',
      token: seller.token,
      json: {
        name: `Hex bolt M${stock} ${randomUUID().slice(0, 6)}`,
        description: 'Zinc-plated steel, DIN 933.',
        category: 'Industrial supplies',
        priceMinor,
        currency: 'EUR',
        stock,
      },
    });
    assert.equal(created.status, 201, created.text);
    return String(field(created.body, 'id'));
  }

  /** Explicit items, or the consumer's cart when items is undefined. */
  checkout(
    person: Person,
    items?: OrderLine[],
    options: { idempotencyKey?: string; timeoutMs?: number } = {},
  ): Promise<JsonResponse> {
    return this.w.gateway.call('/api/orders/checkout', {
      method: 'POST',
      token: person.token,
      headers: { 'idempotency-key': options.idempotencyKey ?? randomUUID() },
      json: items === undefined ? {} : { items },
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    });
  }

  /** Every order the person sees, all pages. */
  async ordersOf(person: Person): Promise<OrderView[]> {
    const orders: OrderView[] = [];
    let cursor: unknown = null;
    do {
      const query = cursor === null ? '' : `&cursor=${String(cursor)}`;
      const page = await this.w.gateway.call(`/api/orders?limit=100${query}`, { token: person.token });
      assert.equal(page.status, 200, page.text);
      orders.push(...(field(page.body, 'items') as OrderView[])); // ms-orders' OrderPage schema
      cursor = field(page.body, 'nextCursor');
    } while (typeof cursor === 'string');
    return orders;
  }

  async stockOf(productId: string): Promise<number> {
    const product = await this.w.gateway.call(`/api/products/${productId}`);
    assert.equal(product.status, 200, product.text);
    return Number(field(product.body, 'stock'));
  }

  /** Reservations in ms-products' database that hold some of these products. */
  async reservationsOf(productIds: readonly string[]): Promise<Reservation[]> {
    const { rows } = await this.w.productsDb.query<Reservation>(
      `SELECT r.order_id AS "orderId", r.status, i.product_id AS "productId", i.quantity
         FROM stock_reservations r JOIN stock_reservation_items i USING (order_id)
        WHERE i.product_id = ANY($1::uuid[])`,
      [productIds],
    );
    return rows;
  }

  /** The emails in the SMTP sink about these orders, by order id. */
  async emailsAbout(orderIds: ReadonlySet<string>): Promise<Map<string, SinkMail[]>> {
    const response = await httpRequest(`${this.w.stack.info.urls.smtpWeb}/email`);
    assert.equal(response.status, 200, response.text);
    const mails = response.body as SinkMail[]; // maildev's REST API shape
    const byOrder = new Map<string, SinkMail[]>();
    for (const mail of mails) {
      const orderId = orderIdOfSubject(mail.subject);
      if (orderId === undefined || !orderIds.has(orderId)) continue;
      byOrder.set(orderId, [...(byOrder.get(orderId) ?? []), mail]);
    }
    return byOrder;
  }

  /** Waits until the gateway's health checks take the backend (a service) in again. */
  async gatewaySeesUp(backend: string, timeoutMs = 30_000): Promise<void> {
    const statsCsv = `${this.w.stack.info.urls.haproxyStats};csv`;
    await waitFor(
      async () => {
        const [header = [], ...rows] = (await httpRequest(statsCsv)).text
          .split('\n')
          .map((line) => line.replace(/^# /, '').split(','));
        const [proxy, server, status] = ['pxname', 'svname', 'status'].map((name) => header.indexOf(name));
        return rows.some(
          (row) =>
            row[proxy ?? -1] === backend && row[server ?? -1] === 'BACKEND' && row[status ?? -1] === 'UP',
        );
      },
      { timeoutMs, intervalMs: 250, what: `the gateway to route to ${backend} again` },
    );
  }

  /** ms-orders' events not yet confirmed by RabbitMQ (its outbox_backlog gauge). */
  async outboxBacklog(): Promise<number> {
    const url = `${this.w.stack.info.urls.services['ms-orders'] ?? ''}/metrics`;
    const metrics = await httpRequest(url);
    const line = /^outbox_backlog(?:\{[^}]*\})? (\d+)$/m.exec(metrics.text);
    assert.ok(line, 'ms-orders exposes outbox_backlog');
    return Number(line[1]);
  }

  /**
   * Waits until every order has its email, gives a duplicate a few seconds to show, then checks
   * each order got exactly one, of its outcome's kind, addressed to its consumer.
   */
  async expectOneEmailPerOrder(
    orders: readonly OrderView[],
    consumers: readonly Person[],
    timeoutMs: number,
  ): Promise<void> {
    const ids = new Set(orders.map((order) => order.id));
    await waitFor(async () => (await this.emailsAbout(ids)).size === ids.size, {
      timeoutMs,
      intervalMs: 1_000,
      what: `the emails about ${ids.size} orders`,
    });
    await sleep(DUPLICATE_GRACE_MS);
    const byOrder = await this.emailsAbout(ids);
    const emailOf = new Map(consumers.map((consumer) => [consumer.id, consumer.email]));
    const wrong = orders.flatMap((order) => {
      const mails = byOrder.get(order.id) ?? [];
      const [mail] = mails;
      const expected = SUBJECT_OF_STATUS[order.status] ?? `(no email for ${order.status})`;
      const right =
        mails.length === 1 &&
        mail?.subject.startsWith(expected) === true &&
        mail.to.map((to) => to.address).join() === emailOf.get(order.consumerId);
      return right ? [] : [{ order: order.id, status: order.status, mails }];
    });
    assert.deepEqual(wrong, [], 'exactly one email per order, of its kind, to its consumer');
  }

  /**
   * Checks that ms-products holds exactly what the accepted orders bought: each product's stock
   * is its initial stock less their units, and the only live reservations are theirs. A failed
   * attempt's reservation is released by ms-orders' sweep, so this waits for it (bounded).
   */
  async expectStockConserved(
    initialStock: ReadonlyMap<string, number>,
    accepted: readonly OrderView[],
    timeoutMs: number,
  ): Promise<void> {
    const productIds = [...initialStock.keys()];
    const expected = {
      stock: productIds.map((id) => (initialStock.get(id) ?? 0) - unitsOf(accepted, id)),
      reservedUnits: productIds.map((id) => unitsOf(accepted, id)),
      reservedOrders: [...new Set(accepted.map((order) => order.id))].sort(),
    };
    const observe = async () => {
      const reserved = (await this.reservationsOf(productIds)).filter((r) => r.status === 'reserved');
      const units = (id: string) =>
        reserved.filter((r) => r.productId === id).reduce((sum, r) => sum + r.quantity, 0);
      return {
        stock: await Promise.all(productIds.map((id) => this.stockOf(id))),
        reservedUnits: productIds.map(units),
        reservedOrders: [...new Set(reserved.map((r) => r.orderId))].sort(),
      };
    };
    let observed: Awaited<ReturnType<typeof observe>> | undefined;
    await waitFor(
      async () => {
        observed = await observe();
        return isDeepStrictEqual(observed, expected);
      },
      { timeoutMs, intervalMs: 500, what: 'stock and reservations to match the accepted orders' },
    ).catch(() => undefined);
    assert.deepEqual(observed ?? (await observe()), expected, 'stock conserved, no reservation left over');
  }
}
