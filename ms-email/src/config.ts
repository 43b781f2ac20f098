import {
  ConfigError,
  Type,
  baseConfigProperties,
  loadConfigOrExit,
  parseConfig,
  secretWithLocalDefault,
} from '@marketshare/platform';
import type { Static } from '@marketshare/platform';

/** A setting every deployment must give, with a default only for local development and tests. */
function localDefault(value: string, description: string, options: { sensitive?: boolean } = {}) {
  return Type.String({
    minLength: 1,
    description,
    'x-local-default': value,
    ...(options.sensitive ? { 'x-sensitive': true } : {}),
  });
}

export const ConfigSchema = Type.Object({
  ...baseConfigProperties,
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 4005 }),
  MYSQL_URL: localDefault('mysql://root@127.0.0.1:3306/email', 'MySQL/MariaDB URL of the `email` database', {
    sensitive: true,
  }),
  RABBITMQ_URL: localDefault('amqp://guest:guest@127.0.0.1:5672', 'RabbitMQ URL', { sensitive: true }),
  SMTP_URL: Type.String({
    pattern: '^smtps?://',
    description: 'smtp://[user:pass@]host:port (smtps:// for implicit TLS)',
    'x-local-default': 'smtp://127.0.0.1:1025',
    'x-sensitive': true,
  }),
  MAIL_FROM: Type.String({ minLength: 3, default: 'Marketshare <no-reply@marketshare.local>' }),
  PUBLIC_URL: Type.String({
    pattern: '^https?://',
    description: 'the site users open; links in emails point here',
    'x-local-default': 'http://127.0.0.1:8080',
  }),
  EMAIL_MAX_ATTEMPTS: Type.Integer({ minimum: 1, maximum: 50, default: 5 }),
  EMAIL_RETRY_DELAYS_MS: Type.String({
    pattern: '^\\d+(,\\d+)*$',
    default: '1000,5000,30000,120000',
    description: 'delay before the 1st, 2nd, ... retry; the last one repeats',
  }),
  EMAIL_PREFETCH: Type.Integer({ minimum: 1, maximum: 1000, default: 10 }),
  /** How long a delivery is remembered (deduplication by event id); must outlast every retry. */
  DEDUP_RETENTION_HOURS: Type.Integer({ minimum: 1, maximum: 8760, default: 168 }),
  /** ms-users: order events carry account ids, the addresses come from its internal lookup. */
  USERS_URL: Type.String({
    format: 'uri',
    pattern: '^https?://',
    'x-local-default': 'http://127.0.0.1:4002',
  }),
  /** How long a looked-up account (address, company name, status) is reused. */
  USERS_CACHE_TTL_MS: Type.Integer({ minimum: 0, maximum: 3_600_000, default: 30_000 }),
  /** ms-auth's token endpoint, for this service's own client-credentials token (scope users:read). */
  AUTH_TOKEN_URL: Type.String({
    format: 'uri',
    'x-local-default': 'http://127.0.0.1:4001/api/auth/token',
  }),
  SERVICE_CLIENT_ID: Type.String({ minLength: 1, default: 'ms-email' }),
  SERVICE_CLIENT_SECRET: secretWithLocalDefault(
    'local-only-ms-email-secret-not-for-production',
    "ms-email's OAuth client secret (CLIENT_SECRET_MS_EMAIL of ms-auth)",
  ),
});

type RawConfig = Static<typeof ConfigSchema>;

export type Config = Omit<RawConfig, 'EMAIL_RETRY_DELAYS_MS'> & { EMAIL_RETRY_DELAYS_MS: number[] };

function refine(raw: RawConfig): Config {
  const retryDelaysMs = raw.EMAIL_RETRY_DELAYS_MS.split(',').map(Number);
  // From the first attempt to the last one's retry: every back-off, the last value repeating.
  let retryHorizonMs = 0;
  for (let attempt = 1; attempt < raw.EMAIL_MAX_ATTEMPTS; attempt += 1) {
    retryHorizonMs += retryDelaysMs[Math.min(attempt, retryDelaysMs.length) - 1] ?? 0;
  }
  // A delivery forgotten while its event can still come back would be sent twice.
  if (raw.DEDUP_RETENTION_HOURS * 3600_000 <= retryHorizonMs) {
    throw new ConfigError([
      `DEDUP_RETENTION_HOURS (${raw.DEDUP_RETENTION_HOURS}) must be longer than the retries take ` +
        `(EMAIL_MAX_ATTEMPTS × EMAIL_RETRY_DELAYS_MS: ${Math.ceil(retryHorizonMs / 3600_000)} h)`,
    ]);
  }
  return { ...raw, EMAIL_RETRY_DELAYS_MS: retryDelaysMs };
}

export function parseEmailConfig(env: Record<string, string | undefined> = process.env): Config {
  return refine(parseConfig(ConfigSchema, env));
}

export function loadConfig(): Config {
  const raw = loadConfigOrExit(ConfigSchema);
  try {
    return refine(raw);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}
