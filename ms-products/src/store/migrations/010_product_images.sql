-- Images of a product. The files live under ${IMAGES_DIR}/${product_id}/ (original and
-- thumbnail); a row exists only for a file that was validated and moved into place. The
-- thumbnail is made asynchronously: 'pending' until the worker has written it, then 'ready'
-- with its dimensions, or 'failed' when the original cannot be decoded after all.
CREATE TABLE product_images (
  id UUID PRIMARY KEY,
  product_id UUID NOT NULL REFERENCES products (id) ON DELETE CASCADE,
  content_type TEXT NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'image/webp')),
  byte_size INTEGER NOT NULL CHECK (byte_size > 0),
  width INTEGER NOT NULL CHECK (width > 0),
  height INTEGER NOT NULL CHECK (height > 0),
  -- Of the original's bytes: its ETag.
  sha256 CHAR(64) NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  alt TEXT NULL CHECK (char_length(alt) <= 300),
  position INTEGER NOT NULL CHECK (position >= 0),
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'ready', 'failed')),
  thumbnail_width INTEGER NULL CHECK (thumbnail_width > 0),
  thumbnail_height INTEGER NULL CHECK (thumbnail_height > 0),
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT product_images_ready_has_thumbnail CHECK (
    (status = 'ready') = (thumbnail_width IS NOT NULL AND thumbnail_height IS NOT NULL)
  ),
  CONSTRAINT product_images_position_unique UNIQUE (product_id, position)
);
