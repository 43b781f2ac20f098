/**
 * docs/authorization.md is what the authorization matrix renders (a drift check, no stack), and
 * the matrix names exactly the routes the services declare in their source, internal ones too.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { MATRIX } from '../../e2e/authorization/matrix.js';
import { DOC_COMMAND, DOC_PATH, renderAuthorizationDoc } from '../../e2e/authorization/render.js';
import { sourceRouteKeys } from '../../e2e/authorization/route-inventory.js';
import { isKnownGap, PRINCIPALS, routeKey } from '../../e2e/authorization/types.js';
import { REPO_ROOT } from '../stack/index.js';

const committedDoc = () => readFileSync(path.join(REPO_ROOT, DOC_PATH), 'utf8');

/** The first line where two texts part, to make a drift failure readable. */
function firstDifference(actual: string, expected: string): string {
  const [a, b] = [actual.split('\n'), expected.split('\n')];
  const line = a.findIndex((text, index) => text !== b[index]);
  const at = line === -1 ? a.length : line;
  return `line ${at + 1}:\n  committed: ${a[at] ?? '(end)'}\n  rendered:  ${b[at] ?? '(end)'}`;
}

/** Whether a doc's text is what the table renders, as the check below judges it. */
const matchesTable = (doc: string) => doc === renderAuthorizationDoc(MATRIX);

describe('authorization matrix', () => {
  it(`${DOC_PATH} is what the table renders (run \`${DOC_COMMAND}\`)`, () => {
    const doc = committedDoc();
    assert.ok(
      matchesTable(doc),
      `${DOC_PATH} differs from the table: ${firstDifference(doc, renderAuthorizationDoc(MATRIX))}`,
    );
  });

  it("notices a hand-edited copy of the doc, and the script's --check does too", async function () {
    this.timeout(30_000);
    const doc = committedDoc();
    const edited = doc.replace(
      '| `GET /api/users` | gateway | 401 |',
      '| `GET /api/users` | gateway | 200 |',
    );
    assert.notEqual(edited, doc, 'the edit applies to the committed doc');
    assert.equal(matchesTable(edited), false);
    assert.equal(matchesTable(`${doc}\n`), false, 'even a trailing newline counts');
    // The script itself, on a copy of the repository's doc path: a real edit makes it exit 1.
    const dir = mkdtempSync(path.join(tmpdir(), 'authorization-doc-'));
    try {
      const copy = path.join(dir, 'authorization.md');
      copyFileSync(path.join(REPO_ROOT, DOC_PATH), copy);
      writeFileSync(copy, edited);
      const run = (docPath: string) =>
        promisify(execFile)(
          process.execPath,
          ['--import', 'tsx', 'scripts/authorization-doc.ts', '--check', '--doc', docPath],
          {
            cwd: REPO_ROOT,
            timeout: 20_000,
          },
        );
      await assert.rejects(
        run(copy),
        (error: unknown) => error instanceof Error && 'code' in error && error.code === 1,
      );
      writeFileSync(copy, doc);
      await run(copy);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lists every route the services declare (defineRoute), internal ones included, and no other', () => {
    const declared = sourceRouteKeys(REPO_ROOT);
    assert.deepEqual(declared.unreadable, [], 'defineRoute calls the inventory could not read');
    const rows = MATRIX.map(routeKey);
    assert.deepEqual(
      declared.keys.filter((key) => !rows.includes(key)),
      [],
      'declared routes without a row',
    );
    assert.deepEqual(
      rows.filter((key) => !declared.keys.includes(key)),
      [],
      'rows without a declared route',
    );
    assert.deepEqual(
      rows.filter((key, index) => rows.indexOf(key) !== index),
      [],
      'routes with two rows',
    );
  });

  it('gives every principal an outcome on every route, a known gap a different secure status', () => {
    const incomplete = MATRIX.filter((route) => PRINCIPALS.some((who) => route.expect[who] === undefined));
    assert.deepEqual(incomplete.map(routeKey), []);
    const vacuousGaps = MATRIX.flatMap((route) =>
      PRINCIPALS.filter((who) => {
        const outcome = route.expect[who];
        return isKnownGap(outcome) && outcome.expected === outcome.actual;
      }).map((who) => `${routeKey(route)} ${who}`),
    );
    assert.deepEqual(vacuousGaps, []);
  });
});
