import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  JwksVerifier,
  createLogger,
  createServiceMetrics,
  parseConfig,
  withRevocationChecks,
  type Logger,
  type ServiceMetrics,
  type TokenVerifier,
} from '@marketshare/platform';
import { runPgMigrations, type PgPool } from '@marketshare/platform/pg';
import type { RabbitConnection } from '@marketshare/platform/rabbit';
import {
  TestTokenIssuer,
  createTestPgDatabase,
  serveForTest,
  type TestPgDatabase,
} from '@marketshare/platform/testing';
import { buildApp } from '../../src/app.js';
import { ProductsConfigSchema, type ProductsConfig } from '../../src/config.js';
import { productsMigrations } from '../../src/store/migrations.js';

/**
 * What every ms-products API test starts from: its own migrated database, a token issuer with
 * a real JWKS endpoint, its own IMAGES_DIR, and the config over them. Cleanups run in reverse.
 */
export interface ProductsTestBase {
  db: TestPgDatabase;
  pool: PgPool;
  issuer: TestTokenIssuer;
  imagesDir: string;
  config: ProductsConfig;
  metrics: ServiceMetrics;
  logger: Logger;
  /** Things started after the base (relays, workers, servers) register their stop here. */
  onStop(cleanup: () => Promise<unknown>): void;
  stop(): Promise<void>;
}

export async function prepareProductsTest(
  databasePrefix: string,
  env: Record<string, string> = {},
): Promise<ProductsTestBase> {
  const cleanups: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  };
  try {
    const db = await createTestPgDatabase(databasePrefix);
    cleanups.push(() => db.drop());
    const issuer = await new TestTokenIssuer().start();
    cleanups.push(() => issuer.stop());
    const imagesDir = await mkdtemp(path.join(tmpdir(), `${databasePrefix}-images-`));
    cleanups.push(() => rm(imagesDir, { recursive: true, force: true }));
    const config = parseConfig(ProductsConfigSchema, {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      PORT: '0',
      POSTGRES_URL: db.url,
      RABBITMQ_URL: 'amqp://guest:guest@127.0.0.1:5672',
      AUTH_ISSUER: issuer.issuer,
      AUTH_AUDIENCE: issuer.audience,
      AUTH_JWKS_URL: issuer.jwksUrl,
      PUBLIC_URL: 'http://shop.test:8080',
      IMAGES_DIR: imagesDir,
      ...env,
    });
    await runPgMigrations(config.POSTGRES_URL, await productsMigrations());
    return {
      db,
      pool: db.pool,
      issuer,
      imagesDir,
      config,
      metrics: createServiceMetrics('ms-products', { defaultMetrics: false }),
      logger: createLogger({ service: 'ms-products-test', level: process.env['LOG_LEVEL'] ?? 'silent' }),
      onStop: (cleanup) => cleanups.push(cleanup),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Serves ms-products' app over the base on a random port; returns its URL. With
 * `revocationsFrom` its verifier applies the revocations published there, as main.ts wires it.
 */
export async function serveProducts(
  base: ProductsTestBase,
  onEventsCommitted: () => void = () => undefined,
  options: { revocationsFrom?: RabbitConnection } = {},
): Promise<string> {
  let verifier: TokenVerifier = new JwksVerifier({
    jwksUrl: base.issuer.jwksUrl,
    issuer: base.issuer.issuer,
    audience: base.issuer.audience,
  });
  if (options.revocationsFrom) {
    const checks = withRevocationChecks(options.revocationsFrom, verifier, {
      service: 'ms-products-test',
      logger: base.logger,
      maxTokenLifetimeSeconds: base.config.ACCESS_TOKEN_MAX_LIFETIME_SECONDS,
    });
    await checks.feed.waitUntilConsuming(10_000);
    base.onStop(() => checks.feed.stop());
    verifier = checks.verifier;
  }
  const app = buildApp({
    config: base.config,
    pool: base.pool,
    logger: base.logger,
    metrics: base.metrics,
    verifier,
    onEventsCommitted,
  });
  const server = await serveForTest(app);
  base.onStop(() => server.close());
  return server.url;
}
