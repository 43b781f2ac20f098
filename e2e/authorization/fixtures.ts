/**
 * The people, tokens and resources the authorization matrix is tried with. "A" owns things
 * (seller A's products and image, consumer A's order and delivered purchase); "B" of the same
 * role tries them. Owners' destructive requests get a fresh resource of their own, so the
 * shared ones stay as the other rows expect them whatever order the requests run in.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { ClientCredentialsTokenSource } from '@marketshare/platform';
import { waitFor } from '@marketshare/platform/testing';
import { field } from '../support/gateway-client.js';
import { PASSWORD, type World } from '../support/world.js';
import { send } from './send.js';
import type { PrincipalName } from './types.js';

export type PersonName = Exclude<PrincipalName, 'anonymous' | 'serviceNoScope' | 'serviceWithScope'>;

export interface PersonFixture {
  id: string;
  username: string;
  email: string;
}

export interface Fixtures {
  people: Record<PersonName, PersonFixture>;
  /** An account only the admin-deactivation row aims at: if a non-admin got through, no principal is hurt. */
  bystander: string;
  /** Seller A's published product, in stock. */
  product: string;
  /** Seller A's unpublished product: only its seller and admins may see it. */
  unpublishedProduct: string;
  /** An image of `product` whose thumbnail has been made. */
  image: string;
  /** Consumer A's order (RECEIVED) of `product`, from seller A. */
  order: string;
  /** A product consumer A bought and received, so may review. */
  deliveredProduct: string;
  /** A real PNG upload form (file field "image"). */
  imageForm(): FormData;
  /** A new published product of seller A's. */
  freshProduct(): Promise<string>;
  /** A new image on a new product of seller A's. */
  freshImage(): Promise<{ productId: string; imageId: string }>;
  /** A new RECEIVED order of consumer A's, from seller A. */
  freshOrder(): Promise<string>;
  /** A new consumer account nobody else uses (for an admin to deactivate). */
  freshAccount(): Promise<string>;
}

export interface MatrixWorld {
  fixtures: Fixtures;
  /** The bearer token each principal sends; anonymous sends none. */
  tokens: Record<PrincipalName, string | undefined>;
}

const MS_USERS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../ms-users');
const STEP_TIMEOUT_MS = 20_000;

/** An admin, made with ms-users' create-admin CLI against the stack's database, as an operator would. */
async function createAdmin(w: World): Promise<{ fixture: PersonFixture; token: string }> {
  const tag = randomUUID().slice(0, 8);
  const admin = { username: `admin_${tag}`, email: `${tag}@admin.test` };
  await promisify(execFile)(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/cli/create-admin.ts',
      ...['--username', admin.username, '--email', admin.email, '--company', 'Marketshare'],
    ],
    {
      cwd: MS_USERS,
      timeout: 60_000,
      env: {
        ...process.env,
        NODE_ENV: 'test',
        MYSQL_URL: w.stack.info.serviceEnv['ms-users']?.['MYSQL_URL'] ?? '',
        ADMIN_PASSWORD: PASSWORD,
      },
    },
  );
  const token = (await w.gateway.loginTokens(admin.username, PASSWORD)).access_token;
  const search = await send(w.stack.info.urls.gateway, {
    method: 'get',
    path: `/api/users?q=${admin.username}`,
    token,
  });
  const items = field(search.body, 'items');
  assert.ok(Array.isArray(items) && items.length === 1, search.text);
  return { fixture: { ...admin, id: String(field(items[0], 'id')) }, token };
}

function serviceToken(w: World, clientId: string, scope: string): Promise<string> {
  const { info } = w.stack;
  const secretName = `CLIENT_SECRET_${clientId.toUpperCase().replace(/-/g, '_')}`;
  return new ClientCredentialsTokenSource({
    tokenUrl: `${info.urls.gateway}/api/auth/token`,
    clientId,
    clientSecret: info.secrets[secretName] ?? '',
    scope,
    timeoutMs: STEP_TIMEOUT_MS,
  }).getToken();
}

export async function buildMatrixWorld(w: World): Promise<MatrixWorld> {
  const gatewayUrl = w.stack.info.urls.gateway;
  const call = async (
    token: string | undefined,
    method: 'get' | 'post',
    requestPath: string,
    json?: unknown,
    headers?: Record<string, string>,
  ) =>
    send(gatewayUrl, {
      method,
      path: requestPath,
      token,
      ...(json === undefined ? {} : { json }),
      ...(headers ? { headers } : {}),
    });
  const expectStatus = (response: { status: number; text: string }, status: number, what: string) =>
    assert.equal(response.status, status, `${what}: ${response.text}`);

  const person = async (role: 'seller' | 'consumer') => {
    const account = await w.register(role);
    const token = (await w.gateway.loginTokens(account.username, PASSWORD)).access_token;
    return { fixture: { id: account.id, username: account.username, email: account.email }, token };
  };
  const [consumerA, consumerB, sellerA, sellerB, deactivated] = await Promise.all([
    person('consumer'),
    person('consumer'),
    person('seller'),
    person('seller'),
    person('consumer'),
  ]);
  const admin = await createAdmin(w);
  // Deactivated by its holder after logging in: the access token it holds has not expired.
  expectStatus(
    await send(gatewayUrl, { method: 'delete', path: '/api/users/me', token: deactivated.token }),
    204,
    'self-deactivation',
  );
  // The revocation reaches each service through RabbitMQ, within a second or so: the deactivated
  // column is about what a revoked token gets, not about that race, so wait until every service
  // that verifies tokens has applied it (bounded; a revocation that never arrives fails here).
  await waitFor(
    async () => {
      const answers = await Promise.all(
        ['/api/users/me', '/api/cart', '/api/products/mine'].map((probe) =>
          send(gatewayUrl, { method: 'get', path: probe, token: deactivated.token }),
        ),
      );
      return answers.every((answer) => answer.status === 401);
    },
    { timeoutMs: 10_000, intervalMs: 100, what: 'the deactivated account revoked in every service' },
  );
  const [serviceNoScope, serviceWithScope] = await Promise.all([
    // ms-users' client holds no scope at all (README, OAuth clients).
    serviceToken(w, 'ms-users', ''),
    // ms-orders' client holds every scope a client can obtain from the token endpoint.
    serviceToken(w, 'ms-orders', 'stock:reserve users:read'),
  ]);

  const newProduct = async (status: 'published' | 'unpublished' = 'published') => {
    const created = await call(sellerA.token, 'post', '/api/products', {
      name: `Authorization matrix washer ${randomUUID().slice(0, 6)}`,
      category: 'Industrial supplies',
      priceMinor: 350,
      currency: 'EUR',
      stock: 1_000,
      status,
    });
    expectStatus(created, 201, 'product');
    return String(field(created.body, 'id'));
  };
  const png = await sharp({ create: { width: 64, height: 32, channels: 3, background: '#36c' } })
    .png()
    .toBuffer();
  const imageForm = () => {
    const form = new FormData();
    form.append('image', new Blob([png], { type: 'image/png' }), 'washer.png');
    return form;
  };
  const newImage = async (productId: string) => {
    const upload = await send(gatewayUrl, {
      method: 'post',
      path: `/api/products/${productId}/images`,
      token: sellerA.token,
      multipart: imageForm(),
    });
    expectStatus(upload, 201, 'image upload');
    return String(field(upload.body, 'id'));
  };
  const newOrder = async (productId: string) => {
    const checkout = await call(
      consumerA.token,
      'post',
      '/api/orders/checkout',
      { items: [{ productId, quantity: 1 }] },
      { 'idempotency-key': randomUUID() },
    );
    expectStatus(checkout, 201, 'checkout');
    const [order] = (field(checkout.body, 'orders') ?? []) as { id: string; status: string }[]; // CheckoutView
    assert.equal(order?.status, 'RECEIVED', checkout.text);
    return order.id;
  };

  const [product, unpublishedProduct, deliveredProduct] = await Promise.all([
    newProduct(),
    newProduct('unpublished'),
    newProduct(),
  ]);
  const image = await newImage(product);
  await waitFor(
    async () =>
      (await call(undefined, 'get', `/api/products/${product}/images/${image}/thumbnail`)).status === 200,
    { timeoutMs: STEP_TIMEOUT_MS, intervalMs: 250, what: 'the fixture thumbnail' },
  );
  const order = await newOrder(product);
  const delivered = await newOrder(deliveredProduct);
  for (const status of ['IN_DELIVERY', 'DELIVERED']) {
    expectStatus(
      await call(sellerA.token, 'post', `/api/orders/${delivered}/status`, { status }),
      200,
      status,
    );
  }

  const fixtures: Fixtures = {
    people: {
      consumerA: consumerA.fixture,
      consumerB: consumerB.fixture,
      sellerA: sellerA.fixture,
      sellerB: sellerB.fixture,
      admin: admin.fixture,
      deactivated: deactivated.fixture,
    },
    bystander: (await w.register('consumer')).id,
    product,
    unpublishedProduct,
    image,
    order,
    deliveredProduct,
    imageForm,
    freshProduct: () => newProduct(),
    async freshImage() {
      const productId = await newProduct();
      return { productId, imageId: await newImage(productId) };
    },
    freshOrder: () => newOrder(product),
    freshAccount: async () => (await w.register('consumer')).id,
  };
  return {
    fixtures,
    tokens: {
      anonymous: undefined,
      consumerA: consumerA.token,
      consumerB: consumerB.token,
      sellerA: sellerA.token,
      sellerB: sellerB.token,
      admin: admin.token,
      deactivated: deactivated.token,
      serviceNoScope,
      serviceWithScope,
    },
  };
}
