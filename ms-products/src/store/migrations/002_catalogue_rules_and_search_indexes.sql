-- Rules the catalogue code relies on, kept by PostgreSQL as a backstop, and the indexes that
-- make search and the sellers' lists fast. Search only ever reads published rows, so its
-- indexes are partial: smaller, and never disturbed by unpublished drafts.

ALTER TABLE products
  ADD CONSTRAINT products_attributes_object CHECK (jsonb_typeof(attributes) = 'object'),
  -- A moderated product stays unpublished until an admin lifts the moderation.
  ADD CONSTRAINT products_moderated_unpublished CHECK (moderated_at IS NULL OR status = 'unpublished'),
  ADD CONSTRAINT products_moderation_complete CHECK (
    (moderated_at IS NULL AND moderated_by IS NULL AND moderation_reason IS NULL)
    OR (moderated_at IS NOT NULL AND moderated_by IS NOT NULL AND moderation_reason IS NOT NULL)
  ),
  ADD CONSTRAINT products_rating_range CHECK (rating_average IS NULL OR rating_average BETWEEN 0 AND 5);

-- A seller's own list pages newest first by (created_at, id); the seller filter of search uses it too.
DROP INDEX products_seller_idx;
CREATE INDEX products_seller_newest_idx ON products (seller_id, created_at, id);

-- Full text (websearch_to_tsquery against the weighted vector).
CREATE INDEX products_published_search_idx ON products USING GIN (search_vector)
  WHERE status = 'published';

-- One index per sort order; each ends with id, the keyset tie-breaker. A btree serves both
-- directions, so (price_minor, id) pages price_asc forwards and price_desc backwards.
CREATE INDEX products_published_newest_idx ON products (created_at, id) WHERE status = 'published';
CREATE INDEX products_published_price_idx ON products (price_minor, id) WHERE status = 'published';
-- Unrated products sort last (a real average is at least 1); more reviews break ties.
CREATE INDEX products_published_rating_idx ON products ((COALESCE(rating_average, 0)), rating_count, id)
  WHERE status = 'published';

-- The category filter with the default sort, and the category facet counts.
CREATE INDEX products_published_category_idx ON products (category, created_at, id)
  WHERE status = 'published';
