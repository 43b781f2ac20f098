/** Resolving a stack's configuration: state dir, ports, database prefix, vhost, URLs. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePorts } from './net.js';
import { INFRA, PORT_DEFAULTS } from './types.js';
import type { PortKey, Ports, StackConfig, StackUrls } from './types.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export const DEFAULT_STATE_DIR = path.join(REPO_ROOT, '.local', 'stack');

export const PORT_KEYS = Object.keys(PORT_DEFAULTS) as PortKey[]; // keys of a const object literal

export function resolveStateDir(stateDir?: string): string {
  const dir = stateDir ?? process.env['STACK_DIR'] ?? DEFAULT_STATE_DIR;
  return path.resolve(REPO_ROOT, dir);
}

function parsePort(key: string, value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`${key}=${value} is not a valid port (1-65535)`);
  }
  return port;
}

/** Ports from explicit overrides, then the environment, then random free ones or the defaults. */
export async function resolvePorts(
  env: NodeJS.ProcessEnv,
  overrides: Partial<Ports> = {},
  randomPorts = false,
): Promise<Ports> {
  const ports: Partial<Ports> = {};
  const missing: PortKey[] = [];
  for (const key of PORT_KEYS) {
    const override = overrides[key];
    const fromEnv = env[key];
    if (override !== undefined) ports[key] = parsePort(key, String(override));
    else if (fromEnv !== undefined && fromEnv !== '') ports[key] = parsePort(key, fromEnv);
    else if (randomPorts) missing.push(key);
    else ports[key] = PORT_DEFAULTS[key];
  }
  const random = await freePorts(missing.length);
  missing.forEach((key, i) => {
    ports[key] = random[i] ?? PORT_DEFAULTS[key];
  });
  const full = { ...PORT_DEFAULTS, ...ports };
  const seen = new Map<number, PortKey>();
  for (const key of PORT_KEYS) {
    const other = seen.get(full[key]);
    if (other !== undefined) throw new Error(`${key} and ${other} are both set to port ${full[key]}`);
    seen.set(full[key], key);
  }
  return full;
}

export function validateDbPrefix(prefix: string): string {
  if (!/^[a-z][a-z0-9_]{0,23}$/.test(prefix) && prefix !== '') {
    throw new Error(`STACK_DB_PREFIX=${prefix} must be lower-case letters, digits and _ (max 24)`);
  }
  return prefix;
}

export function validateVhost(vhost: string | null): string | null {
  if (vhost === null || vhost === '') return null;
  if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(vhost)) {
    throw new Error(`STACK_VHOST=${vhost} must be letters, digits and _ . : - (max 64)`);
  }
  return vhost;
}

export function rabbitmqUrl(vhost: string | null): string {
  const { user, password, host, port } = INFRA.rabbitmq;
  const base = `amqp://${user}:${password}@${host}:${port}`;
  return vhost === null ? base : `${base}/${encodeURIComponent(vhost)}`;
}

export function standInMongoUrl(port: number, dbPrefix: string): string {
  return `mongodb://127.0.0.1:${port}/${dbPrefix}orders`;
}

export function stackUrls(config: StackConfig): StackUrls {
  const { ports } = config;
  const local = (port: number): string => `http://127.0.0.1:${port}`;
  const services: Record<string, string> = {};
  for (const { name, port } of config.services) services[name] = local(port);
  return {
    gateway: local(ports.GATEWAY_PORT),
    haproxyStats: `${local(ports.HAPROXY_STATS_PORT)}/stats`,
    haproxyMetrics: `${local(ports.HAPROXY_STATS_PORT)}/metrics`,
    prometheus: local(ports.PROMETHEUS_PORT),
    zipkin: `${local(ports.ZIPKIN_PORT)}/zipkin/`,
    alertmanager: local(ports.ALERTMANAGER_PORT),
    smtpWeb: local(ports.SMTP_WEB_PORT),
    smtp: `smtp://127.0.0.1:${ports.SMTP_PORT}`,
    mongo: config.mongoUrl,
    rabbitmq: rabbitmqUrl(config.vhost),
    services,
  };
}

export function configFile(stateDir: string): string {
  return path.join(stateDir, 'stack.json');
}

export function readConfig(stateDir: string): StackConfig | null {
  const file = configFile(stateDir);
  if (!existsSync(file)) return null;
  try {
    const config = JSON.parse(readFileSync(file, 'utf8')) as StackConfig; // written by writeConfig
    // A stack started before a port was added to the table gets that port's default.
    return { ...config, ports: { ...PORT_DEFAULTS, ...config.ports } };
  } catch {
    return null;
  }
}

export function writeConfig(stateDir: string, config: StackConfig): void {
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(configFile(stateDir), `${JSON.stringify(config, null, 2)}\n`);
}
