/**
 * Checks that run real tools: `haproxy -c` on gateway/haproxy.cfg with the addresses the chart
 * gives the gateway, `promtool check config` on the Prometheus scrape jobs we ship for viz, and
 * drift between kubernetes/ and a fresh rendering.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import type { KubeObject } from './helm.js';
import { REPO_ROOT } from './helm.js';
import { podSpec } from './workload-checks.js';

type Json = Record<string, unknown>;
const record = (value: unknown): Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...value } : {};
const list = (value: unknown): Json[] => (Array.isArray(value) ? value.map(record) : []);

export interface ToolResult {
  ok: boolean;
  output: string;
}

/** The gateway's environment in the cluster, from the rendered Deployment. */
export function gatewayEnvironment(objects: KubeObject[]): Record<string, string> {
  const gateway = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'gateway');
  const container = list(
    podSpec(gateway ?? { apiVersion: '', kind: '', metadata: { name: '' } })['containers'],
  )[0];
  return Object.fromEntries(
    list(container?.['env']).map((v) => [String(v['name']), String(v['value'] ?? '')]),
  );
}

/** `haproxy -c` on a config file with the cluster's addresses (only these variables set). */
export function haproxyCheck(configFile: string, env: Record<string, string>): ToolResult {
  const result = spawnSync('haproxy', ['-c', '-f', configFile], {
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '', ...env },
  });
  if (result.error !== undefined)
    return { ok: false, output: `haproxy not runnable: ${result.error.message}` };
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}`.trim() };
}

/** The viz scrape jobs inside a minimal Prometheus config, through `promtool check config`. */
export function promtoolCheckVizValues(
  valuesFile = path.join(REPO_ROOT, 'kubernetes/linkerd-viz-values.yaml'),
): ToolResult {
  const values = record(parse(readFileSync(valuesFile, 'utf8')));
  const prometheus = record(values['prometheus']);
  // Debian's Prometheus is built without Kubernetes service discovery: promtool would refuse
  // kubernetes_sd_configs, so each job is checked with a static target in its place (its
  // relabelling, paths and intervals still are), and the discovery blocks are checked here.
  const problems: string[] = [];
  const jobs = list(prometheus['scrapeConfigs']).map((job) => {
    const { kubernetes_sd_configs: discovery, ...rest } = job;
    for (const sd of list(discovery)) {
      if (!['pod', 'service', 'endpoints', 'endpointslice', 'node', 'ingress'].includes(String(sd['role']))) {
        problems.push(
          `job ${String(job['job_name'])}: kubernetes_sd_configs role ${String(sd['role'])} is not a role`,
        );
      }
    }
    return discovery === undefined ? rest : { ...rest, static_configs: [{ targets: ['127.0.0.1:9'] }] };
  });
  if (problems.length > 0) return { ok: false, output: problems.join('\n') };
  const config = { global: prometheus['globalConfig'] ?? {}, scrape_configs: jobs };
  const dir = mkdtempSync(path.join(tmpdir(), 'viz-prometheus-'));
  const file = path.join(dir, 'prometheus.yml');
  writeFileSync(file, JSON.stringify(config));
  const result = spawnSync('promtool', ['check', 'config', file], { encoding: 'utf8' });
  if (result.error !== undefined)
    return { ok: false, output: `promtool not runnable: ${result.error.message}` };
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}`.trim() };
}

/** The first differing line between the committed rendering and a fresh one, if any. */
export function driftBetween(
  committed: string,
  fresh: string,
  name = 'kubernetes/marketshare.yaml',
): string | undefined {
  if (committed === fresh) return undefined;
  const a = committed.split('\n');
  const b = fresh.split('\n');
  const line = a.findIndex((text, index) => text !== b[index]);
  const at = line === -1 ? Math.min(a.length, b.length) : line;
  return `${name} differs from the chart's output at line ${at + 1}:\n  committed: ${a[at] ?? '(end)'}\n  rendered:  ${b[at] ?? '(end)'}\nRegenerate it: npm run cluster:render`;
}
