/**
 * docs/benchmarks.md and docs/benchmarks.json are what the committed benchmark reports render
 * (a drift check, no stack, no load), and the check notices a hand-edited copy.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { renderFromReports, SUMMARY_JSON, SUMMARY_MD } from '../../bench/summary.js';
import { firstDifference, SUMMARY_ALONE } from '../../bench/summary-report.js';
import { at } from '../../bench/summary-sources.js';
import { REPO_ROOT } from '../stack/index.js';

const committed = (file: string) => readFileSync(path.join(REPO_ROOT, file), 'utf8');

describe('benchmark summary', () => {
  it(`${SUMMARY_MD} and ${SUMMARY_JSON} are what the reports render (run \`${SUMMARY_ALONE}\`)`, async () => {
    const rendered = await renderFromReports();
    const mdDrift = firstDifference(committed(SUMMARY_MD), rendered.markdown);
    assert.equal(mdDrift, null, `${SUMMARY_MD} differs from the reports: ${mdDrift ?? ''}`);
    const jsonDrift = firstDifference(committed(SUMMARY_JSON), rendered.json);
    assert.equal(jsonDrift, null, `${SUMMARY_JSON} differs from the reports: ${jsonDrift ?? ''}`);
  });

  it('notices a hand-edited summary', async () => {
    const doc = committed(SUMMARY_MD);
    const edited = doc.replace(/\*\*missed\*\*/, 'met');
    assert.notEqual(edited, doc, 'the summary has a missed target to flip');
    assert.notEqual(firstDifference(edited, (await renderFromReports()).markdown), null);
  });

  it('renders a changed report differently, missed targets with their cause', async () => {
    const reports = mkdtempSync(path.join(tmpdir(), 'marketshare-summary-'));
    try {
      cpSync(path.join(REPO_ROOT, 'bench', 'reports'), reports, { recursive: true });
      const searchFile = path.join(reports, 'search.json');
      const search: unknown = JSON.parse(readFileSync(searchFile, 'utf8'));
      // The report's own shape: targets.ratioMet flipped to missed.
      const targets = at(search, 'targets');
      assert.ok(typeof targets === 'object' && targets !== null, 'search.json has targets');
      Reflect.set(targets, 'ratioMet', false);
      writeFileSync(searchFile, JSON.stringify(search));
      const rendered = (await renderFromReports(reports)).markdown;
      assert.notEqual(firstDifference(committed(SUMMARY_MD), rendered), null);
      assert.match(rendered, /\*\*search: gateway ÷ direct SQL\*\* \([^)]*\): \S/);
    } finally {
      rmSync(reports, { recursive: true, force: true });
    }
  });
});
