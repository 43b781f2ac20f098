import { fileURLToPath } from 'node:url';
import { loadMigrations, type Migration } from '@marketshare/platform/pg';
import { PG_OUTBOX_MIGRATION_SQL } from '@marketshare/platform/outbox';

const MIGRATIONS_DIRECTORY = fileURLToPath(new URL('./migrations/', import.meta.url));

/** The platform's outbox table (product.image_uploaded leaves through it), in the images range. */
const OUTBOX_MIGRATION: Migration = { version: 11, name: 'platform_outbox', sql: PG_OUTBOX_MIGRATION_SQL };

/** Numbering: 001–009 catalogue and search, 010–019 images (011: the outbox), 020–029 stock and ratings. */
export async function productsMigrations(): Promise<Migration[]> {
  return [...(await loadMigrations(MIGRATIONS_DIRECTORY)), OUTBOX_MIGRATION];
}
