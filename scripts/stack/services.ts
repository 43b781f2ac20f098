/**
 * THE table of application services the local stack runs, in start order.
 *
 * Each service is started as `node <args>` (by default `node --import tsx src/main.ts`) with
 * cwd = its workspace dir and the environment its builder returns on top of the common contract.
 * A service whose entry file does not exist yet is skipped.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { INFRA } from './types.js';
import type { PortKey, StackContext } from './types.js';
import { secret } from './secrets.js';
import { zipkinSpansEndpoint } from './zipkin.js';

export type EnvBuilder = (ctx: StackContext) => Record<string, string>;

export interface ServiceSpec {
  /** Service name: also its OAuth client id, OTEL_SERVICE_NAME and log/pid file name. */
  name: string;
  /** Workspace dir, relative to the repo root (or absolute). */
  dir: string;
  /** Environment variable holding its port (see PORT_DEFAULTS for the default). */
  portKey: PortKey;
  /** Started as `node ...nodeArgs` in `dir`; guarded by the existence of `entryFile`. */
  nodeArgs: string[];
  entryFile: string;
  /** Readiness path: GET http://127.0.0.1:<port><readinessPath> must answer 200. */
  readinessPath: string;
  /** The service's clientsecret key in secrets.env. */
  clientSecretKey: string;
  env: EnvBuilder;
}

// The SDK is preloaded: its ESM loader hook (Koa, mongoose) must be in place before main.ts's
// imports load (platform/src/telemetry-register.ts).
const TELEMETRY_PRELOAD = ['--import', '@marketshare/platform/telemetry-register'];
const TSX_MAIN = ['--import', 'tsx', ...TELEMETRY_PRELOAD, 'src/main.ts'];

const local = (port: number): string => `http://127.0.0.1:${port}`;

function mysqlUrl(ctx: StackContext, service: string, database: string, secretKey: string): string {
  const user = `${ctx.dbPrefix}${service.replace(/-/g, '_')}`;
  const password = secret(ctx.secrets, secretKey);
  const { host, port } = INFRA.mysql;
  return `mysql://${user}:${password}@${host}:${port}/${ctx.dbPrefix}${database}`;
}

function postgresUrl(ctx: StackContext, service: string, database: string, secretKey: string): string {
  const user = `${ctx.dbPrefix}${service.replace(/-/g, '_')}`;
  const password = secret(ctx.secrets, secretKey);
  const { host, port } = INFRA.postgres;
  return `postgres://${user}:${password}@${host}:${port}/${ctx.dbPrefix}${database}`;
}

export const SERVICES: readonly ServiceSpec[] = [
  {
    name: 'ms-auth',
    dir: 'ms-auth',
    portKey: 'MS_AUTH_PORT',
    nodeArgs: TSX_MAIN,
    entryFile: 'src/main.ts',
    readinessPath: '/readyz',
    clientSecretKey: 'CLIENT_SECRET_MS_AUTH',
    env: (ctx) => ({
      MYSQL_URL: mysqlUrl(ctx, 'ms-auth', 'auth', 'MYSQL_PASSWORD_MS_AUTH'),
      USERS_URL: local(ctx.ports.MS_USERS_PORT),
      CLIENT_SECRET_FRONTEND: secret(ctx.secrets, 'CLIENT_SECRET_FRONTEND'),
      CLIENT_SECRET_MS_AUTH: secret(ctx.secrets, 'CLIENT_SECRET_MS_AUTH'),
      CLIENT_SECRET_MS_USERS: secret(ctx.secrets, 'CLIENT_SECRET_MS_USERS'),
      CLIENT_SECRET_MS_EMAIL: secret(ctx.secrets, 'CLIENT_SECRET_MS_EMAIL'),
      CLIENT_SECRET_MS_ORDERS: secret(ctx.secrets, 'CLIENT_SECRET_MS_ORDERS'),
      CLIENT_SECRET_MS_PRODUCTS: secret(ctx.secrets, 'CLIENT_SECRET_MS_PRODUCTS'),
      AUTH_KEY_ENCRYPTION_SECRET: secret(ctx.secrets, 'AUTH_KEY_ENCRYPTION_SECRET'),
    }),
  },
  {
    name: 'ms-users',
    dir: 'ms-users',
    portKey: 'MS_USERS_PORT',
    nodeArgs: TSX_MAIN,
    entryFile: 'src/main.ts',
    readinessPath: '/readyz',
    clientSecretKey: 'CLIENT_SECRET_MS_USERS',
    env: (ctx) => ({
      MYSQL_URL: mysqlUrl(ctx, 'ms-users', 'users', 'MYSQL_PASSWORD_MS_USERS'),
      PUBLIC_URL: ctx.gatewayUrl,
    }),
  },
  {
    name: 'ms-products',
    dir: 'ms-products',
    portKey: 'MS_PRODUCTS_PORT',
    nodeArgs: TSX_MAIN,
    entryFile: 'src/main.ts',
    readinessPath: '/readyz',
    clientSecretKey: 'CLIENT_SECRET_MS_PRODUCTS',
    env: (ctx) => ({
      POSTGRES_URL: postgresUrl(ctx, 'ms-products', 'products', 'POSTGRES_PASSWORD_MS_PRODUCTS'),
      IMAGES_DIR: path.join(ctx.stateDir, 'images'),
      PUBLIC_URL: ctx.gatewayUrl,
    }),
  },
  {
    name: 'ms-orders',
    dir: 'ms-orders',
    portKey: 'MS_ORDERS_PORT',
    nodeArgs: TSX_MAIN,
    entryFile: 'src/main.ts',
    readinessPath: '/readyz',
    clientSecretKey: 'CLIENT_SECRET_MS_ORDERS',
    env: (ctx) => ({
      MONGO_URL: ctx.mongoUrl,
      PRODUCTS_URL: local(ctx.ports.MS_PRODUCTS_PORT),
      PUBLIC_URL: ctx.gatewayUrl,
    }),
  },
  {
    name: 'ms-email',
    dir: 'ms-email',
    portKey: 'MS_EMAIL_PORT',
    nodeArgs: TSX_MAIN,
    entryFile: 'src/main.ts',
    readinessPath: '/readyz',
    clientSecretKey: 'CLIENT_SECRET_MS_EMAIL',
    env: (ctx) => ({
      MYSQL_URL: mysqlUrl(ctx, 'ms-email', 'email', 'MYSQL_PASSWORD_MS_EMAIL'),
      SMTP_URL: `smtp://127.0.0.1:${ctx.ports.SMTP_PORT}`,
      MAIL_FROM: 'Marketshare <no-reply@marketshare.local>',
      PUBLIC_URL: ctx.gatewayUrl,
      USERS_URL: local(ctx.ports.MS_USERS_PORT),
    }),
  },
  {
    // SvelteKit with adapter-node: the build (made by the stack, see frontend-build.ts), reads HOST/PORT/ORIGIN.
    name: 'frontend',
    dir: 'frontend',
    portKey: 'FRONTEND_PORT',
    // tsx only for the preloaded SDK (TypeScript); the build itself is plain JavaScript.
    nodeArgs: ['--import', 'tsx', ...TELEMETRY_PRELOAD, 'build/index.js'],
    entryFile: 'build/index.js',
    readinessPath: '/healthz',
    clientSecretKey: 'CLIENT_SECRET_FRONTEND',
    env: (ctx) => ({
      ORIGIN: ctx.gatewayUrl,
      // The services are called directly, not back through the gateway, whose per-IP limit on
      // the token endpoint would count every user as this one server.
      AUTH_URL: local(ctx.ports.MS_AUTH_PORT),
      USERS_URL: local(ctx.ports.MS_USERS_PORT),
      PRODUCTS_URL: local(ctx.ports.MS_PRODUCTS_PORT),
      ORDERS_URL: local(ctx.ports.MS_ORDERS_PORT),
      // The user's address is the one the gateway appends (services trust exactly that one hop).
      ADDRESS_HEADER: 'x-forwarded-for',
      XFF_DEPTH: '1',
      // adapter-node refuses bodies over 512 KB by default; image uploads may be 5 MiB plus the form.
      BODY_SIZE_LIMIT: '6M',
      // adapter-node's drain on SIGTERM, in seconds, within the stack's stop timeout.
      SHUTDOWN_TIMEOUT: '10',
      CLIENT_ID: 'frontend',
      CLIENT_SECRET: secret(ctx.secrets, 'CLIENT_SECRET_FRONTEND'),
      SESSION_SECRET: secret(ctx.secrets, 'SESSION_SECRET'),
    }),
  },
];

/** The environment contract every service reads. */
export function commonEnv(ctx: StackContext, spec: ServiceSpec): Record<string, string> {
  const port = ctx.ports[spec.portKey];
  const env: Record<string, string> = {
    NODE_ENV: 'development',
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: ctx.env['LOG_LEVEL'] ?? 'info',
    RABBITMQ_URL: ctx.rabbitmqUrl,
    AUTH_ISSUER: ctx.gatewayUrl,
    AUTH_AUDIENCE: 'marketshare-api',
    AUTH_JWKS_URL: `${local(ctx.ports.MS_AUTH_PORT)}/.well-known/jwks.json`,
    AUTH_TOKEN_URL: `${local(ctx.ports.MS_AUTH_PORT)}/api/auth/token`,
    SERVICE_CLIENT_ID: spec.name,
    SERVICE_CLIENT_SECRET: secret(ctx.secrets, spec.clientSecretKey),
    OTEL_SERVICE_NAME: spec.name,
  };
  return { ...env, ...tracingEnv(ctx) };
}

/**
 * Where spans go, only through the standard OTEL_* variables: OTLP when the environment names
 * an OTLP endpoint (compose, the cluster), else the stack's own Zipkin. An OTEL_TRACES_EXPORTER
 * of the environment wins (e.g. `none`); the rest of OTEL_* (sampler, OTEL_BSP_*) is inherited.
 */
export function tracingEnv(ctx: StackContext): Record<string, string> {
  const otlp = ctx.env['OTEL_EXPORTER_OTLP_ENDPOINT'];
  const chosen = ctx.env['OTEL_TRACES_EXPORTER'];
  const env: Record<string, string> = {};
  if (otlp !== undefined && otlp !== '') {
    env['OTEL_EXPORTER_OTLP_ENDPOINT'] = otlp;
    env['OTEL_TRACES_EXPORTER'] = chosen || 'otlp';
  } else {
    env['OTEL_TRACES_EXPORTER'] = chosen || 'zipkin';
    env['OTEL_EXPORTER_ZIPKIN_ENDPOINT'] =
      ctx.env['OTEL_EXPORTER_ZIPKIN_ENDPOINT'] || zipkinSpansEndpoint(ctx);
  }
  // A checkout's spans reach the backend within a second or two instead of the default 5 s.
  env['OTEL_BSP_SCHEDULE_DELAY'] = ctx.env['OTEL_BSP_SCHEDULE_DELAY'] || '1000';
  return env;
}

/** The complete environment of one service (without the parent process's variables). */
export function serviceEnv(ctx: StackContext, spec: ServiceSpec): Record<string, string> {
  return { ...commonEnv(ctx, spec), ...spec.env(ctx) };
}

export function serviceExists(repoRoot: string, spec: ServiceSpec): boolean {
  return existsSync(path.resolve(repoRoot, spec.dir, spec.entryFile));
}

export function serviceByName(name: string): ServiceSpec | undefined {
  return SERVICES.find((spec) => spec.name === name);
}
