-- Rating aggregates kept from review.created events. The average is derived from an exact
-- integer total, never from the rounded average, so it does not drift as reviews add up.
ALTER TABLE products ADD COLUMN rating_total BIGINT NOT NULL DEFAULT 0 CHECK (rating_total >= 0);

CREATE TABLE seller_ratings (
  seller_id TEXT PRIMARY KEY,
  rating_total BIGINT NOT NULL CHECK (rating_total >= 0),
  rating_count INTEGER NOT NULL CHECK (rating_count >= 0),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Events a consumer has applied, written in the same transaction as their effect, so a
-- redelivery (after a crash between commit and ack) is recognised and not applied twice.
CREATE TABLE processed_events (
  consumer TEXT NOT NULL,
  event_id UUID NOT NULL,
  processed_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer, event_id)
);
