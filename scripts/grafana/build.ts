/** Writes grafana/dashboards/*.json from scripts/grafana: `node --import tsx scripts/grafana/build.ts`. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DASHBOARDS, renderDashboard } from './dashboards.js';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'grafana', 'dashboards');
mkdirSync(dir, { recursive: true });
for (const [file, make] of Object.entries(DASHBOARDS)) {
  writeFileSync(path.join(dir, file), renderDashboard(make));
  process.stdout.write(`wrote grafana/dashboards/${file}\n`);
}
