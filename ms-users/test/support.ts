import { createLogger, createServiceMetrics, parseConfig, type ServiceMetrics } from '@marketshare/platform';
import { JwksVerifier, withRevocationChecks, type TokenVerifier } from '@marketshare/platform';
import { runMigrations, type Pool, type RowDataPacket } from '@marketshare/platform/mysql';
import { OutboxRelay } from '@marketshare/platform/outbox';
import { EventConsumer, EventPublisher, RabbitConnection } from '@marketshare/platform/rabbit';
import type { EventEnvelope } from '@marketshare/platform/contracts';
import {
  TestTokenIssuer,
  createTestMysqlDatabase,
  createTestVhost,
  httpRequest,
  serveForTest,
  waitFor,
  type JsonResponse,
  type TestMysqlDatabase,
  type TestVhost,
} from '@marketshare/platform/testing';
import { buildApp } from '../src/app.js';
import { UsersConfigSchema, type UsersConfig } from '../src/config.js';
import { usersMigrations } from '../src/store/migrations.js';

/** Everything one test file needs: a fresh database, a token issuer and the app on a port. */
export interface UsersTestService {
  url: string;
  config: UsersConfig;
  pool: Pool;
  issuer: TestTokenIssuer;
  metrics: ServiceMetrics;
  /** Moves the app's clock (token expiry) without waiting. */
  advanceClock(ms: number): void;
  /** Events the test consumer received (only with `withEvents`). */
  received: EventEnvelope[];
  stop(): Promise<void>;
}

export const logger = createLogger({ service: 'ms-users-test', level: 'silent' });

export async function startUsersService(
  options: { env?: Record<string, string>; withEvents?: boolean } = {},
): Promise<UsersTestService> {
  const cleanups: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  try {
    const db: TestMysqlDatabase = await createTestMysqlDatabase('ms_users_test');
    cleanups.push(() => db.drop());
    const issuer = await new TestTokenIssuer().start();
    cleanups.push(() => issuer.stop());
    let vhost: TestVhost | undefined;
    if (options.withEvents) {
      // Other suites on this machine restart the broker now and then; ride that out.
      vhost = await waitFor(() => createTestVhost('ms_users'), {
        timeoutMs: 45_000,
        intervalMs: 1_000,
        what: 'a RabbitMQ test vhost',
      });
      const created = vhost;
      cleanups.push(() => created.drop());
    }
    const config = parseConfig(UsersConfigSchema, {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      PORT: '0',
      MYSQL_URL: db.url,
      RABBITMQ_URL: vhost?.url ?? 'amqp://guest:guest@127.0.0.1:5672',
      AUTH_ISSUER: issuer.issuer,
      AUTH_AUDIENCE: issuer.audience,
      AUTH_JWKS_URL: issuer.jwksUrl,
      PUBLIC_URL: 'http://shop.test:8080',
      BODY_LIMIT_BYTES: '4096',
      BCRYPT_COST: '12',
      REGISTER_RATE_LIMIT_PER_HOUR: '1000',
      PASSWORD_RESET_RATE_LIMIT_PER_HOUR: '1000',
      OUTBOX_POLL_INTERVAL_MS: '100',
      ...options.env,
    });
    await runMigrations(config.MYSQL_URL, await usersMigrations());
    const metrics = createServiceMetrics('ms-users', { defaultMetrics: false });
    const received: EventEnvelope[] = [];
    let rabbit: RabbitConnection | undefined;
    let relay: OutboxRelay | undefined;
    if (vhost) {
      rabbit = new RabbitConnection({ url: vhost.url, logger, connectionName: 'ms-users-test' });
      rabbit.start();
      const connected = rabbit;
      cleanups.push(() => connected.close());
      const consumer = new EventConsumer(rabbit, {
        queue: 'test.users-events',
        bindings: ['account.*'],
        logger,
        registry: metrics.registry,
        handler: async (envelope) => {
          received.push(envelope);
        },
      });
      consumer.start();
      await consumer.waitUntilConsuming(10_000);
      cleanups.push(() => consumer.stop());
      const publisher = new EventPublisher(rabbit, { logger, registry: metrics.registry });
      await publisher.waitUntilReady(10_000);
      cleanups.push(() => publisher.close());
      relay = new OutboxRelay({
        pool: db.pool,
        publisher,
        logger,
        registry: metrics.registry,
        pollIntervalMs: config.OUTBOX_POLL_INTERVAL_MS,
      });
      relay.start();
      const started = relay;
      cleanups.push(() => started.stop());
    }
    let verifier: TokenVerifier = new JwksVerifier({
      jwksUrl: issuer.jwksUrl,
      issuer: issuer.issuer,
      audience: issuer.audience,
    });
    if (rabbit) {
      // As main.ts wires it: the app applies the revocations it (and anyone) publishes.
      const checks = withRevocationChecks(rabbit, verifier, {
        service: 'ms-users-test',
        logger,
        maxTokenLifetimeSeconds: config.ACCESS_TOKEN_MAX_LIFETIME_SECONDS,
      });
      await checks.feed.waitUntilConsuming(10_000);
      cleanups.push(() => checks.feed.stop());
      verifier = checks.verifier;
    }
    let clockOffsetMs = 0;
    const app = buildApp(config, {
      pool: db.pool,
      logger,
      metrics,
      verifier,
      onEventsCommitted: () => relay?.notify(),
      clock: () => new Date(Date.now() + clockOffsetMs),
    });
    const server = await serveForTest(app);
    cleanups.push(() => server.close());
    return {
      url: server.url,
      config,
      pool: db.pool,
      issuer,
      metrics,
      received,
      advanceClock: (ms) => {
        clockOffsetMs += ms;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Field of a parsed JSON body, for assertions on `unknown` bodies. */
export function field(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null ? Reflect.get(body, name) : undefined;
}

/** The `field` names of a problem's `errors`. */
export function problemFields(response: JsonResponse): string[] {
  const errors = field(response.body, 'errors');
  return Array.isArray(errors) ? errors.map((error: unknown) => String(field(error, 'field'))) : [];
}

export async function countRows(
  pool: Pool,
  table: string,
  where = '1 = 1',
  params: unknown[] = [],
): Promise<number> {
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`,
    params,
  );
  return Number(rows[0]?.['n']);
}

/** Unique enough per test run; kept within the 32-character username limit. */
let sequence = 0;
export function uniqueName(prefix: string): string {
  sequence += 1;
  return `${prefix}${sequence}_${Date.now().toString(36)}`.slice(0, 32);
}

export interface Registration {
  role: 'seller' | 'consumer';
  companyName: string;
  username: string;
  email: string;
  password: string;
}

export function newRegistration(role: Registration['role'] = 'consumer'): Registration {
  const username = uniqueName(role.slice(0, 4));
  return {
    role,
    companyName: `${username} Ltd`,
    username,
    email: `${username}@Example.com`,
    password: 'correct horse battery staple',
  };
}

export function register(service: UsersTestService, registration: unknown): Promise<JsonResponse> {
  return httpRequest(`${service.url}/api/users`, { json: registration });
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}
