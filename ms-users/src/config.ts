import {
  Type,
  baseConfigProperties,
  connectionUrlWithLocalDefault,
  rabbitConfigProperties,
  tokenRevocationConfigProperties,
  tokenVerificationConfigProperties,
  type Static,
} from '@marketshare/platform';

export const UsersConfigSchema = Type.Object({
  ...baseConfigProperties,
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 4002 }),
  MYSQL_URL: connectionUrlWithLocalDefault(
    'mysql://root@127.0.0.1:3306/users',
    'mysql://user:password@host:port/users',
  ),
  ...rabbitConfigProperties,
  ...tokenVerificationConfigProperties,
  ...tokenRevocationConfigProperties,
  /** Where people open the site; password reset links point there. */
  PUBLIC_URL: Type.String({
    format: 'uri',
    pattern: '^https?://',
    'x-local-default': 'http://127.0.0.1:8080',
  }),
  BCRYPT_COST: Type.Integer({ minimum: 12, maximum: 16, default: 12 }),
  LOGIN_MAX_FAILURES: Type.Integer({ minimum: 1, default: 5 }),
  LOGIN_FAILURE_WINDOW_SECONDS: Type.Integer({ minimum: 1, default: 900 }),
  LOGIN_LOCK_INITIAL_SECONDS: Type.Integer({ minimum: 1, default: 30 }),
  LOGIN_LOCK_MAX_SECONDS: Type.Integer({ minimum: 1, default: 900 }),
  PASSWORD_RESET_TTL_SECONDS: Type.Integer({ minimum: 60, default: 3600 }),
  /**
   * Per client address (X-Forwarded-For through the gateway), per hour: registration and
   * reset requests are what bots hammer. Generous, because server-side callers such as the
   * frontend may share one address.
   */
  REGISTER_RATE_LIMIT_PER_HOUR: Type.Integer({ minimum: 1, default: 100 }),
  PASSWORD_RESET_RATE_LIMIT_PER_HOUR: Type.Integer({ minimum: 1, default: 30 }),
  OUTBOX_POLL_INTERVAL_MS: Type.Integer({ minimum: 10, default: 500 }),
});

export type UsersConfig = Static<typeof UsersConfigSchema>;
