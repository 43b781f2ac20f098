/**
 * The frontend server's one configuration schema. Pure (no SvelteKit imports), so the stack's
 * .env.example test reads it too. adapter-node reads its own variables (HOST, PORT, ORIGIN,
 * ADDRESS_HEADER, XFF_DEPTH, SHUTDOWN_TIMEOUT); ORIGIN is also declared here because the
 * session cookie's Secure flag depends on it.
 */
import { Type, parseConfig, secretWithLocalDefault } from '@marketshare/platform';
import type { Static } from '@marketshare/platform';

const serviceUrl = (localDefault: string, description: string) =>
  Type.String({ format: 'uri', description, 'x-local-default': localDefault });

export const FrontendConfigSchema = Type.Object({
  NODE_ENV: Type.Union([Type.Literal('development'), Type.Literal('test'), Type.Literal('production')], {
    default: 'development',
  }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) => Type.Literal(level)),
    { default: 'info' },
  ),
  ORIGIN: Type.String({
    format: 'uri',
    description: 'The public origin of the site (the gateway), e.g. http://127.0.0.1:8080',
    'x-local-default': 'http://127.0.0.1:8080',
  }),
  // Each service is called directly, not back through the gateway: the gateway rate-limits the
  // token endpoint per client IP, and every user would share this server's IP there.
  AUTH_URL: serviceUrl('http://127.0.0.1:4001', 'ms-auth base URL'),
  USERS_URL: serviceUrl('http://127.0.0.1:4002', 'ms-users base URL'),
  PRODUCTS_URL: serviceUrl('http://127.0.0.1:4003', 'ms-products base URL'),
  ORDERS_URL: serviceUrl('http://127.0.0.1:4004', 'ms-orders base URL'),
  API_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 60_000, default: 5000 }),
  CLIENT_ID: Type.String({ minLength: 1, default: 'frontend' }),
  CLIENT_SECRET: secretWithLocalDefault(
    'local-only-frontend-secret-not-for-production',
    'Secret of the frontend OAuth client (ms-auth CLIENT_SECRET_FRONTEND)',
  ),
  SESSION_SECRET: Type.String({
    minLength: 32,
    description: 'Seals the session cookie (AES-256-GCM key derived with HKDF)',
    'x-sensitive': true,
    'x-local-default': 'local-only-session-secret-not-for-production',
  }),
  SESSION_IDLE_MINUTES: Type.Number({ exclusiveMinimum: 0, maximum: 1440, default: 30 }),
  SESSION_MAX_HOURS: Type.Number({ exclusiveMinimum: 0, maximum: 720, default: 12 }),
  SESSION_ACCOUNT_CHECK_SECONDS: Type.Integer({
    minimum: 0,
    maximum: 300,
    default: 15,
    description: 'Tokens are refreshed at least this often, so a deactivated account is signed out',
  }),
});

export type FrontendConfig = Static<typeof FrontendConfigSchema>;

export function parseFrontendConfig(env: Record<string, string | undefined>): FrontendConfig {
  return parseConfig(FrontendConfigSchema, env);
}

/** Secure cookies everywhere except plain http on the loopback, where browsers would drop them. */
export function cookiesAreSecure(origin: string): boolean {
  const url = new URL(origin);
  return !(url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname));
}
