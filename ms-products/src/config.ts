import { Type, baseConfigProperties, type Static } from '@marketshare/platform';

/** Connection strings carry credentials; in development and tests they fall back to local servers. */
const localDefault = (value: string, description: string) =>
  Type.String({ minLength: 1, description, 'x-sensitive': true, 'x-local-default': value });

export const ProductsConfigSchema = Type.Object({
  ...baseConfigProperties,
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 4003 }),
  POSTGRES_URL: localDefault(
    'postgres://postgres@127.0.0.1:5432/products',
    'postgres://user:password@host:port/db',
  ),
  RABBITMQ_URL: localDefault('amqp://guest:guest@127.0.0.1:5672', 'amqp://user:password@host:port/vhost'),
  AUTH_ISSUER: Type.String({ minLength: 1, 'x-local-default': 'http://127.0.0.1:8080' }),
  AUTH_AUDIENCE: Type.String({ minLength: 1, default: 'marketshare-api' }),
  AUTH_JWKS_URL: Type.String({
    format: 'uri',
    'x-local-default': 'http://127.0.0.1:4001/.well-known/jwks.json',
  }),
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
  OUTBOX_POLL_INTERVAL_MS: Type.Integer({ minimum: 10, default: 500 }),
});

export type ProductsConfig = Static<typeof ProductsConfigSchema>;
