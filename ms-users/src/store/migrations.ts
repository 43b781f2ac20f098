import { fileURLToPath } from 'node:url';
import { loadMigrations, type Migration } from '@marketshare/platform/mysql';
import { OUTBOX_MIGRATION_SQL } from '@marketshare/platform/outbox';

/**
 * The platform's outbox table is versioned far above our own files so the two numbering
 * schemes never collide.
 */
const OUTBOX_MIGRATION: Migration = { version: 1000, name: 'platform_outbox', sql: OUTBOX_MIGRATION_SQL };

export async function usersMigrations(): Promise<Migration[]> {
  const own = await loadMigrations(fileURLToPath(new URL('./migrations/', import.meta.url)));
  return [...own, OUTBOX_MIGRATION];
}
