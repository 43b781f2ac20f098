import {
  JwksVerifier,
  createLogger,
  createServiceMetrics,
  parseConfig,
  withRevocationChecks,
  type TokenVerifier,
} from '@marketshare/platform';
import type { RabbitConnection } from '@marketshare/platform/rabbit';
import { TestTokenIssuer, httpRequest, serveForTest, startTestMongo } from '@marketshare/platform/testing';
import mongoose, { type Connection } from 'mongoose';
import { buildApp } from '../../src/app.js';
import { OrdersConfigSchema } from '../../src/config.js';
import { SimulatedPaymentProvider } from '../../src/domain/payments.js';
import type { PaymentProvider } from '../../src/domain/ports.js';
import { ensureIndexes, ordersModels, type OrdersModels } from '../../src/store/models.js';
import { HttpProductsClient } from '../../src/upstream/products-client.js';
import { ProductsStandIn } from './products-stand-in.js';

const SECRET = 'test-secret-of-ms-orders-client';

/** ms-orders' app on a random port against its own Mongo database and a ms-products stand-in. */
export interface OrdersTestApp {
  url: string;
  issuer: TestTokenIssuer;
  products: ProductsStandIn;
  models: OrdersModels;
  /** The simulator's approval probability for the next checkouts (1 unless a test sets it). */
  payments: { approvalProbability: number };
  consumerToken(id: string): string;
  sellerToken(id: string): string;
  stop(): Promise<void>;
}

/** With `revocationsFrom` the app's verifier applies the revocations published there, as main.ts wires it. */
export async function startOrdersApp(
  env: Record<string, string> = {},
  options: { revocationsFrom?: RabbitConnection } = {},
): Promise<OrdersTestApp> {
  const cleanups: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  try {
    const mongo = await startTestMongo();
    cleanups.push(() => mongo.stop());
    const issuer = await new TestTokenIssuer().start();
    cleanups.push(() => issuer.stop());
    const verifier = new JwksVerifier({
      jwksUrl: issuer.jwksUrl,
      issuer: issuer.issuer,
      audience: issuer.audience,
    });
    const products = await new ProductsStandIn(
      verifier,
      (clientId, scope) => issuer.serviceToken(clientId, scope),
      SECRET,
    ).start();
    cleanups.push(() => products.stop());
    const config = parseConfig(OrdersConfigSchema, {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      PORT: '0',
      MONGO_URL: mongo.url,
      PRODUCTS_URL: products.url,
      // Long enough for a busy CI machine; the 503 tests still check a bound of a few timeouts.
      PRODUCTS_TIMEOUT_MS: '1500',
      AUTH_ISSUER: issuer.issuer,
      AUTH_AUDIENCE: issuer.audience,
      AUTH_JWKS_URL: issuer.jwksUrl,
      AUTH_TOKEN_URL: `${products.url}/token`,
      SERVICE_CLIENT_SECRET: SECRET,
      PAYMENT_APPROVAL_PROBABILITY: '1',
      IDEMPOTENCY_WAIT_MS: '10000',
      ...env,
    });
    const connection: Connection = await mongoose.createConnection(config.MONGO_URL).asPromise();
    cleanups.push(async () => {
      await connection.dropDatabase().catch(() => undefined);
      await connection.close();
    });
    const models = ordersModels(connection);
    await ensureIndexes(models);
    const logger = createLogger({ service: 'ms-orders-test', level: process.env['LOG_LEVEL'] ?? 'silent' });
    let appVerifier: TokenVerifier = verifier;
    if (options.revocationsFrom) {
      const checks = withRevocationChecks(options.revocationsFrom, verifier, {
        service: 'ms-orders-test',
        logger,
        maxTokenLifetimeSeconds: config.ACCESS_TOKEN_MAX_LIFETIME_SECONDS,
      });
      await checks.feed.waitUntilConsuming(10_000);
      cleanups.push(() => checks.feed.stop());
      appVerifier = checks.verifier;
    }
    const payments = { approvalProbability: config.PAYMENT_APPROVAL_PROBABILITY };
    const provider: PaymentProvider = {
      authorize: (request) =>
        new SimulatedPaymentProvider({
          approvalProbability: payments.approvalProbability,
          creditLimitMinor: config.PAYMENT_CREDIT_LIMIT_MINOR,
        }).authorize(request),
    };
    const app = buildApp({
      config,
      connection,
      models,
      logger,
      metrics: createServiceMetrics('ms-orders', { defaultMetrics: false }),
      verifier: appVerifier,
      products: new HttpProductsClient({
        baseUrl: config.PRODUCTS_URL,
        timeoutMs: config.PRODUCTS_TIMEOUT_MS,
        tokenUrl: config.AUTH_TOKEN_URL,
        clientId: config.SERVICE_CLIENT_ID,
        clientSecret: config.SERVICE_CLIENT_SECRET,
      }),
      payments: provider,
    });
    const server = await serveForTest(app);
    cleanups.push(() => server.close());
    return {
      url: server.url,
      issuer,
      products,
      models,
      payments,
      consumerToken: (id) => issuer.userToken(id, 'consumer'),
      sellerToken: (id) => issuer.userToken(id, 'seller'),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A JSON call to the app with a bearer token. */
export function call(
  app: OrdersTestApp,
  method: string,
  path: string,
  token: string,
  options: { json?: unknown; headers?: Record<string, string> } = {},
) {
  return httpRequest(`${app.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...options.headers },
    ...(options.json === undefined ? {} : { json: options.json }),
  });
}
