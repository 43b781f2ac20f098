import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createMysqlPool, type Pool, type RowDataPacket } from '@marketshare/platform/mysql';
import { createPgPool, type PgPool } from '@marketshare/platform/pg';
import { GatewayClient, field } from './gateway-client.js';
import { startIsolatedStack, type IsolatedStack, type IsolatedStackOptions } from './isolated-stack.js';
import { RealKeySigner } from './real-signer.js';
import { runOnce } from './run-once.js';

export const PASSWORD = 'correct horse battery staple';

export interface Account {
  role: 'seller' | 'consumer';
  username: string;
  email: string;
  companyName: string;
  password: string;
}

/** What every end-to-end file works with: one stack, its gateway, and the real signing key. */
export interface World {
  stack: IsolatedStack;
  gateway: GatewayClient;
  signer: RealKeySigner;
  usersDb: Pool;
  /** ms-products' PostgreSQL database, as its owner sees it (stock, reservations). */
  productsDb: PgPool;
  newAccount(role?: 'seller' | 'consumer'): Account;
  register(role?: 'seller' | 'consumer'): Promise<Account & { id: string }>;
  countAccounts(): Promise<number>;
}

let sequence = 0;

function mysqlRootUrl(serviceUrl: string): string {
  return `mysql://root@127.0.0.1:3306${new URL(serviceUrl).pathname}`;
}

function postgresAdminUrl(serviceUrl: string): string {
  return `postgres://postgres@127.0.0.1:5432${new URL(serviceUrl).pathname}`;
}

/** The shared world's stack; a suite that needs a stack of its own (faults) starts from these. */
export const E2E_STACK_OPTIONS: IsolatedStackOptions = {
  serviceEnv: {
    REGISTER_RATE_LIMIT_PER_HOUR: '1000',
    LOGIN_MAX_FAILURES: '3',
    LOGIN_LOCK_INITIAL_SECONDS: '2',
    LOGIN_LOCK_MAX_SECONDS: '4',
    // Every payment within the credit limit below is approved, so an order's outcome depends on
    // stock alone (and the limit: the one checkout meant to be declined exceeds it).
    PAYMENT_APPROVAL_PROBABILITY: '1',
    // 10,000.00 per order, far above what the tests buy: only a checkout meant to be declined is.
    PAYMENT_CREDIT_LIMIT_MINOR: '1000000',
    // Leftover reservations of failed checkouts are released within seconds, not half a minute.
    RELEASE_SWEEP_INTERVAL_MS: '2000',
    // The site finds out about a deactivated account within a second (admin browser test).
    SESSION_ACCOUNT_CHECK_SECONDS: '1',
  },
  // orders-outages.test.ts cuts ms-orders off from RabbitMQ without stopping the shared broker.
  rabbitProxyFor: ['ms-orders'],
};

/** A world over a stack of its own, started with these options. */
export async function buildWorld(options: IsolatedStackOptions = E2E_STACK_OPTIONS): Promise<World> {
  const stack = await startIsolatedStack(options);
  const { info } = stack;
  const authEnv = info.serviceEnv['ms-auth'] ?? {};
  const gateway = new GatewayClient(info.urls.gateway, info.secrets['CLIENT_SECRET_FRONTEND'] ?? '');
  const signer = await RealKeySigner.open({
    mysqlUrl: authEnv['MYSQL_URL'] ?? '',
    keyEncryptionSecret: authEnv['AUTH_KEY_ENCRYPTION_SECRET'] ?? '',
    issuer: authEnv['AUTH_ISSUER'] ?? '',
    audience: authEnv['AUTH_AUDIENCE'] ?? 'marketshare-api',
  });
  const usersDb = createMysqlPool(mysqlRootUrl(info.serviceEnv['ms-users']?.['MYSQL_URL'] ?? ''), {
    connectionLimit: 2,
  });
  const productsDb = createPgPool(postgresAdminUrl(info.serviceEnv['ms-products']?.['POSTGRES_URL'] ?? ''), {
    max: 2,
  });
  const newAccount = (role: 'seller' | 'consumer' = 'consumer'): Account => {
    sequence += 1;
    const tag = `${randomUUID().slice(0, 8)}${sequence}`;
    return {
      role,
      username: `user_${tag}`,
      email: `${tag}@buyer.test`,
      companyName: `Company ${tag} GmbH`,
      password: PASSWORD,
    };
  };
  return {
    stack,
    gateway,
    signer,
    usersDb,
    productsDb,
    newAccount,
    async register(role = 'consumer') {
      const account = newAccount(role);
      const response = await gateway.register(account);
      assert.equal(response.status, 201, response.text);
      return { ...account, id: String(field(response.body, 'id')) };
    },
    async countAccounts() {
      const [rows] = await usersDb.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM accounts');
      return Number(rows[0]?.['n']);
    },
  };
}

/**
 * The stack is started once, by the first end-to-end file that asks, and stopped after the
 * whole run (a root-level hook), so the files share its start-up cost.
 */
export const e2eWorld = runOnce(
  () => buildWorld(),
  async (current) => {
    if (current) await closeWorld(current);
  },
);

/** Lets go of a world's connections, then stops its stack and purges its data. */
export async function closeWorld(world: World): Promise<void> {
  await world.signer.close().catch(() => undefined);
  await world.usersDb.end().catch(() => undefined);
  await world.productsDb.end().catch(() => undefined);
  await world.stack.stop();
}
