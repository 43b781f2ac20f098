/**
 * The supporting processes each stack runs for itself: the Mongo stand-in, the SMTP sink,
 * HAProxy (gateway/haproxy.cfg) and Prometheus.
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { requireCommand, runChecked } from './exec.js';
import { httpStatus, isPortOpen, waitUntil } from './net.js';
import type { DaemonSpec } from './procs.js';
import { writePrometheusConfig } from './prometheus.js';
import type { ServiceSpec } from './services.js';
import type { PortKey, StackContext } from './types.js';

export interface Component {
  name: string;
  portKeys: PortKey[];
  /** Work done before spawning (downloads, generated config); returns the spawn spec. */
  prepare: (ctx: StackContext, services: readonly ServiceSpec[]) => Promise<DaemonSpec>;
  ready: (ctx: StackContext, services: readonly ServiceSpec[]) => Promise<boolean>;
}

const portsOf = (ctx: StackContext, keys: PortKey[]): number[] => keys.map((key) => ctx.ports[key]);

const allOpen = async (ports: number[]): Promise<boolean> =>
  (await Promise.all(ports.map((port) => isPortOpen(port)))).every(Boolean);

// --- Mongo stand-in (mongo-java-server) ----------------------------------------------------

export function mongoLibDir(repoRoot: string): string {
  return path.join(repoRoot, '.local', 'mongo', 'lib');
}

/** Copies mongo-java-server and its dependencies from Maven Central into .local/mongo/lib. */
export async function fetchMongoStandIn(repoRoot: string): Promise<string> {
  const lib = mongoLibDir(repoRoot);
  const present = existsSync(lib) && readdirSync(lib).some((file) => file.startsWith('mongo-java-server-h2'));
  if (present) return lib;
  const mvn = requireCommand('mvn', 'apt-get install maven');
  await runChecked(
    mvn,
    [
      '-q',
      '-B',
      '-f',
      path.join(repoRoot, 'scripts', 'mongo', 'pom.xml'),
      'dependency:copy-dependencies',
      `-DoutputDirectory=${lib}`,
    ],
    { timeoutMs: 600_000 },
  );
  return lib;
}

export const MONGO: Component = {
  name: 'mongo',
  portKeys: ['MONGO_PORT'],
  prepare: async (ctx) => {
    const lib = await fetchMongoStandIn(ctx.repoRoot);
    const java = requireCommand('java', 'apt-get install openjdk-17-jre-headless');
    const dataDir = path.join(ctx.stateDir, 'mongo');
    mkdirSync(dataDir, { recursive: true });
    return {
      name: 'mongo',
      command: java,
      args: [
        '-Xmx256m',
        '-XX:+UseSerialGC',
        '-cp',
        `${lib}/*`,
        path.join(ctx.repoRoot, 'scripts', 'mongo', 'MongoStandIn.java'),
        '127.0.0.1',
        String(ctx.ports.MONGO_PORT),
        path.join(dataDir, 'data.mv'),
      ],
      cwd: ctx.repoRoot,
      env: ctx.env,
      ports: [ctx.ports.MONGO_PORT],
    };
  },
  ready: (ctx) => isPortOpen(ctx.ports.MONGO_PORT),
};

// --- SMTP sink (maildev) -------------------------------------------------------------------

export const SMTP: Component = {
  name: 'smtp',
  portKeys: ['SMTP_PORT', 'SMTP_WEB_PORT'],
  prepare: async (ctx) => {
    const bin = path.join(ctx.repoRoot, 'node_modules', 'maildev', 'bin', 'maildev');
    if (!existsSync(bin)) throw new Error('maildev is missing from node_modules (run npm ci)');
    const mailDir = path.join(ctx.stateDir, 'mail');
    mkdirSync(mailDir, { recursive: true });
    return {
      name: 'smtp',
      command: process.execPath,
      args: [
        bin,
        '--smtp',
        String(ctx.ports.SMTP_PORT),
        '--web',
        String(ctx.ports.SMTP_WEB_PORT),
        '--ip',
        '127.0.0.1',
        '--web-ip',
        '127.0.0.1',
        '--mail-directory',
        mailDir,
      ],
      cwd: ctx.repoRoot,
      env: ctx.env,
      ports: portsOf(ctx, SMTP.portKeys),
    };
  },
  ready: async (ctx) =>
    (await isPortOpen(ctx.ports.SMTP_PORT)) &&
    (await httpStatus(`http://127.0.0.1:${ctx.ports.SMTP_WEB_PORT}/email`)) === 200,
};

// --- Gateway (HAProxy) ----------------------------------------------------------------------

/** The environment gateway/haproxy.cfg reads, for this stack's ports. */
export function gatewayEnv(ctx: StackContext): Record<string, string> {
  const addr = (key: PortKey): string => `127.0.0.1:${ctx.ports[key]}`;
  return {
    GATEWAY_BIND: addr('GATEWAY_PORT'),
    GATEWAY_STATS_BIND: addr('HAPROXY_STATS_PORT'),
    MS_AUTH_ADDR: addr('MS_AUTH_PORT'),
    MS_USERS_ADDR: addr('MS_USERS_PORT'),
    MS_PRODUCTS_ADDR: addr('MS_PRODUCTS_PORT'),
    MS_ORDERS_ADDR: addr('MS_ORDERS_PORT'),
    FRONTEND_ADDR: addr('FRONTEND_PORT'),
    GATEWAY_TOKEN_RATE: ctx.env['GATEWAY_TOKEN_RATE'] ?? '60',
  };
}

/** True when HAProxy's stats show each named backend that it has as UP (health checks passed). */
export async function backendsUp(statsPort: number, backends: readonly string[]): Promise<boolean> {
  if (backends.length === 0) return true;
  try {
    const response = await fetch(`http://127.0.0.1:${statsPort}/stats;csv`, {
      signal: AbortSignal.timeout(2000),
    });
    const lines = (await response.text()).split('\n');
    const header = (lines[0] ?? '').replace(/^# /, '').split(',');
    const [proxy, server, status] = ['pxname', 'svname', 'status'].map((name) => header.indexOf(name));
    const state = new Map<string, string>();
    for (const line of lines.slice(1)) {
      const fields = line.split(',');
      if (fields[server ?? -1] === 'BACKEND')
        state.set(fields[proxy ?? -1] ?? '', fields[status ?? -1] ?? '');
    }
    // Services the gateway does not route (ms-email) have no backend.
    return state.size > 0 && backends.every((name) => (state.get(name) ?? 'UP') === 'UP');
  } catch {
    return false;
  }
}

export const GATEWAY: Component = {
  name: 'gateway',
  portKeys: ['GATEWAY_PORT', 'HAPROXY_STATS_PORT'],
  prepare: async (ctx) => {
    const haproxy = requireCommand('haproxy', 'apt-get install haproxy');
    const config = path.join(ctx.repoRoot, 'gateway', 'haproxy.cfg');
    const env = { ...ctx.env, ...gatewayEnv(ctx) };
    await runChecked(haproxy, ['-c', '-q', '-f', config], { env, timeoutMs: 30_000 });
    return {
      name: 'gateway',
      command: haproxy,
      args: ['-db', '-f', config],
      cwd: ctx.repoRoot,
      env,
      ports: portsOf(ctx, GATEWAY.portKeys),
    };
  },
  ready: async (ctx, services) =>
    (await allOpen(portsOf(ctx, GATEWAY.portKeys))) &&
    (await backendsUp(
      ctx.ports.HAPROXY_STATS_PORT,
      services.map((spec) => spec.name),
    )),
};

// --- Prometheus -----------------------------------------------------------------------------

export const PROMETHEUS: Component = {
  name: 'prometheus',
  portKeys: ['PROMETHEUS_PORT'],
  prepare: async (ctx, services) => {
    const prometheus = requireCommand('prometheus', 'apt-get install prometheus');
    const config = writePrometheusConfig(ctx.stateDir, {
      repoRoot: ctx.repoRoot,
      ports: ctx.ports,
      services,
    });
    const promtool = requireCommand('promtool', 'apt-get install prometheus');
    await runChecked(promtool, ['check', 'config', config], { timeoutMs: 30_000 });
    const storage = path.join(ctx.stateDir, 'prometheus');
    mkdirSync(storage, { recursive: true });
    return {
      name: 'prometheus',
      command: prometheus,
      args: [
        `--config.file=${config}`,
        `--storage.tsdb.path=${storage}`,
        '--storage.tsdb.retention.time=2d',
        `--web.listen-address=127.0.0.1:${ctx.ports.PROMETHEUS_PORT}`,
        '--web.enable-lifecycle',
        // The services' histograms carry trace ids as exemplars (OpenMetrics); keep them.
        '--enable-feature=exemplar-storage',
      ],
      cwd: ctx.stateDir,
      env: ctx.env,
      ports: [ctx.ports.PROMETHEUS_PORT],
    };
  },
  ready: async (ctx) => (await httpStatus(`http://127.0.0.1:${ctx.ports.PROMETHEUS_PORT}/-/ready`)) === 200,
};

/** Waits for a component's readiness; false after timeoutMs. */
export function waitForComponent(
  component: Component,
  ctx: StackContext,
  services: readonly ServiceSpec[],
  timeoutMs: number,
): Promise<boolean> {
  return waitUntil(() => component.ready(ctx, services), timeoutMs, 300);
}
