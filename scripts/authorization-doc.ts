/**
 * Writes docs/authorization.md from the authorization matrix (e2e/authorization/), or with
 * `--check` exits 1 when the committed file differs from what the table renders.
 *
 *   node --import tsx scripts/authorization-doc.ts [--check] [--doc <path>]
 *
 * `--doc` names another file than docs/authorization.md (the drift test checks an edited copy).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { MATRIX } from '../e2e/authorization/matrix.js';
import { DOC_COMMAND, DOC_PATH, renderAuthorizationDoc } from '../e2e/authorization/render.js';
import { REPO_ROOT } from './stack/config.js';

const docOption = process.argv.indexOf('--doc');
const target =
  docOption === -1 ? path.join(REPO_ROOT, DOC_PATH) : path.resolve(process.argv[docOption + 1] ?? DOC_PATH);
const rendered = renderAuthorizationDoc(MATRIX);

if (process.argv.includes('--check')) {
  let committed = '';
  try {
    committed = readFileSync(target, 'utf8');
  } catch {
    // missing: reported as a difference below
  }
  if (committed !== rendered) {
    process.stderr.write(`${target} is not what the table renders: run \`${DOC_COMMAND}\`\n`);
    process.exit(1);
  }
  process.stdout.write(`${target} matches the table\n`);
} else {
  writeFileSync(target, rendered);
  process.stdout.write(`wrote ${target}\n`);
}
