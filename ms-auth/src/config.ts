import {
  Type,
  baseConfigProperties,
  rabbitConfigProperties,
  secretWithLocalDefault,
  tokenRevocationConfigProperties,
  type Static,
} from '@marketshare/platform';

const localSecret = (name: string) => `local-only-${name}-secret-not-for-production`;

export const authConfigSchema = Type.Object({
  ...baseConfigProperties,
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 4001 }),
  MYSQL_URL: Type.String({ minLength: 1, description: 'mysql://user:password@host:port/auth' }),
  USERS_URL: Type.String({ format: 'uri', description: 'Base URL of ms-users (internal endpoints)' }),
  // Not a secret, but production must state it: every service compares `iss` to it exactly.
  AUTH_ISSUER: Type.String({
    format: 'uri',
    description: 'The exact `iss` of every access token; the public base URL (the gateway).',
    'x-local-default': 'http://127.0.0.1:8080',
  }),
  AUTH_AUDIENCE: Type.String({ minLength: 1, default: 'marketshare-api' }),
  ACCESS_TOKEN_TTL_SECONDS: Type.Integer({ minimum: 30, maximum: 3600, default: 300 }),
  // Revocations (logout, a replayed refresh token) leave through the outbox; introspection applies
  // every service's revocations (deactivation, password reset) like the other resource servers.
  ...rabbitConfigProperties,
  ...tokenRevocationConfigProperties,
  OUTBOX_POLL_INTERVAL_MS: Type.Integer({ minimum: 10, default: 500 }),
  REFRESH_TOKEN_TTL_SECONDS: Type.Integer({
    minimum: 1,
    default: 14 * 24 * 3600,
    description: 'Idle lifetime: a refresh token unused this long expires (sliding).',
  }),
  REFRESH_TOKEN_ABSOLUTE_TTL_SECONDS: Type.Integer({
    minimum: 1,
    default: 30 * 24 * 3600,
    description: 'Absolute lifetime of a refresh-token family, however often it is rotated.',
  }),
  // Bounded: every second of grace is a second in which a stolen, just-rotated token still works.
  REFRESH_REUSE_GRACE_SECONDS: Type.Integer({
    minimum: 0,
    maximum: 60,
    default: 10,
    description:
      'A refresh token replayed by its own client this soon after its rotation gets the same successor back instead of revoking its family (parallel requests of one session); 0 disables.',
  }),
  SIGNING_KEY_RELOAD_INTERVAL_SECONDS: Type.Integer({
    minimum: 1,
    default: 60,
    description: 'How often an instance rereads signing keys, so a rotation by another process is picked up.',
  }),
  TOKEN_RATE_LIMIT_PER_IP_PER_MINUTE: Type.Integer({ minimum: 1, default: 600 }),
  // The frontend is one client speaking for every user, so its budget is large.
  TOKEN_RATE_LIMIT_PER_CLIENT_PER_MINUTE: Type.Integer({ minimum: 1, default: 6000 }),
  CLIENT_SECRET_FRONTEND: secretWithLocalDefault(localSecret('frontend'), 'Secret of the frontend client'),
  CLIENT_SECRET_MS_USERS: secretWithLocalDefault(localSecret('ms-users'), 'Secret of the ms-users client'),
  CLIENT_SECRET_MS_EMAIL: secretWithLocalDefault(localSecret('ms-email'), 'Secret of the ms-email client'),
  CLIENT_SECRET_MS_ORDERS: secretWithLocalDefault(localSecret('ms-orders'), 'Secret of the ms-orders client'),
  CLIENT_SECRET_MS_PRODUCTS: secretWithLocalDefault(
    localSecret('ms-products'),
    'Secret of the ms-products client',
  ),
  AUTH_KEY_ENCRYPTION_SECRET: secretWithLocalDefault(
    localSecret('key-encryption'),
    'Encrypts signing private keys at rest (AES-256-GCM, key derived with HKDF)',
  ),
});

export type AuthConfig = Static<typeof authConfigSchema>;

/** Client id → configured secret, for the clients registered in code. */
export function clientSecretsFrom(config: AuthConfig): Record<string, string> {
  return {
    frontend: config.CLIENT_SECRET_FRONTEND,
    'ms-users': config.CLIENT_SECRET_MS_USERS,
    'ms-email': config.CLIENT_SECRET_MS_EMAIL,
    'ms-orders': config.CLIENT_SECRET_MS_ORDERS,
    'ms-products': config.CLIENT_SECRET_MS_PRODUCTS,
  };
}
