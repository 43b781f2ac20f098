import { readdir, readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import path from 'node:path';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Reads `NNN_description.sql` files; the number is the version and must be unique. */
export async function loadMigrations(directory: string): Promise<Migration[]> {
  const files = (await readdir(directory)).filter((file) => file.endsWith('.sql')).sort();
  const migrations: Migration[] = [];
  for (const file of files) {
    const match = /^(\d+)_([\w-]+)\.sql$/.exec(file);
    if (!match?.[1] || !match[2]) throw new Error(`migration file name must be NNN_name.sql: ${file}`);
    migrations.push({
      version: Number(match[1]),
      name: match[2],
      sql: await readFile(path.join(directory, file), 'utf8'),
    });
  }
  const versions = new Set(migrations.map((m) => m.version));
  if (versions.size !== migrations.length) throw new Error(`duplicate migration versions in ${directory}`);
  return migrations;
}

/** Detects an applied migration whose file was edited afterwards. */
export function migrationChecksum(sql: string): string {
  return createHash('sha256').update(sql).digest('hex');
}
