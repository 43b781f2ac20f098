/**
 * The local stack runner as a module, for the CLI (`npm start` / `npm stop`) and for tests that
 * start an isolated stack:
 *
 *   const stack = await startStack({ stateDir, randomPorts: true, dbPrefix: 't1234_', vhost: 't1234' });
 *   ... stack.urls.gateway, stack.urls.smtpWeb, stack.secrets.CLIENT_SECRET_FRONTEND ...
 *   await stopStack(stack.stateDir, { purge: true });
 */
import { fetchMongoStandIn } from './components.js';
import { REPO_ROOT, resolveStateDir } from './config.js';
import { which } from './exec.js';
import { ensureInfra } from './infra.js';
import type { Logger } from './types.js';

export { startStack, StackError } from './start.js';
export type { StackInfo, StartOptions } from './start.js';
export { startService, stopService } from './service-control.js';
export type { ServiceControlOptions } from './service-control.js';
export { stackStatus, stopStack } from './stop.js';
export type { ProcessStatus, StackStatus, StopOptions } from './stop.js';
export type { SupervisorStatus } from './supervisor-control.js';
export { SERVICES } from './services.js';
export type { ServiceSpec } from './services.js';
export { gatewayEnv, fetchMongoStandIn, mongoLibDir } from './components.js';
export { prometheusConfig } from './prometheus.js';
export { freePorts } from './net.js';
export { INFRA, PORT_DEFAULTS, PORT_PURPOSES } from './types.js';
export type { Logger, PortKey, Ports, Secrets, StackUrls } from './types.js';
export { REPO_ROOT } from './config.js';

export interface InfraOptions {
  stateDir?: string;
  log?: Logger;
  /** Also fetch the Mongo stand-in's jars (not started); default true. */
  fetchMongo?: boolean;
}

/**
 * Starts or reuses PostgreSQL, MariaDB and RabbitMQ (with rabbitmq_prometheus); what it starts
 * is recorded in the state dir, so stopStack(stateDir) stops exactly that.
 */
export async function ensureInfrastructure(options: InfraOptions = {}): Promise<void> {
  const log = options.log ?? ((message: string) => console.log(`[stack] ${message}`));
  const stateDir = resolveStateDir(options.stateDir);
  await ensureInfra(stateDir, log);
  if ((options.fetchMongo ?? true) && which('mvn') !== null && which('java') !== null) {
    try {
      log(`mongo stand-in jars: ${await fetchMongoStandIn(REPO_ROOT)}`);
    } catch (error) {
      log(`could not fetch the mongo stand-in: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
