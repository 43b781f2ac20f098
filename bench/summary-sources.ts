/**
 * Each benchmark's report JSON read back as the figures it publishes, with its targets, and
 * for a missed target the cause in the report's own words (from its Markdown, where the older
 * reports keep their explanations; the platform report carries its causes in its JSON).
 */
import type { Measurement } from './lib/measurement.js';

/** A value at a path of object keys and array indexes, or undefined. */
export function at(value: unknown, ...path: (string | number)[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = Reflect.get(current, key);
  }
  return current;
}
const num = (value: unknown): number => (typeof value === 'number' ? value : Number.NaN);
const bool = (value: unknown): boolean | null => (typeof value === 'boolean' ? value : null);
const text = (value: unknown): string => (typeof value === 'string' ? value : '');
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** The text under a Markdown heading (to the next heading), as one paragraph. */
export function section(markdown: string | null, heading: string): string | null {
  if (markdown === null) return null;
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => line.trim() === heading);
  if (start === -1) return null;
  const body: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith('#')) break;
    if (line.startsWith('|')) continue; // tables stay in the report
    if (line.trim() !== '') body.push(line.trim().replace(/^- /, ''));
  }
  return body.length > 0 ? body.join(' ') : null;
}

/** The report's line starting with `prefix` (a list item's marker dropped), or null. */
function lineStarting(markdown: string | null, prefix: string): string | null {
  const line = markdown?.split('\n').find((candidate) => candidate.startsWith(prefix));
  return line === undefined ? null : line.replace(/^- /, '').trim();
}

const NO_CAUSE = 'The report gives no cause; see it for the numbers.';

function figure(
  name: string,
  value: string,
  target: string | null,
  met: boolean | null,
  cause: string | null = null,
): Measurement {
  return { name, value, target, met, cause: met === false ? (cause ?? NO_CAUSE) : null };
}

type Adapter = (json: unknown, markdown: string | null) => Measurement[];

const search: Adapter = (json, markdown) => {
  const reading = section(markdown, '## Reading it');
  return [
    figure('gateway search requests/s', String(num(at(json, 'gateway', 'requestsPerSecond'))), null, null),
    figure(
      'the same SQL directly, requests/s',
      String(num(at(json, 'direct', 'requestsPerSecond'))),
      null,
      null,
    ),
    figure(
      'gateway ÷ direct SQL',
      String(num(at(json, 'ratio'))),
      '≥ 0.5',
      bool(at(json, 'targets', 'ratioMet')),
      reading,
    ),
    figure(
      `gateway p99 at ${num(at(json, 'settings', 'connections'))} connections (closed loop)`,
      `${num(at(json, 'gateway', 'latencyMs', 'p99'))} ms`,
      '< 50 ms',
      bool(at(json, 'targets', 'p99Met')),
      reading,
    ),
  ];
};

const checkout: Adapter = (json) => {
  const stages = list(at(json, 'stages')).filter((stage) => at(stage, 'warmup') !== true);
  const best = stages.reduce<unknown>(
    (top, stage) => (num(at(stage, 'ordersPerSecond')) > num(at(top, 'ordersPerSecond')) ? stage : top),
    stages[0],
  );
  const orders = num(at(best, 'ordersPerSecond'));
  const coresUsed = at(best, 'coresUsed');
  const cpu = Object.entries(typeof coresUsed === 'object' && coresUsed !== null ? coresUsed : {})
    .map(([name, cores]): [string, number] => [name, Math.round((num(cores) * 1000 * 10) / orders) / 10])
    .filter(([, ms]) => ms > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([name, ms]) => `${name} ${ms}`);
  const latency = (key: string) => num(at(best, 'checkouts', 'latencyMs', key));
  const concurrency = num(at(best, 'concurrency'));
  return [
    figure(`accepted orders/s (best, at ${concurrency} consumers)`, String(orders), null, null),
    figure(
      `checkout p50 / p95 / p99 at ${concurrency} consumers`,
      `${latency('p50')} / ${latency('p95')} / ${latency('p99')} ms`,
      null,
      null,
    ),
    figure(`CPU ms per accepted order at ${concurrency} consumers`, cpu.join(', '), null, null),
    figure(
      'oversell check',
      at(json, 'oversell', 'passed') === true ? 'passed' : 'failed',
      'passes',
      bool(at(json, 'oversell', 'passed')),
    ),
  ];
};

const site: Adapter = (json, markdown) => {
  const figures = [
    figure(
      'search page ÷ search API requests/s',
      String(num(at(json, 'searchRatio'))),
      '≥ 0.7',
      bool(at(json, 'met', 'ratio')),
      section(markdown, '### The search page against the search API'),
    ),
    figure(
      'errors under load',
      at(json, 'met', 'noErrors') === true ? '0' : 'some',
      '0',
      bool(at(json, 'met', 'noErrors')),
    ),
  ];
  for (const page of list(at(json, 'lighthouse'))) {
    const name = text(at(page, 'page'));
    for (const category of ['performance', 'accessibility']) {
      figures.push(
        figure(
          `Lighthouse ${name}: ${category}`,
          String(num(at(page, category))),
          '≥ 90',
          bool(at(json, 'met', 'lighthouse', name, category)),
          text(at(page, 'error')) || null,
        ),
      );
    }
  }
  return figures;
};

const overhead: Adapter = (json, markdown) => [
  figure(
    'instrumentation: tracing on ÷ off, requests/s (metrics on in both)',
    String(num(at(json, 'ratio'))),
    '≥ 0.85',
    bool(at(json, 'targets', 'ratioMet')),
    lineStarting(markdown, '- **Target missed.**')?.replace(/^\*\*Target missed\.\*\* /, '') ?? null,
  ),
  figure(
    'ms-products CPU ms per request, tracing on / off',
    `${num(at(json, 'median', 'on', 'serviceCpuMsPerRequest'))} / ${num(at(json, 'median', 'off', 'serviceCpuMsPerRequest'))}`,
    null,
    null,
  ),
];

const platform: Adapter = (json) =>
  list(at(json, 'measurements')).map((entry) =>
    figure(
      text(at(entry, 'name')),
      text(at(entry, 'value')),
      text(at(entry, 'target')) || null,
      bool(at(entry, 'met')),
      text(at(entry, 'cause')) || null,
    ),
  );

/** The benchmarks the summary knows, in its order, with their titles. */
export const SOURCES: readonly { name: string; title: string; read: Adapter }[] = [
  {
    name: 'platform',
    title: 'Platform (gateway, token, login, open-loop search, memory, start)',
    read: platform,
  },
  { name: 'overhead', title: 'Instrumentation (tracing overhead)', read: overhead },
  { name: 'search', title: 'Search (gateway vs raw SQL)', read: search },
  { name: 'checkout', title: 'Checkout', read: checkout },
  { name: 'site', title: 'Site (server-rendered pages, Lighthouse)', read: site },
];
