/**
 * Lighthouse (the root devDependency, its CLI in a child process) on Debian's Chromium, one page
 * at a time: the performance and accessibility scores, the metrics behind the first, and what
 * Lighthouse says costs time or fails, so a missed target can be explained from the report.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const CHROME_PATH = '/usr/bin/chromium';
export const CHROME_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** A page takes about 12 s; a run past this is stopped (Lighthouse and its Chromium). */
const RUN_TIMEOUT_MS = 90_000;

export interface LighthouseResult {
  page: string;
  url: string;
  /** 0–100, or null when Lighthouse could not score the category. */
  performance: number | null;
  accessibility: number | null;
  /** Lab metrics in ms (CLS unitless), as Lighthouse reports them. */
  metrics: Record<string, number | null>;
  totalBytes: number | null;
  requests: number | null;
  /** Performance audits that fall short, with the time or bytes Lighthouse says they cost. */
  opportunities: { id: string; title: string; savingsMs: number | null; displayValue: string }[];
  /** Accessibility audits that fail, with how many elements. */
  accessibilityFailures: { id: string; title: string; items: number }[];
  environment: { formFactor: string; throttling: string; benchmarkIndex: number | null; lighthouse: string };
  seconds: number;
  error: string | null;
}

const METRICS = {
  fcpMs: 'first-contentful-paint',
  lcpMs: 'largest-contentful-paint',
  tbtMs: 'total-blocking-time',
  cls: 'cumulative-layout-shift',
  speedIndexMs: 'speed-index',
  ttiMs: 'interactive',
  serverResponseMs: 'server-response-time',
} as const;

interface Audit {
  id: string;
  title: string;
  score: number | null;
  scoreDisplayMode: string;
  displayValue?: string;
  numericValue?: number;
  details?: { type?: string; overallSavingsMs?: number; items?: unknown[] };
}

interface Report {
  lighthouseVersion: string;
  categories: Record<
    string,
    { score: number | null; auditRefs: { id: string; weight: number }[] } | undefined
  >;
  audits: Record<string, Audit | undefined>;
  configSettings: { formFactor: string; throttlingMethod: string };
  environment: { benchmarkIndex?: number };
}

const METRIC_IDS = new Set<string>(Object.values(METRICS));
const SCORED = new Set(['binary', 'numeric', 'metricSavings']);

const lighthouseCli = (): string =>
  path.join(
    path.dirname(createRequire(import.meta.url).resolve('lighthouse/package.json')),
    'cli',
    'index.js',
  );

/** Runs the CLI in its own process group, so a stuck run is stopped together with its Chromium. */
function runCli(url: string, outputPath: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        lighthouseCli(),
        url,
        '--output=json',
        `--output-path=${outputPath}`,
        '--only-categories=performance,accessibility',
        `--chrome-flags=${CHROME_FLAGS.join(' ')}`,
        '--quiet',
      ],
      { env: { ...process.env, CHROME_PATH }, stdio: ['ignore', 'ignore', 'pipe'], detached: true },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    }, RUN_TIMEOUT_MS);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`lighthouse exited ${signal ?? String(code)}: ${stderr.trim().slice(-800)}`));
    });
  });
}

const score = (value: number | null | undefined) =>
  value === null || value === undefined ? null : Math.round(value * 100);
const round = (value: number | undefined) => (value === undefined ? null : Math.round(value * 1000) / 1000);

function summarise(page: string, url: string, report: Report, seconds: number): LighthouseResult {
  const audit = (id: string) => report.audits[id];
  // Performance audits besides the metrics themselves: the opportunities and diagnostics.
  const opportunities = (report.categories['performance']?.auditRefs ?? [])
    .map((ref) => audit(ref.id))
    .filter((a): a is Audit => a !== undefined && !METRIC_IDS.has(a.id))
    .filter((a) => a.score !== null && a.score < 0.9 && SCORED.has(a.scoreDisplayMode))
    .map((a) => ({
      id: a.id,
      title: a.title,
      savingsMs: a.details?.overallSavingsMs === undefined ? null : Math.round(a.details.overallSavingsMs),
      displayValue: a.displayValue ?? '',
    }));
  const a11yFailures = (report.categories['accessibility']?.auditRefs ?? [])
    .filter((ref) => ref.weight > 0)
    .map((ref) => audit(ref.id))
    .filter((a): a is Audit => a !== undefined && a.score !== null && a.score < 1)
    .map((a) => ({ id: a.id, title: a.title, items: a.details?.items?.length ?? 0 }));
  return {
    page,
    url,
    performance: score(report.categories['performance']?.score),
    accessibility: score(report.categories['accessibility']?.score),
    metrics: Object.fromEntries(
      Object.entries(METRICS).map(([name, id]) => [name, round(audit(id)?.numericValue)]),
    ),
    totalBytes: round(audit('total-byte-weight')?.numericValue),
    requests: audit('network-requests')?.details?.items?.length ?? null,
    opportunities,
    accessibilityFailures: a11yFailures,
    environment: {
      formFactor: report.configSettings.formFactor,
      throttling: report.configSettings.throttlingMethod,
      benchmarkIndex: report.environment.benchmarkIndex ?? null,
      lighthouse: report.lighthouseVersion,
    },
    seconds,
    error: null,
  };
}

/** One page; a failed run is a result with `error` set (and no scores), not a throw. */
export async function runLighthouse(page: string, url: string): Promise<LighthouseResult> {
  if (new URL(url).hostname !== '127.0.0.1') throw new Error('Lighthouse is only ever pointed at 127.0.0.1');
  const dir = mkdtempSync(path.join(tmpdir(), 'marketshare-lighthouse-'));
  const output = path.join(dir, 'report.json');
  const started = performance.now();
  try {
    await runCli(url, output);
    // The CLI's JSON report (Lighthouse's LHR); only the fields read above are relied on.
    const report = JSON.parse(readFileSync(output, 'utf8')) as Report;
    return summarise(page, url, report, Math.round((performance.now() - started) / 100) / 10);
  } catch (error) {
    return {
      page,
      url,
      performance: null,
      accessibility: null,
      metrics: {},
      totalBytes: null,
      requests: null,
      opportunities: [],
      accessibilityFailures: [],
      environment: { formFactor: '', throttling: '', benchmarkIndex: null, lighthouse: '' },
      seconds: Math.round((performance.now() - started) / 100) / 10,
      error: error instanceof Error ? error.message : String(error),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
