import { fileURLToPath } from 'node:url';
import { loadMigrations, type Migration } from '@marketshare/platform/pg';

const MIGRATIONS_DIRECTORY = fileURLToPath(new URL('./migrations/', import.meta.url));

/** Numbering: 001–009 catalogue and search, 010–019 images, 020–029 stock and ratings. */
export function productsMigrations(): Promise<Migration[]> {
  return loadMigrations(MIGRATIONS_DIRECTORY);
}
