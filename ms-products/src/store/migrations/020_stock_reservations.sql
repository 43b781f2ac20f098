-- Stock reservations for ms-orders, idempotent by order id. The row of an order id is inserted
-- first in the reserving transaction, so a concurrent duplicate waits on its primary key and then
-- reads the stored answer. `answer` is the first answer (reserved or rejected) exactly as sent.
CREATE TABLE stock_reservations (
  order_id TEXT PRIMARY KEY CHECK (order_id ~ '^[A-Za-z0-9_-]{1,64}$'),
  status TEXT NOT NULL CHECK (status IN ('reserved', 'rejected', 'released', 'confirmed')),
  -- sha256 of the requested items (sorted): a retry must ask for exactly the same
  request_hash TEXT NOT NULL,
  answer JSONB NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- What a reservation took, at the price it took it at. No foreign key to products: a seller may
-- delete a product while an order holds some of it, and a release then has nothing to put back.
CREATE TABLE stock_reservation_items (
  order_id TEXT NOT NULL REFERENCES stock_reservations (order_id) ON DELETE CASCADE,
  product_id UUID NOT NULL,
  seller_id TEXT NOT NULL,
  quantity INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 1000),
  unit_price_minor BIGINT NOT NULL CHECK (unit_price_minor >= 0),
  currency CHAR(3) NOT NULL,
  PRIMARY KEY (order_id, product_id)
);

CREATE INDEX stock_reservation_items_product_idx ON stock_reservation_items (product_id);
