import { inPgTransaction, type PgClient, type PgPool } from '@marketshare/platform/pg';
import type {
  RequestedItem,
  ReservationAnswer,
  ReservationStatus,
  ReservationStore,
  ReservationTransaction,
  ReservedItem,
  StockedProduct,
  StoredReservation,
} from '../domain/stock/ports.js';

interface ReservationRow {
  order_id: string;
  status: ReservationStatus;
  request_hash: string;
  answer: ReservationAnswer;
  held_until: Date | null;
  expired_at: Date | null;
}

const RESERVATION_COLUMNS = 'order_id, status, request_hash, answer, held_until, expired_at';

function storedFromRow(row: ReservationRow): StoredReservation {
  return {
    orderId: row.order_id,
    status: row.status,
    requestHash: row.request_hash,
    answer: row.answer,
    heldUntil: row.held_until,
    expired: row.expired_at !== null,
  };
}

interface ProductRow {
  id: string;
  seller_id: string;
  price_minor: number;
  currency: string;
  stock: number;
  status: string;
}

interface ItemRow {
  product_id: string;
  seller_id: string;
  quantity: number;
  unit_price_minor: number;
  currency: string;
}

/** Reservations in PostgreSQL: one transaction per use case, rows locked as the domain asks. */
export class PgReservationStore implements ReservationStore {
  constructor(private readonly pool: PgPool) {}

  transaction<T>(work: (tx: ReservationTransaction) => Promise<T>): Promise<T> {
    return inPgTransaction(this.pool, (client) => work(new PgReservationTransaction(client)));
  }

  async overdueHolds(limit: number): Promise<string[]> {
    const { rows } = await this.pool.query<{ order_id: string }>(
      `SELECT order_id FROM stock_reservations WHERE held_until < now() ORDER BY held_until LIMIT $1`,
      [limit],
    );
    return rows.map((row) => row.order_id);
  }
}

class PgReservationTransaction implements ReservationTransaction {
  constructor(private readonly client: PgClient) {}

  async claim(orderId: string, requestHash: string): Promise<boolean> {
    // The status and answer are placeholders that setStatus replaces before this transaction
    // commits, so no other transaction ever sees them.
    const { rowCount } = await this.client.query(
      `INSERT INTO stock_reservations (order_id, status, request_hash, answer)
       VALUES ($1, 'rejected', $2, 'null'::jsonb)
       ON CONFLICT (order_id) DO NOTHING`,
      [orderId, requestHash],
    );
    return rowCount === 1;
  }

  async lock(orderId: string): Promise<StoredReservation | undefined> {
    // SELECT … FOR UPDATE does not wait for a row another transaction is still inserting, so
    // probe with an insert first: it waits for an in-flight reserve of this order id to end.
    // When the probe itself inserts, the order was never seen and the probe is undone.
    await this.client.query('SAVEPOINT lock_probe');
    const probe = await this.client.query(
      `INSERT INTO stock_reservations (order_id, status, request_hash, answer)
       VALUES ($1, 'rejected', '', 'null'::jsonb)
       ON CONFLICT (order_id) DO NOTHING`,
      [orderId],
    );
    if (probe.rowCount === 1) {
      await this.client.query('ROLLBACK TO SAVEPOINT lock_probe');
      return undefined;
    }
    await this.client.query('RELEASE SAVEPOINT lock_probe');
    const { rows } = await this.client.query<ReservationRow>(
      `SELECT ${RESERVATION_COLUMNS} FROM stock_reservations WHERE order_id = $1 FOR UPDATE`,
      [orderId],
    );
    return rows[0] && storedFromRow(rows[0]);
  }

  async lockOverdueHold(orderId: string): Promise<StoredReservation | undefined> {
    // The condition is checked again under the lock: a commit or release may have come first.
    const { rows } = await this.client.query<ReservationRow>(
      `SELECT ${RESERVATION_COLUMNS} FROM stock_reservations
       WHERE order_id = $1 AND status = 'reserved' AND held_until < now()
       FOR UPDATE SKIP LOCKED`,
      [orderId],
    );
    return rows[0] && storedFromRow(rows[0]);
  }

  async hold(orderId: string, seconds: number): Promise<void> {
    await this.client.query(
      `UPDATE stock_reservations SET held_until = now() + make_interval(secs => $2)
       WHERE order_id = $1 AND status = 'reserved'`,
      [orderId, seconds],
    );
  }

  async commit(orderId: string): Promise<void> {
    await this.client.query(
      'UPDATE stock_reservations SET held_until = NULL, updated_at = now() WHERE order_id = $1',
      [orderId],
    );
  }

  async markExpired(orderId: string): Promise<void> {
    await this.client.query('UPDATE stock_reservations SET expired_at = now() WHERE order_id = $1', [
      orderId,
    ]);
  }

  async lockProducts(productIds: string[]): Promise<StockedProduct[]> {
    const { rows } = await this.client.query<ProductRow>(
      `SELECT id, seller_id, price_minor, currency, stock, status FROM products
       WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`,
      [productIds],
    );
    return rows.map((row) => ({
      id: row.id,
      sellerId: row.seller_id,
      priceMinor: row.price_minor,
      currency: row.currency,
      stock: row.stock,
      published: row.status === 'published',
    }));
  }

  async takeStock(items: RequestedItem[]): Promise<void> {
    await this.client.query(
      `UPDATE products AS p SET stock = p.stock - taken.quantity
       FROM unnest($1::uuid[], $2::int[]) AS taken (id, quantity)
       WHERE p.id = taken.id`,
      [items.map((item) => item.productId), items.map((item) => item.quantity)],
    );
  }

  async putBackStock(items: RequestedItem[]): Promise<void> {
    if (items.length === 0) return;
    const ids = items.map((item) => item.productId);
    await this.client.query('SELECT id FROM products WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE', [
      ids,
    ]);
    await this.client.query(
      `UPDATE products AS p SET stock = p.stock + returned.quantity
       FROM unnest($1::uuid[], $2::int[]) AS returned (id, quantity)
       WHERE p.id = returned.id`,
      [ids, items.map((item) => item.quantity)],
    );
  }

  async saveItems(orderId: string, items: ReservedItem[]): Promise<void> {
    await this.client.query(
      `INSERT INTO stock_reservation_items
         (order_id, product_id, seller_id, quantity, unit_price_minor, currency)
       SELECT $1, * FROM unnest($2::uuid[], $3::text[], $4::int[], $5::bigint[], $6::text[])`,
      [
        orderId,
        items.map((item) => item.productId),
        items.map((item) => item.sellerId),
        items.map((item) => item.quantity),
        items.map((item) => item.unitPriceMinor),
        items.map((item) => item.currency),
      ],
    );
  }

  async items(orderId: string): Promise<ReservedItem[]> {
    const { rows } = await this.client.query<ItemRow>(
      `SELECT product_id, seller_id, quantity, unit_price_minor, currency
       FROM stock_reservation_items WHERE order_id = $1 ORDER BY product_id`,
      [orderId],
    );
    return rows.map((row) => ({
      productId: row.product_id,
      sellerId: row.seller_id,
      quantity: row.quantity,
      unitPriceMinor: row.unit_price_minor,
      currency: row.currency,
    }));
  }

  async setStatus(orderId: string, status: ReservationStatus, answer?: ReservationAnswer): Promise<void> {
    await this.client.query(
      `UPDATE stock_reservations
       SET status = $2, answer = COALESCE($3::jsonb, answer), updated_at = now(),
           held_until = CASE WHEN $2 = 'reserved' THEN held_until ELSE NULL END
       WHERE order_id = $1`,
      [orderId, status, answer === undefined ? null : JSON.stringify(answer)],
    );
  }
}
