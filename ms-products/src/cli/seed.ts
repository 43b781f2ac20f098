/**
 * Loads the deterministic demo catalogue into ms-products' database (POSTGRES_URL, as the
 * service reads it), after applying the service's migrations:
 *
 *   npm run -w ms-products seed -- --products 10000 --sellers <id> <id> [--seed 42] [--reset]
 *
 * Running it twice changes nothing; --reset first deletes every product of those sellers.
 */
import { ConfigError, Type, parseConfig, type Static } from '@marketshare/platform';
import { createPgPool, runPgMigrations } from '@marketshare/platform/pg';
import { ProductsConfigSchema } from '../config.js';
import { productsMigrations } from '../store/migrations.js';
import { loadCatalogue } from './catalogue-loader.js';
import { SEED_USAGE, SeedArgsError, parseSeedArgs, type SeedArgs } from './seed-args.js';

const SeedConfigSchema = Type.Object({
  NODE_ENV: ProductsConfigSchema.properties.NODE_ENV,
  POSTGRES_URL: ProductsConfigSchema.properties.POSTGRES_URL,
  IMAGES_DIR: ProductsConfigSchema.properties.IMAGES_DIR,
});

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

function loadConfig(): Static<typeof SeedConfigSchema> {
  try {
    return parseConfig(SeedConfigSchema);
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
}

function parseArgsOrExit(): SeedArgs {
  try {
    return parseSeedArgs(process.argv.slice(2));
  } catch (error) {
    if (error instanceof SeedArgsError) fail(`${error.message}\n${SEED_USAGE}`);
    throw error;
  }
}

async function main(): Promise<void> {
  const args = parseArgsOrExit();
  const config = loadConfig();
  const started = performance.now();
  await runPgMigrations(config.POSTGRES_URL, await productsMigrations());
  const pool = createPgPool(config.POSTGRES_URL, { max: 1 });
  try {
    const outcome = await loadCatalogue(pool, { ...args, imagesDir: config.IMAGES_DIR });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const deleted = args.reset ? `, ${outcome.deleted} deleted first` : '';
    process.stdout.write(
      `seed ${args.seed}: ${outcome.generated} products for ${args.sellerIds.length} seller(s), ` +
        `${outcome.inserted} new, ${outcome.generated - outcome.inserted} already there${deleted} (${seconds} s)\n`,
    );
  } finally {
    await pool.end();
  }
}

main().catch((error: unknown) =>
  fail(`seed failed: ${error instanceof Error ? error.message : String(error)}`),
);
