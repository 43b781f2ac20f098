import { Type, type Static, type TObject, type TProperties } from '@sinclair/typebox';
import { checkSchema } from './validation.js';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const LOCAL_ENVIRONMENTS = new Set(['development', 'test']);

/**
 * A secret: required everywhere, but with a throwaway default in local development and tests
 * so `npm start` works on a fresh clone. Production never falls back to it.
 */
export function secretWithLocalDefault(localDefault: string, description: string) {
  return Type.String({ minLength: 16, description, 'x-sensitive': true, 'x-local-default': localDefault });
}

/** Fields every service reads. Services extend it with their own. */
export const baseConfigProperties = {
  NODE_ENV: Type.Union([Type.Literal('development'), Type.Literal('test'), Type.Literal('production')], {
    default: 'development',
  }),
  HOST: Type.String({ default: '127.0.0.1' }),
  PORT: Type.Integer({ minimum: 0, maximum: 65535 }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) => Type.Literal(level)),
    { default: 'info' },
  ),
  BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024, default: 1_048_576 }),
  SHUTDOWN_TIMEOUT_MS: Type.Integer({ minimum: 0, default: 10_000 }),
} satisfies TProperties;

/**
 * Parses the environment against one schema. Every problem is collected, so an operator
 * fixes a broken deployment in one pass.
 */
export function parseConfig<P extends TProperties>(
  schema: TObject<P>,
  env: Record<string, string | undefined> = process.env,
): Static<TObject<P>> {
  const nodeEnv = env['NODE_ENV'] ?? 'development';
  const input: Record<string, unknown> = {};
  for (const [key, property] of Object.entries(schema.properties)) {
    const raw = env[key];
    if (raw !== undefined && raw !== '') {
      input[key] = raw;
      continue;
    }
    const localDefault: unknown = property['x-local-default'];
    if (typeof localDefault === 'string' && LOCAL_ENVIRONMENTS.has(nodeEnv)) input[key] = localDefault;
  }
  // The environment has many unrelated variables; only the declared ones are read.
  const openSchema = { ...schema, additionalProperties: true };
  const result = checkSchema(openSchema, input, { coerce: true });
  if (!result.ok) {
    throw new ConfigError(result.problems.map((p) => `${p.field} ${p.message}`));
  }
  return result.value;
}

/** For process entry points: print every problem and exit 1. */
export function loadConfigOrExit<P extends TProperties>(schema: TObject<P>): Static<TObject<P>> {
  try {
    return parseConfig(schema);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

/**
 * A connection string: it carries credentials, so it is marked sensitive; in development and
 * tests it falls back to the local server so `npm start` works on a fresh clone.
 */
export function connectionUrlWithLocalDefault(localDefault: string, description: string) {
  return Type.String({ minLength: 1, description, 'x-sensitive': true, 'x-local-default': localDefault });
}

/** What a service needs to verify access tokens locally against ms-auth's key set. */
export const tokenVerificationConfigProperties = {
  AUTH_ISSUER: Type.String({ minLength: 1, 'x-local-default': 'http://127.0.0.1:8080' }),
  AUTH_AUDIENCE: Type.String({ minLength: 1, default: 'marketshare-api' }),
  AUTH_JWKS_URL: Type.String({
    format: 'uri',
    'x-local-default': 'http://127.0.0.1:4001/.well-known/jwks.json',
  }),
} satisfies TProperties;

export const rabbitConfigProperties = {
  RABBITMQ_URL: connectionUrlWithLocalDefault(
    'amqp://guest:guest@127.0.0.1:5672',
    'amqp://user:password@host:port/vhost',
  ),
} satisfies TProperties;
