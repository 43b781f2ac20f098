-- Row versions for optimistic concurrency (ETag / If-Match on products), and holds on stock
-- reservations so ms-products can release what ms-orders abandoned even if it never comes back.

-- Every write that changes a product bumps its version, whoever makes it (the catalogue, stock
-- reservations, stock adjustments, ratings): a trigger, so no statement can forget or forge it.
-- A write that changes nothing (publishing a published product) keeps the version.
ALTER TABLE products ADD COLUMN version BIGINT NOT NULL DEFAULT 1 CHECK (version >= 1);

CREATE FUNCTION products_bump_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- search_vector is generated after BEFORE triggers (not yet set in NEW); updated_at follows the rest.
  IF to_jsonb(NEW) - 'version' - 'updated_at' - 'search_vector'
       IS DISTINCT FROM to_jsonb(OLD) - 'version' - 'updated_at' - 'search_vector' THEN
    NEW.version := OLD.version + 1;
  ELSE
    NEW.version := OLD.version;
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER products_version BEFORE UPDATE ON products
  FOR EACH ROW EXECUTE FUNCTION products_bump_version();

-- A fresh reservation is a hold until ms-orders commits it (just before it stores the order);
-- a hold past held_until is released by the sweep and marked expired. NULL: committed (or
-- never a hold: refused, released, confirmed). Reservations made before this migration belong
-- to orders ms-orders may still confirm, so they start committed.
ALTER TABLE stock_reservations
  ADD COLUMN held_until TIMESTAMPTZ NULL,
  ADD COLUMN expired_at TIMESTAMPTZ NULL,
  ADD CONSTRAINT stock_reservations_hold_only_reserved CHECK (held_until IS NULL OR status = 'reserved'),
  ADD CONSTRAINT stock_reservations_expired_released CHECK (expired_at IS NULL OR status = 'released');

-- The sweep's scan: only live holds, oldest first.
CREATE INDEX stock_reservations_hold_idx ON stock_reservations (held_until) WHERE held_until IS NOT NULL;
