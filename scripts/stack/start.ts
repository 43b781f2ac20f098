/** startStack: infrastructure, databases, supporting processes, services, readiness. */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import {
  REPO_ROOT,
  rabbitmqUrl,
  readConfig,
  resolvePorts,
  resolveStateDir,
  stackUrls,
  standInMongoUrl,
  validateDbPrefix,
  validateVhost,
  writeConfig,
} from './config.js';
import { ALERTMANAGER } from './alertmanager.js';
import { GATEWAY, MONGO, PROMETHEUS, SMTP, waitForComponent } from './components.js';
import type { Component } from './components.js';
import { dropDatabases, provisionDatabases } from './databases.js';
import { ensureFrontendBuilt } from './frontend-build.js';
import { hold, release } from './holds.js';
import { ensureInfra, ensureVhost } from './infra.js';
import { httpStatus, waitUntil } from './net.js';
import { portConflicts } from './portcheck.js';
import type { PortClaim } from './portcheck.js';
import { isPidAlive, isRecordAlive, readRecord, readRecords, spawnDaemon, tailLog } from './procs.js';
import { loadOrCreateSecrets, secretsFile } from './secrets.js';
import { SERVICES, serviceEnv, serviceExists } from './services.js';
import type { ServiceSpec } from './services.js';
import { stopStack } from './stop.js';
import { ZIPKIN } from './zipkin.js';
import { ensureSupervisor, supervisorEnabled } from './supervisor-control.js';
import { PORT_PURPOSES } from './types.js';
import type { Logger, Ports, ProcessRecord, Secrets, StackConfig, StackContext, StackUrls } from './types.js';

export interface StartOptions {
  /** State dir (pids, logs, secrets, generated config); default $STACK_DIR or .local/stack. */
  stateDir?: string;
  /** The environment to read settings from; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Port overrides; win over the environment. */
  ports?: Partial<Ports>;
  /** Pick free random ports for every port not overridden (for isolated test stacks). */
  randomPorts?: boolean;
  /** Database name prefix; default $STACK_DB_PREFIX or ''. */
  dbPrefix?: string;
  /** RabbitMQ vhost of this stack; default $STACK_VHOST or the default vhost '/'. */
  vhost?: string | null;
  /** Only these services (by name) of the table; default all that exist. */
  services?: string[];
  /** The service table; default SERVICES (tests may run stand-in services). */
  table?: readonly ServiceSpec[];
  /** Extra environment for every service (e.g. test settings); wins over the contract. */
  serviceEnv?: Record<string, string>;
  /** Extra environment for single services, by name; wins over serviceEnv. */
  envByService?: Record<string, Record<string, string>>;
  /** Bound on the wait for every /readyz; default 90 s. */
  readyTimeoutMs?: number;
  /** Stop what this call started when it fails; default true. */
  stopOnFailure?: boolean;
  /** Run the supervisor (restarts what exits); default true unless STACK_SUPERVISOR=off. */
  supervise?: boolean;
  log?: Logger;
}

export interface StackInfo {
  stateDir: string;
  ports: Ports;
  urls: StackUrls;
  dbPrefix: string;
  vhost: string | null;
  rabbitmqUrl: string;
  mongoUrl: string;
  secrets: Secrets;
  /** Services running (started now or already running), in table order. */
  services: string[];
  /** Services in the table whose entry file does not exist yet. */
  skipped: string[];
  /** The contract environment given to each service. */
  serviceEnv: Record<string, Record<string, string>>;
}

export class StackError extends Error {}

const defaultLog: Logger = (message) => console.log(`[stack] ${message}`);

async function resolveConfig(
  stateDir: string,
  options: StartOptions,
  env: NodeJS.ProcessEnv,
): Promise<StackConfig> {
  const wanted = options.services;
  const table = options.table ?? SERVICES;
  const enabled = table
    .filter((spec) => serviceExists(REPO_ROOT, spec))
    .filter((spec) => wanted === undefined || wanted.includes(spec.name));
  const servicesWith = (ports: Ports): StackConfig['services'] =>
    enabled.map((spec) => ({ name: spec.name, port: ports[spec.portKey] }));
  const previous = readConfig(stateDir);
  const alive = await Promise.all(readRecords(stateDir).map((record) => isRecordAlive(record)));
  // While processes of this stack run, keep the ports, prefix and vhost they were started with.
  if (previous !== null && alive.some(Boolean))
    return { ...previous, services: servicesWith(previous.ports) };
  const dbPrefix = validateDbPrefix(options.dbPrefix ?? env['STACK_DB_PREFIX'] ?? '');
  const vhost = validateVhost(options.vhost === undefined ? (env['STACK_VHOST'] ?? null) : options.vhost);
  const ports = await resolvePorts(env, options.ports, options.randomPorts ?? false);
  const externalMongo = (env['MONGO_URL'] ?? '') !== '';
  const mongoUrl = externalMongo ? (env['MONGO_URL'] ?? '') : standInMongoUrl(ports.MONGO_PORT, dbPrefix);
  return { ports, dbPrefix, vhost, mongoUrl, externalMongo, services: servicesWith(ports) };
}

/** What every service's environment is built from, for the stack configured in stateDir. */
export function stackContext(
  stateDir: string,
  config: StackConfig,
  env: NodeJS.ProcessEnv,
  secrets: Secrets,
): StackContext {
  return {
    repoRoot: REPO_ROOT,
    env,
    stateDir,
    ports: config.ports,
    secrets,
    dbPrefix: config.dbPrefix,
    vhost: config.vhost,
    rabbitmqUrl: rabbitmqUrl(config.vhost),
    mongoUrl: config.mongoUrl,
    externalMongo: config.externalMongo,
    gatewayUrl: `http://127.0.0.1:${config.ports.GATEWAY_PORT}`,
  };
}

export async function running(stateDir: string, name: string): Promise<ProcessRecord | null> {
  const record = readRecord(stateDir, name);
  return record !== null && (await isRecordAlive(record)) ? record : null;
}

/**
 * The real frontend of the table is built before it is looked for (its entry is the build).
 * A running frontend is not rebuilt under its feet: it keeps serving what it loaded.
 */
async function buildFrontendIfWanted(stateDir: string, options: StartOptions, log: Logger): Promise<void> {
  const spec = (options.table ?? SERVICES).find((candidate) => candidate.name === 'frontend');
  if (spec === undefined || path.resolve(REPO_ROOT, spec.dir) !== path.join(REPO_ROOT, 'frontend')) return;
  if (options.services !== undefined && !options.services.includes('frontend')) return;
  if ((await running(stateDir, 'frontend')) !== null) return;
  await ensureFrontendBuilt(REPO_ROOT, log);
}

export async function startStack(options: StartOptions = {}): Promise<StackInfo> {
  const log = options.log ?? defaultLog;
  const env = options.env ?? process.env;
  const stateDir = resolveStateDir(options.stateDir ?? env['STACK_DIR']);
  mkdirSync(path.join(stateDir, 'logs'), { recursive: true });
  await buildFrontendIfWanted(stateDir, options, log);
  const config = await resolveConfig(stateDir, options, env);
  // Data sealed with secrets that are gone (a new clone, a deleted .local/) cannot be read again.
  const secretsAreNew = !existsSync(secretsFile(stateDir));
  const secrets = loadOrCreateSecrets(stateDir);
  const { ports } = config;
  const ctx = stackContext(stateDir, config, env, secrets);
  const table = options.table ?? SERVICES;
  const names = config.services.map((service) => service.name);
  const services = table.filter((spec) => names.includes(spec.name));
  const skipped = table.filter((spec) => !serviceExists(REPO_ROOT, spec)).map((spec) => spec.name);
  if (skipped.length > 0) log(`not built yet, skipped: ${skipped.join(', ')}`);

  const aux: Component[] = [
    ...(config.externalMongo ? [] : [MONGO]),
    SMTP,
    ALERTMANAGER,
    ZIPKIN,
    GATEWAY,
    PROMETHEUS,
  ];
  // Ports of everything not already running must be free.
  const claims: PortClaim[] = [];
  for (const component of aux) {
    if ((await running(stateDir, component.name)) !== null) continue;
    for (const key of component.portKeys) claims.push({ port: ports[key], purpose: PORT_PURPOSES[key] });
  }
  for (const spec of services) {
    if ((await running(stateDir, spec.name)) !== null) continue;
    claims.push({ port: ports[spec.portKey], purpose: PORT_PURPOSES[spec.portKey] });
  }
  const conflicts = await portConflicts(claims);
  if (conflicts.length > 0) throw new StackError(conflicts.join('\n'));
  writeConfig(stateDir, config);
  // Until every process is ready, a failure is this call's to report, not the supervisor's to
  // retry: all of them are held, and handed to the supervisor at the end.
  const held = [...aux.map((component) => component.name), ...services.map((spec) => spec.name)];
  await hold(stateDir, held, 'being started by startStack');

  const startedNow: string[] = [];
  try {
    await ensureInfra(stateDir, log);
    if (config.vhost !== null) await ensureVhost(config.vhost);
    if (secretsAreNew) {
      log(`new secrets: resetting any databases of an earlier stack with prefix '${config.dbPrefix}'`);
      await dropDatabases(config.dbPrefix);
    }
    await provisionDatabases(config.dbPrefix, secrets);
    log(`databases ready (prefix '${config.dbPrefix}')`);

    const startComponent = async (component: Component): Promise<void> => {
      if ((await running(stateDir, component.name)) !== null) {
        log(`${component.name}: already running`);
        return;
      }
      const spec = await component.prepare(ctx, services);
      const record = spawnDaemon(stateDir, spec);
      startedNow.push(component.name);
      log(`${component.name}: started (pid ${record.pid ?? '?'})`);
    };
    const awaitComponent = async (component: Component, timeoutMs: number): Promise<void> => {
      if (await waitForComponent(component, ctx, services, timeoutMs)) return;
      const file = path.join(stateDir, 'logs', `${component.name}.log`);
      throw new StackError(
        `${component.name} did not become ready in ${timeoutMs / 1000} s:\n${tailLog(file)}`,
      );
    };

    // Datastores of the services (and Alertmanager, Prometheus' receiver) first, then the
    // services and Prometheus, the gateway last: its first health checks then find every service up.
    const first = aux.filter(
      (component) => component === MONGO || component === SMTP || component === ALERTMANAGER,
    );
    // Zipkin's JVM boots while everything else starts; the services' first spans wait in their
    // batch exporters meanwhile. It is awaited with the services' readiness below.
    await startComponent(ZIPKIN);
    for (const component of first) await startComponent(component);
    await Promise.all(first.map((component) => awaitComponent(component, 120_000)));

    const serviceEnvs: Record<string, Record<string, string>> = {};
    for (const spec of services) {
      serviceEnvs[spec.name] = serviceEnv(ctx, spec);
      const extraEnv = { ...options.serviceEnv, ...options.envByService?.[spec.name] };
      if (await spawnService(ctx, spec, extraEnv, log)) startedNow.push(spec.name);
    }
    await startComponent(PROMETHEUS);
    const timeoutMs = options.readyTimeoutMs ?? 90_000;
    await Promise.all([
      ...services.map((spec) => awaitService(ctx, spec, timeoutMs)),
      awaitComponent(ZIPKIN, 60_000),
    ]);
    await startComponent(GATEWAY);
    await Promise.all([awaitComponent(GATEWAY, 30_000), awaitComponent(PROMETHEUS, 60_000)]);
    release(stateDir, held);
    if (options.supervise ?? supervisorEnabled(env)) await ensureSupervisor(stateDir, env, log);
    const urls = stackUrls(config);
    return {
      stateDir,
      ports,
      urls,
      dbPrefix: config.dbPrefix,
      vhost: config.vhost,
      rabbitmqUrl: ctx.rabbitmqUrl,
      mongoUrl: config.mongoUrl,
      secrets,
      services: services.map((spec) => spec.name),
      skipped,
      serviceEnv: serviceEnvs,
    };
  } catch (error) {
    // What failed (or was started with it) stays held: nothing restarts a failed start.
    release(
      stateDir,
      held.filter((name) => !startedNow.includes(name)),
    );
    if (options.stopOnFailure ?? true) {
      await stopStack(stateDir, { only: startedNow, log });
    }
    throw error;
  }
}

/** Starts one service unless it runs already; true when it was started now. */
export async function spawnService(
  ctx: StackContext,
  spec: ServiceSpec,
  extraEnv: Record<string, string>,
  log: Logger,
): Promise<boolean> {
  const existing = await running(ctx.stateDir, spec.name);
  if (existing !== null) {
    log(`${spec.name}: already running (pid ${existing.pid ?? '?'})`);
    return false;
  }
  const record = spawnDaemon(ctx.stateDir, {
    name: spec.name,
    command: process.execPath,
    args: spec.nodeArgs,
    cwd: path.resolve(ctx.repoRoot, spec.dir),
    env: { ...ctx.env, ...serviceEnv(ctx, spec), ...extraEnv },
    ports: [ctx.ports[spec.portKey]],
  });
  log(`${spec.name}: started (pid ${record.pid ?? '?'}, port ${ctx.ports[spec.portKey]})`);
  return true;
}

export async function awaitService(ctx: StackContext, spec: ServiceSpec, timeoutMs: number): Promise<void> {
  const url = `http://127.0.0.1:${ctx.ports[spec.portKey]}${spec.readinessPath}`;
  const record = readRecord(ctx.stateDir, spec.name);
  let exited = false;
  const ready = await waitUntil(async () => {
    if (record?.pid != null && !isPidAlive(record.pid)) {
      exited = true;
      return true;
    }
    return (await httpStatus(url)) === 200;
  }, timeoutMs);
  if (ready && !exited) return;
  const why = exited ? 'exited' : `was not ready (${url}) within ${timeoutMs / 1000} s`;
  const file = path.join(ctx.stateDir, 'logs', `${spec.name}.log`);
  throw new StackError(`${spec.name} ${why}. Last lines of ${file}:\n${tailLog(file)}`);
}
