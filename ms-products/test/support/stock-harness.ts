import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { JwksVerifier, createLogger, createServiceMetrics, parseConfig } from '@marketshare/platform';
import type { ServiceMetrics } from '@marketshare/platform';
import { runPgMigrations, type PgPool } from '@marketshare/platform/pg';
import {
  TestTokenIssuer,
  createTestPgDatabase,
  serveForTest,
  type TestPgDatabase,
} from '@marketshare/platform/testing';
import { buildApp } from '../../src/app.js';
import { ProductsConfigSchema, type ProductsConfig } from '../../src/config.js';
import { productsMigrations } from '../../src/store/migrations.js';

export const logger = createLogger({
  service: 'ms-products-test',
  level: process.env['LOG_LEVEL'] ?? 'silent',
});

/** ms-products' app on a random port against its own database, with a token issuer. */
export interface ProductsTestApp {
  url: string;
  db: TestPgDatabase;
  pool: PgPool;
  config: ProductsConfig;
  issuer: TestTokenIssuer;
  metrics: ServiceMetrics;
  stop(): Promise<void>;
}

export async function startProductsApp(env: Record<string, string> = {}): Promise<ProductsTestApp> {
  const cleanups: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  try {
    const db = await createTestPgDatabase('ms_products_stock');
    cleanups.push(() => db.drop());
    const issuer = await new TestTokenIssuer().start();
    cleanups.push(() => issuer.stop());
    const imagesDir = await mkdtemp(path.join(tmpdir(), 'ms-products-stock-'));
    cleanups.push(() => rm(imagesDir, { recursive: true, force: true }));
    const config = parseConfig(ProductsConfigSchema, {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      PORT: '0',
      POSTGRES_URL: db.url,
      RABBITMQ_URL: env['RABBITMQ_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672',
      AUTH_ISSUER: issuer.issuer,
      AUTH_AUDIENCE: issuer.audience,
      AUTH_JWKS_URL: issuer.jwksUrl,
      PUBLIC_URL: 'http://shop.test:8080',
      IMAGES_DIR: imagesDir,
      ...env,
    });
    await runPgMigrations(config.POSTGRES_URL, await productsMigrations());
    const metrics = createServiceMetrics('ms-products', { defaultMetrics: false });
    const app = buildApp({
      config,
      pool: db.pool,
      logger,
      metrics,
      verifier: new JwksVerifier({
        jwksUrl: issuer.jwksUrl,
        issuer: issuer.issuer,
        audience: issuer.audience,
      }),
      onEventsCommitted: () => undefined,
    });
    const server = await serveForTest(app);
    cleanups.push(() => server.close());
    return { url: server.url, db, pool: db.pool, config, issuer, metrics, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

export interface TestProduct {
  id?: string;
  sellerId?: string;
  stock: number;
  priceMinor?: number;
  currency?: string;
  status?: 'published' | 'unpublished';
}

/** Inserts a product straight into the table (the catalogue API is not what is under test). */
export async function insertProduct(pool: PgPool, product: TestProduct): Promise<string> {
  const id = product.id ?? randomUUID();
  await pool.query(
    `INSERT INTO products (id, seller_id, name, category, price_minor, currency, stock, status)
     VALUES ($1, $2, $3, 'tools', $4, $5, $6, $7)`,
    [
      id,
      product.sellerId ?? 'seller-1',
      `Product ${id.slice(0, 8)}`,
      product.priceMinor ?? 1999,
      product.currency ?? 'EUR',
      product.stock,
      product.status ?? 'published',
    ],
  );
  return id;
}

/** The value of one series of a counter on the app's registry (0 when absent). */
export async function metricValue(
  metrics: ServiceMetrics,
  name: string,
  labels: Record<string, string>,
): Promise<number> {
  const metric = metrics.registry.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  const match = values.find((value) =>
    Object.entries(labels).every(([key, expected]) => String(value.labels[key]) === expected),
  );
  return match?.value ?? 0;
}

/** Runs `tasks` with at most `limit` in flight, answers in task order. */
export async function withConcurrency<T>(limit: number, tasks: (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = new Array<T>(tasks.length);
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < tasks.length; index = next++) {
      const task = tasks[index];
      if (task) results[index] = await task();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}
