/**
 * Checks of compose/compose.yaml against the repository: images, environment, the gateway's
 * and Prometheus' configs. Each returns its problems (empty when all is well), so a test can
 * feed it a broken copy and read why it failed.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import {
  REPO_ROOT,
  environmentOf,
  interpolate,
  readDotenv,
  referencedVariables,
  requiredReferences,
  type ComposeDocument,
} from './compose-file.js';
import { IMAGES } from './images.js';
import { DEPLOYABLES, configVariables } from './service-config.js';

/** A public image must name an exact release: `name:1.2.3...` (two parts for PostgreSQL-style versions) or a digest. */
const PINNED_TAG = /^v?\d+\.\d+(\.\d+)?([-.+][\w.-]+)?$/;

export function imageProblems(doc: ComposeDocument, repoRoot = REPO_ROOT): string[] {
  const problems: string[] = [];
  for (const [name, service] of Object.entries(doc.services)) {
    const image = service.image;
    if (image === undefined) {
      problems.push(`${name}: no image (build the repository's images with npm run images)`);
      continue;
    }
    const ours = IMAGES.find((spec) => spec.tag === image);
    if (ours) {
      if (!existsSync(path.join(repoRoot, ours.dockerfile)))
        problems.push(`${name}: ${ours.dockerfile} missing`);
      continue;
    }
    if (image.startsWith('marketshare/')) {
      problems.push(`${name}: ${image} is not an image scripts/cluster/images.ts builds`);
      continue;
    }
    if (image.includes('@sha256:')) continue;
    const tag = /:([^:/]+)$/.exec(image)?.[1];
    if (tag === undefined || !PINNED_TAG.test(tag)) {
      problems.push(`${name}: image ${image} is not pinned to an exact version tag`);
    }
  }
  return problems;
}

/**
 * Every variable a deployable's config schema requires is set; every sensitive one comes from
 * the .env (a `${VAR}` reference), and every `${VAR:?}` the file needs is in compose/.env.example
 * with an empty value there, so nothing secret is committed.
 */
export function environmentProblems(doc: ComposeDocument, composeText: string, envExample: string): string[] {
  const problems: string[] = [];
  const documented = readDotenv(envExample);
  for (const deployable of DEPLOYABLES) {
    const service = doc.services[deployable];
    if (!service) {
      problems.push(`${deployable}: no compose service of that name`);
      continue;
    }
    const env = environmentOf(service);
    for (const variable of configVariables(deployable)) {
      const value = env.get(variable.name);
      // A `${VAR}` counts as set: the .env supplies it (checked below against .env.example).
      const fromEnvFile = Object.fromEntries(referencedVariables(value ?? '').map((name) => [name, 'set']));
      if (variable.required && (value === undefined || interpolate(value, fromEnvFile) === '')) {
        problems.push(`${deployable}: ${variable.name} is required by its config schema but not set`);
        continue;
      }
      if (variable.sensitive && value !== undefined && referencedVariables(value).length === 0) {
        problems.push(
          `${deployable}: ${variable.name} is sensitive but a literal; take it from .env (\${...})`,
        );
      }
    }
  }
  for (const name of new Set(requiredReferences(composeText))) {
    const example = documented.get(name);
    if (example === undefined)
      problems.push(`${name} is required by compose.yaml but not in compose/.env.example`);
    else if (example !== '')
      problems.push(`${name} has a value in compose/.env.example; leave secrets empty`);
  }
  return problems;
}

function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): { ok: boolean; output: string } {
  const result = spawnSync(command, args, { encoding: 'utf8', env, timeout: 30_000 });
  if (result.error) return { ok: false, output: `${command}: ${result.error.message}` };
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}`.trim() };
}

const GATEWAY_ADDRESSES = [
  'MS_AUTH_ADDR',
  'MS_USERS_ADDR',
  'MS_PRODUCTS_ADDR',
  'MS_ORDERS_ADDR',
  'FRONTEND_ADDR',
];

/**
 * gateway/haproxy.cfg with the gateway service's environment: each address must be a compose
 * service at the port it listens on, then `haproxy -c`. The hosts are given to haproxy as
 * 127.0.0.1 (same ports), so the check makes no DNS lookups for names only compose resolves.
 */
export function gatewayProblems(
  doc: ComposeDocument,
  haproxyCfg = path.join(REPO_ROOT, 'gateway', 'haproxy.cfg'),
): string[] {
  const gateway = doc.services['gateway'];
  if (!gateway) return ['no gateway service'];
  const env = new Map([...environmentOf(gateway)].map(([name, value]) => [name, interpolate(value)]));
  const problems: string[] = [];
  const checkEnv: NodeJS.ProcessEnv = { PATH: process.env['PATH'] ?? '/usr/bin:/bin' };
  for (const [name, value] of env) checkEnv[name] = value;
  for (const name of GATEWAY_ADDRESSES) {
    const value = env.get(name);
    const [host = '', port = ''] = (value ?? '').split(':');
    const target = doc.services[host];
    if (!target) {
      problems.push(`gateway: ${name}=${value ?? '(unset)'} is not a compose service`);
      continue;
    }
    const listens = environmentOf(target).get('PORT');
    if (listens !== port)
      problems.push(`gateway: ${name}=${value ?? ''} but ${host} listens on ${listens ?? '?'}`);
    checkEnv[name] = `127.0.0.1:${port}`;
  }
  const volumes = Array.isArray(gateway['volumes']) ? gateway['volumes'] : [];
  if (!volumes.some((volume: unknown) => typeof volume === 'string' && volume.startsWith('../gateway:'))) {
    problems.push('gateway: gateway/ is not mounted (the config loads files relative to itself)');
  }
  const checked = run('haproxy', ['-c', '-f', haproxyCfg], checkEnv);
  if (!checked.ok) problems.push(`haproxy -c failed:\n${checked.output}`);
  return problems;
}

/**
 * compose/prometheus/prometheus.yml laid out as the container sees it (rules/ beside it), run
 * through `promtool check config`; and every scrape target is a compose service.
 */
export function prometheusProblems(
  doc: ComposeDocument,
  configText: string,
  rulesDir = path.join(REPO_ROOT, 'prometheus', 'rules'),
): string[] {
  const problems: string[] = [];
  const config: unknown = parse(configText);
  const targets = JSON.stringify(config).match(/"[\w.-]+:\d+"/g) ?? [];
  for (const quoted of targets) {
    const host = quoted.slice(1).split(':')[0] ?? '';
    if (host !== 'localhost' && !doc.services[host])
      problems.push(`prometheus: target ${quoted} is not a compose service`);
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'compose-prometheus-'));
  try {
    writeFileSync(path.join(dir, 'prometheus.yml'), configText);
    cpSync(rulesDir, path.join(dir, 'rules'), { recursive: true });
    const checked = run('promtool', ['check', 'config', path.join(dir, 'prometheus.yml')]);
    if (!checked.ok) problems.push(`promtool check config failed:\n${checked.output}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return problems;
}

/** compose's Alertmanager config is the local one with the sink's compose address, nothing else. */
export function alertmanagerProblems(composeConfig: string, localConfig: string): string[] {
  const expected = parse(localConfig.replace('127.0.0.1:1025', 'mailpit:1025'));
  const actual: unknown = parse(composeConfig);
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    return [
      'compose/alertmanager/alertmanager.yml differs from prometheus/alertmanager.yml beyond the SMTP address',
    ];
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'compose-alertmanager-'));
  try {
    writeFileSync(path.join(dir, 'alertmanager.yml'), composeConfig);
    const checked = run('amtool', ['check-config', path.join(dir, 'alertmanager.yml')]);
    return checked.ok ? [] : [`amtool check-config failed:\n${checked.output}`];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function readRepoFile(relative: string): string {
  return readFileSync(path.join(REPO_ROOT, relative), 'utf8');
}
