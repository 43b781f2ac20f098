/**
 * node --import tsx bench/summary.ts [--check]
 *
 * Writes docs/benchmarks.md and docs/benchmarks.json from the benchmark reports in
 * bench/reports (scripts/bench.sh runs it after the benchmarks). With --check it writes
 * nothing and exits 1 when the committed files differ from what the reports render.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { format, resolveConfig } from 'prettier';
import { REPO_ROOT } from '../scripts/stack/index.js';
import {
  firstDifference,
  renderSummaryJson,
  renderSummaryMarkdown,
  summarize,
  type ReportFiles,
} from './summary-report.js';

export const SUMMARY_MD = 'docs/benchmarks.md';
export const SUMMARY_JSON = 'docs/benchmarks.json';

/** A report's JSON (and Markdown, where its causes are written) from a reports directory. */
export function reportReader(reportsDir: string): (name: string) => ReportFiles | null {
  return (name) => {
    const jsonFile = path.join(reportsDir, `${name}.json`);
    if (!existsSync(jsonFile)) return null;
    const markdownFile = path.join(reportsDir, `${name}.md`);
    return {
      json: JSON.parse(readFileSync(jsonFile, 'utf8')) as unknown,
      markdown: existsSync(markdownFile) ? readFileSync(markdownFile, 'utf8') : null,
    };
  };
}

export async function renderFromReports(reportsDir = path.join(REPO_ROOT, 'bench', 'reports')): Promise<{
  markdown: string;
  json: string;
}> {
  const summaries = summarize(reportReader(reportsDir));
  const jsonFile = path.join(REPO_ROOT, SUMMARY_JSON);
  // Formatted as the repo's Prettier would, so `prettier --check docs` and the drift test agree.
  const json = await format(renderSummaryJson(summaries), {
    ...(await resolveConfig(jsonFile)),
    filepath: jsonFile,
  });
  return { markdown: renderSummaryMarkdown(summaries), json };
}

async function main(): Promise<void> {
  const rendered = await renderFromReports();
  const outputs: [string, string][] = [
    [SUMMARY_MD, rendered.markdown],
    [SUMMARY_JSON, rendered.json],
  ];
  if (process.argv.includes('--check')) {
    const drift = outputs
      .map(([file, text]) => {
        const full = path.join(REPO_ROOT, file);
        const difference = firstDifference(existsSync(full) ? readFileSync(full, 'utf8') : '', text);
        return difference === null ? null : `${file} differs from the reports: ${difference}`;
      })
      .filter((message): message is string => message !== null);
    for (const message of drift) console.error(message);
    process.exitCode = drift.length > 0 ? 1 : 0;
    return;
  }
  for (const [file, text] of outputs) writeFileSync(path.join(REPO_ROOT, file), text);
  console.log(`[bench:summary] wrote ${SUMMARY_MD} and ${SUMMARY_JSON}`);
}

// Run as a script, not when the drift test imports it.
if (
  process.argv[1] !== undefined &&
  path.resolve(process.argv[1]) === path.resolve(import.meta.dirname, 'summary.ts')
)
  main();
