/**
 * The one stack every hostile file aims at (started by the first file that asks, stopped after
 * the whole run), with what the rows need: each service's port and pid, a seller with a
 * product, a consumer with an order, and a look into each service's store.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import sharp from 'sharp';
import { createMysqlPool, type Pool } from '@marketshare/platform/mysql';
import { createPgPool, type PgPool } from '@marketshare/platform/pg';
import { readRecord } from '../../../scripts/stack/procs.js';
import { startIsolatedStack, type IsolatedStack } from '../../support/isolated-stack.js';
import { RealKeySigner } from '../../support/real-signer.js';
import { runOnce } from '../../support/run-once.js';
import { StoreProbe, type Store } from './stores.js';

// `as const`: the names as literal types, so Service is their union.
export const SERVICES = ['ms-auth', 'ms-users', 'ms-products', 'ms-orders', 'ms-email'] as const;
export type Service = (typeof SERVICES)[number];

// `as const`: each value a literal PortKey of the stack's ports.
const PORT_KEYS = {
  'ms-auth': 'MS_AUTH_PORT',
  'ms-users': 'MS_USERS_PORT',
  'ms-products': 'MS_PRODUCTS_PORT',
  'ms-orders': 'MS_ORDERS_PORT',
  'ms-email': 'MS_EMAIL_PORT',
} as const;

const PASSWORD = 'correct horse battery staple';

export interface Person {
  id: string;
  username: string;
  token: string;
}

export interface HostileWorld {
  stack: IsolatedStack;
  gatewayPort: number;
  port(service: Service): number;
  /** The pid in the stack's record of the service (null when there is none). */
  pidOf(service: Service): number | null;
  seller: Person;
  consumer: Person;
  /** An admin: a token signed with the stack's own keys (admins are not registered, they are made). */
  admin: Pick<Person, 'token'>;
  /** The seller's published product (stock left after the consumer's order). */
  productId: string;
  /** The consumer's order of that product, RECEIVED: its event stream stays open. */
  orderId: string;
  /** A real PNG of a few hundred kilobytes, for multipart uploads (many TCP segments). */
  png: Buffer;
  /** A real PNG of a few kilobytes: a whole form arrives in one segment, parsed in one go. */
  smallPng: Buffer;
  /** `Basic ...` of the first-party frontend client. */
  frontendBasic: string;
  stores: StoreProbe;
  /** What the stores hold now, as one comparable value. */
  snapshot(stores: readonly Store[]): Promise<Record<string, string>>;
}

const pools: { end(): Promise<unknown> }[] = [];

/** A JSON call to one service's own port (setup only; the rows speak raw HTTP). */
async function call(
  base: string,
  path: string,
  init: { json?: unknown; body?: string; headers?: Record<string, string> },
) {
  const headers: Record<string, string> = { ...init.headers };
  if (init.json !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers,
    body: init.json === undefined ? init.body : JSON.stringify(init.json),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  assert.ok(response.ok, `${path}: ${response.status} ${text}`);
  return JSON.parse(text) as Record<string, unknown>; // every setup call answers a JSON object
}

const dbUrl = (scheme: string, admin: string, serviceUrl: string | undefined) =>
  `${scheme}://${admin}${new URL(serviceUrl ?? '').pathname}`;

async function build(): Promise<HostileWorld> {
  const stack = await startIsolatedStack({
    serviceEnv: {
      REGISTER_RATE_LIMIT_PER_HOUR: '1000',
      PASSWORD_RESET_RATE_LIMIT_PER_HOUR: '1000',
      // The consumer's order is RECEIVED, never declined: its event stream stays open.
      PAYMENT_APPROVAL_PROBABILITY: '1',
      // Its stream writes a heartbeat every 250 ms: to clients that are gone, too.
      ORDER_STREAM_HEARTBEAT_MS: '250',
    },
  });
  try {
    return await populate(stack);
  } catch (error) {
    await Promise.all(pools.splice(0).map((pool) => pool.end().catch(() => undefined)));
    await stack.stop();
    throw error;
  }
}

async function populate(stack: IsolatedStack): Promise<HostileWorld> {
  const { info } = stack;
  const url = (service: Service) => info.urls.services[service] ?? '';
  const frontendBasic = `Basic ${Buffer.from(`frontend:${info.secrets['CLIENT_SECRET_FRONTEND'] ?? ''}`).toString('base64')}`;

  const person = async (role: 'seller' | 'consumer'): Promise<Person> => {
    const tag = randomUUID().slice(0, 8);
    const username = `hostile_${role}_${tag}`;
    const account = await call(url('ms-users'), '/api/users', {
      json: {
        role,
        companyName: `Hostile ${tag} GmbH`,
        username,
        email: `${tag}@hostile.test`,
        password: PASSWORD,
      },
    });
    const tokens = await call(url('ms-auth'), '/api/auth/token', {
      headers: { authorization: frontendBasic, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'password', username, password: PASSWORD }).toString(),
    });
    return { id: String(account['id']), username, token: String(tokens['access_token']) };
  };
  const [seller, consumer] = await Promise.all([person('seller'), person('consumer')]);
  const authEnv = info.serviceEnv['ms-auth'] ?? {};
  const signer = await RealKeySigner.open({
    mysqlUrl: authEnv['MYSQL_URL'] ?? '',
    keyEncryptionSecret: authEnv['AUTH_KEY_ENCRYPTION_SECRET'] ?? '',
    issuer: authEnv['AUTH_ISSUER'] ?? '',
    audience: authEnv['AUTH_AUDIENCE'] ?? 'marketshare-api',
  });
  pools.push({ end: () => signer.close() });
  const admin = { token: signer.sign({ sub: randomUUID(), role: 'admin' }) };
  const bearer = (who: Person) => ({ authorization: `Bearer ${who.token}` });
  const product = await call(url('ms-products'), '/api/products', {
    headers: bearer(seller),
    json: {
      name: `Hostile flange ${randomUUID().slice(0, 6)}`,
      description: 'A DN50 flange that meets hostile clients.',
      category: 'Industrial supplies',
      priceMinor: 1_250,
      currency: 'EUR',
      stock: 50,
    },
  });
  const productId = String(product['id']);
  const checkout = await call(url('ms-orders'), '/api/orders/checkout', {
    headers: { ...bearer(consumer), 'idempotency-key': randomUUID() },
    json: { items: [{ productId, quantity: 1 }] },
  });
  const [order] = checkout['orders'] as { id: string; status: string }[]; // ms-orders' CheckoutView
  assert.ok(order?.status === 'RECEIVED', JSON.stringify(checkout));

  const mysql = (service: Service): Pool => {
    const pool = createMysqlPool(
      dbUrl('mysql', 'root@127.0.0.1:3306', info.serviceEnv[service]?.['MYSQL_URL']),
      {
        connectionLimit: 1,
      },
    );
    pools.push(pool);
    return pool;
  };
  const productsDb: PgPool = createPgPool(
    dbUrl('postgres', 'postgres@127.0.0.1:5432', info.serviceEnv['ms-products']?.['POSTGRES_URL']),
    { max: 1 },
  );
  pools.push(productsDb);
  const stores = new StoreProbe({
    authDb: mysql('ms-auth'),
    usersDb: mysql('ms-users'),
    productsDb,
    imagesDir: info.serviceEnv['ms-products']?.['IMAGES_DIR'] ?? '',
    ordersUrl: url('ms-orders'),
    consumerToken: consumer.token,
    sellerToken: seller.token,
  });
  const noisy = (size: number) =>
    sharp({
      create: {
        width: size,
        height: size,
        channels: 3,
        background: '#2a6',
        noise: { type: 'gaussian', mean: 128, sigma: 40 },
      },
    })
      .png()
      .toBuffer();
  const [png, smallPng] = await Promise.all([noisy(300), noisy(32)]);
  return {
    stack,
    gatewayPort: info.ports.GATEWAY_PORT,
    port: (service) => info.ports[PORT_KEYS[service]],
    pidOf: (service) => readRecord(info.stateDir, service)?.pid ?? null,
    seller,
    consumer,
    admin,
    productId,
    orderId: order.id,
    png,
    smallPng,
    frontendBasic,
    stores,
    snapshot: (wanted) => stores.snapshot(wanted),
  };
}

/** The hostile stack: started once, by the first hostile file that asks. */
export const hostileWorld = runOnce(build, async (current) => {
  await Promise.all(pools.splice(0).map((pool) => pool.end().catch(() => undefined)));
  await current?.stack.stop();
});
