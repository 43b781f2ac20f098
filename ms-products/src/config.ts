import {
  Type,
  baseConfigProperties,
  connectionUrlWithLocalDefault,
  rabbitConfigProperties,
  tokenRevocationConfigProperties,
  tokenVerificationConfigProperties,
  type Static,
} from '@marketshare/platform';

export const ProductsConfigSchema = Type.Object({
  ...baseConfigProperties,
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 4003 }),
  POSTGRES_URL: connectionUrlWithLocalDefault(
    'postgres://postgres@127.0.0.1:5432/products',
    'postgres://user:password@host:port/db',
  ),
  ...rabbitConfigProperties,
  ...tokenVerificationConfigProperties,
  ...tokenRevocationConfigProperties,
  /** Where people open the site; image URLs in responses are built from it. */
  PUBLIC_URL: Type.String({
    format: 'uri',
    pattern: '^https?://',
    'x-local-default': 'http://127.0.0.1:8080',
  }),
  /** Uploaded images and their thumbnails (a volume in the cluster). */
  IMAGES_DIR: Type.String({ minLength: 1, 'x-local-default': '../.local/images' }),
  IMAGE_MAX_BYTES: Type.Integer({ minimum: 1024, default: 5 * 1024 * 1024 }),
  /** Larger images are refused before decoding (decompression bombs); 40 MP covers any camera photo. */
  IMAGE_MAX_PIXELS: Type.Integer({ minimum: 1, maximum: 268_402_689, default: 40_000_000 }),
  IMAGE_MAX_PER_PRODUCT: Type.Integer({ minimum: 1, maximum: 100, default: 10 }),
  /** Thumbnails made at once by this instance (each holds a decoded image in memory). */
  THUMBNAIL_CONCURRENCY: Type.Integer({ minimum: 1, maximum: 16, default: 2 }),
  /**
   * How long a processed review event id is remembered (a redelivery is not counted twice).
   * The default week outlasts the ratings consumer's retries (minutes) and a dead-letter replay.
   */
  DEDUP_RETENTION_HOURS: Type.Integer({ minimum: 1, maximum: 8760, default: 168 }),
  OUTBOX_POLL_INTERVAL_MS: Type.Integer({ minimum: 10, default: 500 }),
  /**
   * How long a stock reservation ms-orders has not committed holds its stock; then the sweep
   * puts it back (ms-orders died mid-checkout). Keep it above ms-orders' STUCK_CHECKOUT_AFTER_MS
   * (10 minutes), so ms-orders' own release normally comes first.
   */
  RESERVATION_HOLD_MINUTES: Type.Integer({ minimum: 1, maximum: 1440, default: 30 }),
  /** How often this instance looks for holds that ran out (instances share the work). */
  RESERVATION_SWEEP_INTERVAL_MS: Type.Integer({ minimum: 1_000, maximum: 3_600_000, default: 60_000 }),
  /** At most this many holds released per pass. */
  RESERVATION_SWEEP_BATCH_SIZE: Type.Integer({ minimum: 1, maximum: 1_000, default: 100 }),
});

export type ProductsConfig = Static<typeof ProductsConfigSchema>;
