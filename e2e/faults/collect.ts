/**
 * Reads back what a fault run left: orders as each consumer lists them (through the gateway),
 * stock and reservations straight from ms-products' database (the admin access of the e2e
 * world), and every message of the stack's SMTP sink.
 */
import { httpRequest } from '@marketshare/platform/testing';
import { field } from '../support/gateway-client.js';
import type { World } from '../support/world.js';
import type { CollectedEmail, CollectedOrder, CollectedProduct, CollectedReservation } from './model.js';
import type { Actor, Recorder } from './recorder.js';

const record = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null ? Object.fromEntries(Object.entries(value)) : {};

const text = (value: unknown): string => (typeof value === 'string' ? value : String(value ?? ''));

function toOrder(raw: unknown): CollectedOrder {
  const order = record(raw);
  const list = (value: unknown) => (Array.isArray(value) ? value.map(record) : []);
  return {
    id: text(order['id']),
    consumerId: text(order['consumerId']),
    status: text(order['status']),
    items: list(order['items']).map((item) => ({
      productId: text(item['productId']),
      quantity: Number(item['quantity']),
    })),
    statusHistory: list(order['statusHistory']).map((change) => ({
      status: text(change['status']),
      at: text(change['at']),
    })),
  };
}

/** Every order of a consumer, all pages; throws when a page is not answered 200. */
export async function ordersOf(recorder: Recorder, consumer: Actor): Promise<CollectedOrder[]> {
  const orders: CollectedOrder[] = [];
  let cursor: unknown = null;
  do {
    const query = typeof cursor === 'string' ? `&cursor=${cursor}` : '';
    const page = await recorder.call('list-orders', `/api/orders?limit=100${query}`, { actor: consumer });
    if (page.status !== 200) throw new Error(`listing orders answered ${page.status}: ${page.text}`);
    const items = field(page.body, 'items');
    orders.push(...(Array.isArray(items) ? items.map(toOrder) : []));
    cursor = field(page.body, 'nextCursor');
  } while (typeof cursor === 'string');
  return orders;
}

export async function productsNow(
  w: World,
  initialStock: ReadonlyMap<string, number>,
): Promise<CollectedProduct[]> {
  const { rows } = await w.productsDb.query<{ id: string; stock: number }>(
    'SELECT id::text AS id, stock FROM products WHERE id = ANY($1::uuid[])',
    [[...initialStock.keys()]],
  );
  const stockOf = new Map(rows.map((row) => [row.id, Number(row.stock)]));
  return [...initialStock].map(([id, initial]) => ({
    id,
    initialStock: initial,
    // A product that vanished counts as empty: every unit of it is then unaccounted for.
    currentStock: stockOf.get(id) ?? 0,
  }));
}

/** Every reservation of the stack (it is the suite's own: all of them are the run's). */
export async function reservationsNow(w: World): Promise<CollectedReservation[]> {
  const { rows } = await w.productsDb.query<{
    orderId: string;
    status: string;
    held: boolean;
    items: { productId: string; quantity: number }[];
  }>(
    `SELECT r.order_id AS "orderId", r.status, r.held_until IS NOT NULL AS held,
            COALESCE(json_agg(json_build_object('productId', i.product_id, 'quantity', i.quantity))
                       FILTER (WHERE i.product_id IS NOT NULL), '[]') AS items
       FROM stock_reservations r LEFT JOIN stock_reservation_items i USING (order_id)
      GROUP BY r.order_id, r.status, r.held_until`,
  );
  return rows;
}

/** Every message in the SMTP sink (maildev's REST API), with the event id ms-email sets. */
export async function emailsNow(w: World): Promise<CollectedEmail[]> {
  const response = await httpRequest(`${w.stack.info.urls.smtpWeb}/email`);
  if (response.status !== 200) throw new Error(`the SMTP sink answered ${response.status}`);
  const mails = Array.isArray(response.body) ? response.body.map(record) : [];
  return mails.map((mail) => {
    const headers = record(mail['headers']);
    const eventId = headers['x-marketshare-event-id'];
    const [to] = Array.isArray(mail['to']) ? mail['to'].map(record) : [];
    return {
      eventId: typeof eventId === 'string' ? eventId : undefined,
      subject: text(mail['subject']),
      to: text(to?.['address']),
    };
  });
}
