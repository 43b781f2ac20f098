-- The catalogue. Money is integer minor units; stock can never go negative (the last line of
-- defence behind the reservation logic). The search vector is kept by PostgreSQL itself.
CREATE TABLE products (
  id UUID PRIMARY KEY,
  seller_id TEXT NOT NULL,
  name TEXT NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
  description TEXT NOT NULL DEFAULT '' CHECK (char_length(description) <= 10000),
  category TEXT NOT NULL CHECK (char_length(category) BETWEEN 1 AND 100),
  price_minor BIGINT NOT NULL CHECK (price_minor >= 0),
  currency CHAR(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  stock INTEGER NOT NULL CHECK (stock >= 0),
  attributes JSONB NOT NULL DEFAULT '{}'::jsonb,
  status TEXT NOT NULL DEFAULT 'published' CHECK (status IN ('published', 'unpublished')),
  moderation_reason TEXT NULL,
  moderated_by TEXT NULL,
  moderated_at TIMESTAMPTZ NULL,
  rating_average NUMERIC(3, 2) NULL,
  rating_count INTEGER NOT NULL DEFAULT 0 CHECK (rating_count >= 0),
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', name), 'A') ||
    setweight(to_tsvector('english', category), 'B') ||
    setweight(to_tsvector('english', description), 'C')
  ) STORED
);

CREATE INDEX products_seller_idx ON products (seller_id, created_at DESC);
