import {
  Type,
  baseConfigProperties,
  connectionUrlWithLocalDefault,
  rabbitConfigProperties,
  secretWithLocalDefault,
  tokenRevocationConfigProperties,
  tokenVerificationConfigProperties,
  type Static,
} from '@marketshare/platform';

export const OrdersConfigSchema = Type.Object({
  ...baseConfigProperties,
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 4004 }),
  MONGO_URL: connectionUrlWithLocalDefault(
    'mongodb://127.0.0.1:27017/orders',
    'mongodb://user:password@host:port/db',
  ),
  /** ms-products: public product reads (cart) and the internal stock reservations. */
  PRODUCTS_URL: Type.String({
    format: 'uri',
    pattern: '^https?://',
    'x-local-default': 'http://127.0.0.1:4003',
  }),
  /** Every call to ms-products gives up after this; a checkout answers 503 within about twice it. */
  PRODUCTS_TIMEOUT_MS: Type.Integer({ minimum: 50, maximum: 30_000, default: 2_000 }),
  ...rabbitConfigProperties,
  ...tokenVerificationConfigProperties,
  ...tokenRevocationConfigProperties,
  /** ms-auth's token endpoint, for this service's own client-credentials token. */
  AUTH_TOKEN_URL: Type.String({
    format: 'uri',
    'x-local-default': 'http://127.0.0.1:4001/api/auth/token',
  }),
  SERVICE_CLIENT_ID: Type.String({ minLength: 1, default: 'ms-orders' }),
  SERVICE_CLIENT_SECRET: secretWithLocalDefault(
    'local-only-ms-orders-secret-not-for-production',
    "ms-orders' OAuth client secret (CLIENT_SECRET_MS_ORDERS of ms-auth)",
  ),
  /** The built-in payment simulator approves a payment with this probability. */
  PAYMENT_APPROVAL_PROBABILITY: Type.Number({ minimum: 0, maximum: 1, default: 0.9 }),
  /** The simulator declines a payment above this for one order (minor units); unset: no limit. */
  PAYMENT_CREDIT_LIMIT_MINOR: Type.Optional(Type.Integer({ minimum: 0 })),
  /** How long a replay waits for the first request with its Idempotency-Key to finish. */
  IDEMPOTENCY_WAIT_MS: Type.Integer({ minimum: 100, maximum: 60_000, default: 15_000 }),
  /** How often the outbox relay looks for unsent events (it is also woken after each write). */
  OUTBOX_POLL_INTERVAL_MS: Type.Integer({ minimum: 10, maximum: 60_000, default: 500 }),
  /** Events the relay sends per batch. */
  OUTBOX_BATCH_SIZE: Type.Integer({ minimum: 1, maximum: 1_000, default: 100 }),
  /** How long a relay instance holds an order's outbox; longer than a batch's confirms can take. */
  OUTBOX_LEASE_MS: Type.Integer({ minimum: 1_000, maximum: 600_000, default: 30_000 }),
  /** How often the release sweep retries releases/confirms ms-products has not heard yet. */
  RELEASE_SWEEP_INTERVAL_MS: Type.Integer({ minimum: 100, maximum: 3_600_000, default: 30_000 }),
  /** Completed checkouts (Idempotency-Key records) are forgotten after this many hours. */
  DEDUP_RETENTION_HOURS: Type.Integer({ minimum: 1, maximum: 8760, default: 168 }),
  /** Items of each kind the sweep handles per pass. */
  RELEASE_SWEEP_BATCH_SIZE: Type.Integer({ minimum: 1, maximum: 1_000, default: 100 }),
  /** A checkout still in progress after this is taken for dead and its reservations released. */
  STUCK_CHECKOUT_AFTER_MS: Type.Integer({ minimum: 1_000, maximum: 86_400_000, default: 600_000 }),
  /** Live status streams send a comment this often, well inside the gateway's 30 s client timeout. */
  ORDER_STREAM_HEARTBEAT_MS: Type.Integer({ minimum: 10, maximum: 25_000, default: 15_000 }),
  /** How often an instance looks for changes other instances made to the orders its streams watch. */
  ORDER_STREAM_POLL_INTERVAL_MS: Type.Integer({ minimum: 10, maximum: 60_000, default: 1_000 }),
  /** Open live status streams one instance serves at most; more are refused with 503. */
  ORDER_STREAM_MAX_OPEN: Type.Integer({ minimum: 1, maximum: 100_000, default: 1_000 }),
  /** Demo: advance RECEIVED orders to IN_DELIVERY, then DELIVERED, at random, as a seller would. */
  ORDER_SIMULATOR_ENABLED: Type.Boolean({ default: false }),
  /** Each simulated step waits a random time up to this after the order's last change. */
  ORDER_SIMULATOR_MAX_INTERVAL_MS: Type.Integer({ minimum: 1, maximum: 86_400_000, default: 60_000 }),
  /** Where people open the site (links in events and emails). */
  PUBLIC_URL: Type.String({
    format: 'uri',
    pattern: '^https?://',
    'x-local-default': 'http://127.0.0.1:8080',
  }),
});

export type OrdersConfig = Static<typeof OrdersConfigSchema>;
